//! The 16-bit index wrap, which broke Toro: crossing 65,536 used entries must
//! keep every position on the right slot and every message intact.

mod common;

use bus::{Bus, Config, DescState};
use common::{check, message};

/// Why Toro's queues broke: with 10 entries, `idx % 10` jumps when the 16-bit
/// index wraps (65535 → 0 maps slot 5 → 0, not 5 → 6). With a power-of-two
/// size, 65536 is a multiple of the size and `idx & (size - 1)` never jumps.
#[test]
fn only_power_of_two_sizes_survive_the_wrap() {
    let before = u16::MAX;
    let after = before.wrapping_add(1);
    assert_ne!(
        (before % 10 + 1) % 10,
        after % 10,
        "mod 10 jumps at the wrap"
    );
    for size in [1u16, 2, 64, 32768] {
        assert_eq!(((before & (size - 1)) + 1) & (size - 1), after & (size - 1));
    }
}

#[test]
fn slot_mapping_across_65536_messages() {
    let bus = Bus::new(2, Config::new(64, 64)).unwrap();
    let (mut a, mut b) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
    let mut buf = [0; 16];
    for seq in 0..70_000u64 {
        a.try_send(1, &seq.to_le_bytes()).unwrap();
        let near_wrap = (65_530..65_542).contains(&seq);
        if near_wrap || seq % 8192 == 0 {
            let snap = bus.snapshot(0, 1).unwrap();
            let slot = (seq % 64) as usize;
            assert_eq!(snap.used.idx, (seq + 1) as u16, "used.idx at {seq}");
            assert_eq!(snap.last_used, seq as u16);
            // In order: position `seq` returns the buffer posted at its slot.
            assert_eq!(snap.used.ring[slot].id, u32::from(snap.avail.ring[slot]));
            assert_eq!(snap.used.ring[slot].len, 8 + 8);
            assert_eq!(
                snap.desc_states()[snap.used.ring[slot].id as usize],
                DescState::FilledUnread
            );
            assert_eq!(snap.in_flight(), 1);
        }
        assert_eq!(b.try_recv(0, &mut buf), Ok(8));
        assert_eq!(
            u64::from_le_bytes(buf[..8].try_into().unwrap()),
            seq,
            "message {seq}"
        );
    }
    let snap = bus.snapshot(0, 1).unwrap();
    let end = 70_000u32 as u16; // 4,464: the indices wrapped once
    assert_eq!(
        (snap.used.idx, snap.last_used, snap.last_avail),
        (end, end, end)
    );
    assert_eq!(snap.counters.messages, 70_000);
    assert_eq!(snap.counters.received, 70_000);
}

/// Messages of 3 fragments in an 8-entry ring, so the wrap falls inside a
/// message as well as between messages.
#[test]
fn wrap_inside_a_message() {
    let bus = Bus::new(2, Config::new(8, 64)).unwrap();
    let (mut a, mut b) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
    let mut buf = [0; 150];
    for seq in 0..25_000u64 {
        a.try_send(1, &message(seq, 150)).unwrap();
        assert_eq!(b.try_recv(0, &mut buf), Ok(150));
        check(seq, &buf);
    }
    assert_eq!(bus.snapshot(0, 1).unwrap().used.idx, (25_000u64 * 3) as u16);
}
