//! The available and used rings of one split virtqueue (VIRTIO 1.2 §2.7.6,
//! §2.7.8) as atomics, in the spec's byte layout, each on its own cache lines.
//! Only storage and accessors; who writes what, and when, is in send.rs/recv.rs.
//!
//! ```text
//! avail (driver area, written by the receiver only)   used (device area, written by the sender only)
//! off 0  flags u16                                      off 0  flags u16
//! off 2  idx   u16                                      off 2  idx   u16
//! off 4  ring[size] u16                                 off 4  ring[size] { id u32, len u32 }
//!        used_event u16 (receiver)                             avail_event u16 (sender)
//! ```
//!
//! The two event fields are VIRTIO_F_EVENT_IDX's (§2.7.10): each side's
//! "notify me past here", written by the ring's own writer (src/event.rs).
//!
//! Each ring starts a fresh 64-byte line, so the receiver's `avail.idx` and
//! the sender's `used.idx` never share one. Under loom the same accessors are
//! backed by loom atomics (no byte layout), so the model sees every access.

use crate::sync::{AtomicU16, AtomicU32};

#[cfg(not(loom))]
pub(crate) use layout::{AvailRing, UsedRing};
#[cfg(loom)]
pub(crate) use model::{AvailRing, UsedRing};

/// The real rings: spec byte layout in cache-line aligned memory.
#[cfg(not(loom))]
mod layout {
    use super::{AtomicU16, AtomicU32};
    use crate::mem::SharedMem;
    use crate::spec::{avail_ring_bytes, used_ring_bytes};

    /// The available ring: flags, idx, ring[size] of descriptor ids.
    pub(crate) struct AvailRing {
        mem: SharedMem,
        /// The spec's byte length of the ring (the memory is rounded up).
        size_bytes: usize,
    }

    impl AvailRing {
        /// A zeroed ring of `size` entries.
        pub(crate) fn new(size: u16) -> Self {
            Self {
                mem: SharedMem::zeroed(avail_ring_bytes(size)),
                size_bytes: avail_ring_bytes(size),
            }
        }
        /// `flags` (offset 0).
        pub(crate) fn flags(&self) -> &AtomicU16 {
            self.mem.atomic_u16(0)
        }
        /// `idx` (offset 2): where the driver puts the next entry, free-running.
        pub(crate) fn idx(&self) -> &AtomicU16 {
            self.mem.atomic_u16(2)
        }
        /// `ring[slot]` (offset 4 + 2 × slot).
        pub(crate) fn slot(&self, slot: usize) -> &AtomicU16 {
            self.mem.atomic_u16(4 + 2 * slot)
        }
        /// `used_event` (offset 4 + 2 × size): the receiver's "notify me
        /// when used.idx moves past this".
        pub(crate) fn used_event(&self) -> &AtomicU16 {
            self.mem.atomic_u16(self.size_bytes - 2)
        }
        /// Address of the ring's first byte.
        pub(crate) fn addr(&self) -> u64 {
            self.mem.addr()
        }
    }

    /// The used ring: flags, idx, ring[size] of (id, len).
    pub(crate) struct UsedRing {
        mem: SharedMem,
        /// The spec's byte length of the ring (the memory is rounded up).
        size_bytes: usize,
    }

    impl UsedRing {
        /// A zeroed ring of `size` entries.
        pub(crate) fn new(size: u16) -> Self {
            Self {
                mem: SharedMem::zeroed(used_ring_bytes(size)),
                size_bytes: used_ring_bytes(size),
            }
        }
        /// `flags` (offset 0).
        pub(crate) fn flags(&self) -> &AtomicU16 {
            self.mem.atomic_u16(0)
        }
        /// `idx` (offset 2): where the device puts the next entry, free-running.
        pub(crate) fn idx(&self) -> &AtomicU16 {
            self.mem.atomic_u16(2)
        }
        /// `ring[slot].id` (offset 4 + 8 × slot).
        pub(crate) fn id(&self, slot: usize) -> &AtomicU32 {
            self.mem.atomic_u32(4 + 8 * slot)
        }
        /// `ring[slot].len` (offset 8 + 8 × slot).
        pub(crate) fn len(&self, slot: usize) -> &AtomicU32 {
            self.mem.atomic_u32(8 + 8 * slot)
        }
        /// `avail_event` (offset 4 + 8 × size): the sender's "notify me
        /// when avail.idx moves past this".
        pub(crate) fn avail_event(&self) -> &AtomicU16 {
            self.mem.atomic_u16(self.size_bytes - 2)
        }
        /// Address of the ring's first byte.
        pub(crate) fn addr(&self) -> u64 {
            self.mem.addr()
        }
    }
}

/// The rings under loom: the same fields as separate loom atomics.
#[cfg(loom)]
mod model {
    use super::{AtomicU16, AtomicU32};
    use alloc::boxed::Box;
    use alloc::vec::Vec;

    /// The available ring (loom model).
    pub(crate) struct AvailRing {
        flags: AtomicU16,
        idx: AtomicU16,
        ring: Box<[AtomicU16]>,
        used_event: AtomicU16,
    }

    impl AvailRing {
        /// A zeroed ring of `size` entries.
        pub(crate) fn new(size: u16) -> Self {
            let ring: Vec<AtomicU16> = (0..size).map(|_| AtomicU16::new(0)).collect();
            Self {
                flags: AtomicU16::new(0),
                idx: AtomicU16::new(0),
                ring: ring.into_boxed_slice(),
                used_event: AtomicU16::new(0),
            }
        }
        /// `flags`.
        pub(crate) fn flags(&self) -> &AtomicU16 {
            &self.flags
        }
        /// `idx`.
        pub(crate) fn idx(&self) -> &AtomicU16 {
            &self.idx
        }
        /// `ring[slot]`.
        pub(crate) fn slot(&self, slot: usize) -> &AtomicU16 {
            &self.ring[slot]
        }
        /// `used_event`.
        pub(crate) fn used_event(&self) -> &AtomicU16 {
            &self.used_event
        }
        /// No real address under loom.
        pub(crate) fn addr(&self) -> u64 {
            0
        }
    }

    /// The used ring (loom model).
    pub(crate) struct UsedRing {
        flags: AtomicU16,
        idx: AtomicU16,
        ring: Box<[(AtomicU32, AtomicU32)]>,
        avail_event: AtomicU16,
    }

    impl UsedRing {
        /// A zeroed ring of `size` entries.
        pub(crate) fn new(size: u16) -> Self {
            let ring: Vec<_> = (0..size)
                .map(|_| (AtomicU32::new(0), AtomicU32::new(0)))
                .collect();
            Self {
                flags: AtomicU16::new(0),
                idx: AtomicU16::new(0),
                ring: ring.into_boxed_slice(),
                avail_event: AtomicU16::new(0),
            }
        }
        /// `flags`.
        pub(crate) fn flags(&self) -> &AtomicU16 {
            &self.flags
        }
        /// `idx`.
        pub(crate) fn idx(&self) -> &AtomicU16 {
            &self.idx
        }
        /// `avail_event`.
        pub(crate) fn avail_event(&self) -> &AtomicU16 {
            &self.avail_event
        }
        /// `ring[slot].id`.
        pub(crate) fn id(&self, slot: usize) -> &AtomicU32 {
            &self.ring[slot].0
        }
        /// `ring[slot].len`.
        pub(crate) fn len(&self, slot: usize) -> &AtomicU32 {
            &self.ring[slot].1
        }
        /// No real address under loom.
        pub(crate) fn addr(&self) -> u64 {
            0
        }
    }
}
