//! One queue (src → dst): descriptor table, both rings, the buffers, and each
//! side's private state on its own cache line. Construction only; the sender's
//! protocol is in send.rs and the receiver's in recv.rs.
//!
//! Who writes what (everything else only reads):
//!
//! | part                        | writer                    | when                      |
//! |-----------------------------|---------------------------|---------------------------|
//! | `desc[]`                    | receiver (`Queue::new`)   | once, before sharing      |
//! | `avail.flags/idx/ring[]`    | receiver                  | posting / re-posting      |
//! | `used.flags/idx/ring[]`     | sender                    | publishing fragments      |
//! | buffer bytes                | owner of the buffer       | see buffers.rs            |
//! | `send: SendSide`            | sender                    | every send                |
//! | `recv: RecvSide`            | receiver                  | every receive             |
//! | `avail.used_event`          | receiver                  | before it waits (event.rs)|
//! | `used.avail_event`          | sender                    | before it waits (event.rs)|
//! | `events`                    | each side its counters    | notify mode (event.rs)    |

use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::buffers::Buffers;
use crate::config::Config;
use crate::event::Events;
use crate::ring::{AvailRing, UsedRing};
use crate::spec::{
    VIRTQ_AVAIL_F_NO_INTERRUPT, VIRTQ_DESC_F_WRITE, VIRTQ_USED_F_NO_NOTIFY, VirtqDesc,
};
use crate::sync::{AtomicBool, AtomicU16, AtomicU64, Ordering::Relaxed};

/// The sender's private state. Written only by the sender (core `src`);
/// the snapshot and stats read it from any core.
#[repr(align(64))]
pub(crate) struct SendSide {
    /// Next available-ring position the sender will take (the spec's device
    /// `last_avail_idx`). Always in sync: only the sender writes it.
    pub(crate) last_avail: AtomicU16,
    /// Copy of `avail.idx` as the sender last loaded it (with Acquire). May be
    /// stale, never ahead: the sender reloads it only when it shows no room.
    pub(crate) avail_cache: AtomicU16,
    /// Messages fully published.
    pub(crate) messages: AtomicU64,
    /// Bytes of those messages.
    pub(crate) bytes: AtomicU64,
    /// Times a send found the ring full: one per blocking wait, one per
    /// `try_send` that returned `Full`.
    pub(crate) stalls: AtomicU64,
}

/// The receiver's private state. Written only by the receiver (core `dst`);
/// the snapshot and stats read it from any core.
#[repr(align(64))]
pub(crate) struct RecvSide {
    /// Next used-ring position the receiver will consume (the spec's driver
    /// `last_used_idx`, "last_seen_used" in §2.7.14). Always in sync.
    pub(crate) last_used: AtomicU16,
    /// Copy of `used.idx` as the receiver last loaded it (with Acquire). May
    /// be stale, never ahead: reloaded only when it shows too few entries.
    pub(crate) used_cache: AtomicU16,
    /// The `last_used` at which `repost_batch` consumed buffers are held,
    /// so that a re-post is due: `avail.idx - size + repost_batch`, moved
    /// by every re-post (`RecvHalf::flush`). Receiver-private.
    pub(crate) repost_at: AtomicU16,
    /// Set while the rest of a lost message is being thrown away (its
    /// continuation fragments are consumed unread until the next start).
    pub(crate) discarding: AtomicBool,
    /// Messages delivered to the caller.
    pub(crate) received: AtomicU64,
    /// Used entries that failed the receiver's checks.
    pub(crate) corrupt: AtomicU64,
    /// Messages lost: receive aborted, send abandoned, corrupt, or thrown
    /// away unread by `Endpoint::discard_pending`.
    pub(crate) lost: AtomicU64,
}

