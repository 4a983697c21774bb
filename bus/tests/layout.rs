//! Memory layout: the spec structs' sizes and offsets (VIRTIO 1.2 §2.7), the
//! rings' alignment, and the two sides' indices on different cache lines.

use std::mem::{align_of, offset_of, size_of};

use bus::spec::{self, VirtqDesc, VirtqUsedElem};
use bus::{Bus, Config};

#[test]
fn descriptor_is_16_bytes_16_aligned() {
    assert_eq!(size_of::<VirtqDesc>(), 16);
    assert_eq!(align_of::<VirtqDesc>(), spec::DESC_TABLE_ALIGN);
    assert_eq!(offset_of!(VirtqDesc, addr), 0);
    assert_eq!(offset_of!(VirtqDesc, len), 8);
    assert_eq!(offset_of!(VirtqDesc, flags), 12);
    assert_eq!(offset_of!(VirtqDesc, next), 14);
}

#[test]
fn used_element_is_8_bytes() {
    assert_eq!(size_of::<VirtqUsedElem>(), 8);
    assert_eq!(align_of::<VirtqUsedElem>(), spec::USED_RING_ALIGN);
    assert_eq!(offset_of!(VirtqUsedElem, id), 0);
    assert_eq!(offset_of!(VirtqUsedElem, len), 4);
}

#[test]
fn ring_sizes_match_the_spec_table() {
    assert_eq!(spec::avail_ring_bytes(64), 6 + 2 * 64);
    assert_eq!(spec::used_ring_bytes(64), 6 + 8 * 64);
}

#[test]
fn rings_and_buffers_start_on_their_own_cache_lines() {
    let bus = Bus::new(2, Config::new(64, 1024)).unwrap();
    let snap = bus.snapshot(0, 1).unwrap();
    let (avail, used) = (snap.avail.addr, snap.used.addr);
    assert_eq!(avail % 64, 0);
    assert_eq!(used % 64, 0);
    // avail.idx (receiver) at avail+2, used.idx (sender) at used+2: other lines.
    assert_ne!((avail + 2) / 64, (used + 2) / 64);
    for (i, d) in snap.desc.iter().enumerate() {
        assert_eq!(d.addr, snap.desc[0].addr + 1024 * i as u64);
        assert_eq!(d.addr % 64, 0);
        assert_eq!(
            (d.len, d.flags, d.next),
            (1024, spec::VIRTQ_DESC_F_WRITE, 0)
        );
    }
    assert_eq!(snap.avail.flags, spec::VIRTQ_AVAIL_F_NO_INTERRUPT);
    assert_eq!(snap.used.flags, spec::VIRTQ_USED_F_NO_NOTIFY);
}