/// One split virtqueue from core `src` to core `dst`.
pub(crate) struct Queue {
    /// The sending core.
    pub(crate) src: usize,
    /// The receiving core, which owns the descriptors.
    pub(crate) dst: usize,
    /// Entries (a power of two).
    pub(crate) size: u16,
    /// `size - 1`, which masks a free-running position to its slot.
    mask: u16,
    /// Bytes per buffer.
    pub(crate) buf_size: u32,
    /// See [`Queue::one_buffer_max`].
    one_buffer_max: usize,
    /// The receiver re-posts consumed buffers (one `avail.idx` store) once
    /// this many are waiting, or whenever it is about to wait.
    pub(crate) repost_batch: u16,
    /// The descriptor table, written here once and read-only afterwards.
    pub(crate) desc: Box<[VirtqDesc]>,
    /// The available ring (receiver-written).
    pub(crate) avail: AvailRing,
    /// The used ring (sender-written).
    pub(crate) used: UsedRing,
    /// The data buffers, one per descriptor.
    pub(crate) bufs: Buffers,
    /// Sender-private state, on its own cache line.
    pub(crate) send: SendSide,
    /// Receiver-private state, on its own cache line.
    pub(crate) recv: RecvSide,
    /// Notify mode and its counters (src/event.rs).
    pub(crate) events: Events,
}

impl Queue {
    /// A queue with every buffer already posted, as the receiver would do at
    /// boot (§2.7.13): descriptor i → buffer i, `avail.ring[i] = i`,
    /// `avail.idx = size`. The stores are Relaxed: the queue is not shared
    /// yet, and whatever shares it (thread spawn, a `Once`) orders them.
    pub(crate) fn new(src: usize, dst: usize, config: Config) -> Self {
        let size = config.queue_size;
        // `slot` and `buffer_at` rely on it; Bus::new has refused any
        // other size with an error already.
        assert!(
            size.is_power_of_two(),
            "queue size {size} is not a power of two"
        );
        let bufs = Buffers::new(size, config.buf_size);
        let repost_batch = (size / 4).max(1);
        let desc: Vec<VirtqDesc> = (0..size)
            .map(|id| VirtqDesc {
                addr: bufs.addr(id),
                len: config.buf_size,
                flags: VIRTQ_DESC_F_WRITE,
                next: 0,
            })
            .collect();
        let avail = AvailRing::new(size);
        // Relaxed, these four stores: the queue is not shared yet (see above).
        for id in 0..size {
            avail.slot(usize::from(id)).store(id, Relaxed);
        }
        avail.flags().store(VIRTQ_AVAIL_F_NO_INTERRUPT, Relaxed);
        avail.idx().store(size, Relaxed);
        let used = UsedRing::new(size);
        used.flags().store(VIRTQ_USED_F_NO_NOTIFY, Relaxed);
        Self {
            src,
            dst,
            size,
            mask: size - 1,
            buf_size: config.buf_size,
            one_buffer_max: config.payload_per_buffer().min(crate::frag::MAX_MESSAGE),
            repost_batch,
            desc: desc.into_boxed_slice(),
            avail,
            used,
            bufs,
            send: SendSide::new(size),
            recv: RecvSide::new(repost_batch),
            events: Events::new(),
        }
    }

    /// The ring slot of a free-running position: `pos & (size - 1)`. Right
    /// across the 16-bit wrap because `size` divides 65536.
    #[inline]
    pub(crate) fn slot(&self, pos: u16) -> usize {
        usize::from(pos & self.mask)
    }

    /// The buffer posted at avail position `pos`: the one its slot names,
    /// as VIRTIO_F_IN_ORDER has the driver use descriptors in ring order
    /// (§2.7.5), so that the device need not read the available ring for
    /// it. The receiver posts that way (`Queue::new`, and every re-post
    /// goes back in its own slot); the sender and the receiver both take
    /// the buffer from the position, so neither reads an avail entry for
    /// it (`vq check` still checks the entries, `src/check.rs`).
    #[inline]
    pub(crate) fn buffer_at(&self, pos: u16) -> u16 {
        pos & self.mask
    }

    /// Message bytes per buffer.
    #[inline]
    pub(crate) fn cap(&self) -> usize {
        self.buf_size as usize - crate::frag::HEADER_LEN
    }

    /// The longest message that goes in one buffer: `cap`, or MAX_MESSAGE
    /// if buffers are bigger than that. Precomputed, as every message is
    /// compared with it.
    #[inline]
    pub(crate) fn one_buffer_max(&self) -> usize {
        self.one_buffer_max
    }

    /// Buffers a message of `len` bytes takes (src/frag.rs).
    #[inline]
    pub(crate) fn fragments(&self, len: usize) -> usize {
        crate::frag::count(len, self.cap())
    }
}

impl SendSide {
    fn new(size: u16) -> Self {
        Self {
            last_avail: AtomicU16::new(0),
            // What `Queue::new` posted: buffer i at position i, for all i.
            avail_cache: AtomicU16::new(size),
            messages: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            stalls: AtomicU64::new(0),
        }
    }
}

impl RecvSide {
    fn new(repost_batch: u16) -> Self {
        Self {
            last_used: AtomicU16::new(0),
            used_cache: AtomicU16::new(0),
            // What `Queue::new` posted: avail.idx = size.
            repost_at: AtomicU16::new(repost_batch),
            discarding: AtomicBool::new(false),
            received: AtomicU64::new(0),
            corrupt: AtomicU64::new(0),
            lost: AtomicU64::new(0),
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::mem::CACHE_LINE;
    use core::mem::{align_of, size_of};

    fn line(p: *const u8) -> usize {
        p as usize / CACHE_LINE
    }

    #[test]
    fn private_state_fills_whole_lines() {
        assert_eq!(align_of::<SendSide>(), CACHE_LINE);
        assert_eq!(size_of::<SendSide>(), CACHE_LINE);
        assert_eq!(align_of::<RecvSide>(), CACHE_LINE);
        assert_eq!(size_of::<RecvSide>(), CACHE_LINE);
    }

    #[test]
    fn producer_and_consumer_fields_on_different_lines() {
        let q = Queue::new(0, 1, Config::default());
        let avail_idx = q.avail.idx() as *const AtomicU16 as *const u8;
        let used_idx = q.used.idx() as *const AtomicU16 as *const u8;
        let last_avail = &q.send.last_avail as *const AtomicU16 as *const u8;
        let last_used = &q.recv.last_used as *const AtomicU16 as *const u8;
        let lines = [
            line(avail_idx),
            line(used_idx),
            line(last_avail),
            line(last_used),
        ];
        for (i, a) in lines.iter().enumerate() {
            for b in &lines[i + 1..] {
                assert_ne!(a, b, "two sides share a cache line: {lines:?}");
            }
        }
        // Every ring and the buffers start on a line boundary.
        assert_eq!(q.avail.addr() % CACHE_LINE as u64, 0);
        assert_eq!(q.used.addr() % CACHE_LINE as u64, 0);
        assert_eq!(q.desc[0].addr % CACHE_LINE as u64, 0);
    }

    #[test]
    fn ring_fields_sit_at_spec_offsets() {
        let q = Queue::new(0, 1, Config::new(8, 64));
        let off = |p: *const u8, base: u64| p as u64 - base;
        let (a, u) = (q.avail.addr(), q.used.addr());
        assert_eq!(off(q.avail.idx() as *const _ as *const u8, a), 2);
        assert_eq!(off(q.avail.slot(3) as *const _ as *const u8, a), 4 + 2 * 3);
        assert_eq!(off(q.used.idx() as *const _ as *const u8, u), 2);
        assert_eq!(
            off(q.used.elem(3).id as *const _ as *const u8, u),
            4 + 8 * 3
        );
        assert_eq!(
            off(q.used.elem(3).len as *const _ as *const u8, u),
            8 + 8 * 3
        );
        assert_eq!(
            off(q.avail.used_event() as *const _ as *const u8, a),
            4 + 2 * 8
        );
        assert_eq!(
            off(q.used.avail_event() as *const _ as *const u8, u),
            4 + 8 * 8
        );
    }
}
