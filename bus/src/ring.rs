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
//! the sender's `used.idx` never share one. An entry is named by any
//! free-running position: the accessor masks it to a slot, so every access is
//! in bounds by construction and none needs a bounds check. Under loom the same accessors are
//! backed by loom atomics (no byte layout), so the model sees every access.

use crate::spec::VirtqUsedElem;
use crate::sync::Ordering;
use crate::sync::{AtomicU16, AtomicU32};

#[cfg(not(loom))]
pub(crate) use layout::{AvailRing, UsedRing};
#[cfg(loom)]
pub(crate) use model::{AvailRing, UsedRing};

/// One used-ring element, `{ id, len }` (§2.7.8).
pub(crate) struct UsedElem<'r> {
    /// The buffer returned.
    pub(crate) id: &'r AtomicU32,
    /// Bytes written into it.
    pub(crate) len: &'r AtomicU32,
}

impl UsedElem<'_> {
    /// Both fields, `id` first, each loaded with `order`.
    #[inline]
    pub(crate) fn load(&self, order: Ordering) -> VirtqUsedElem {
        VirtqUsedElem {
            id: self.id.load(order),
            len: self.len.load(order),
        }
    }

    /// Stores both fields, `id` first, each with `order`.
    #[inline]
    pub(crate) fn store(&self, elem: VirtqUsedElem, order: Ordering) {
        self.id.store(elem.id, order);
        self.len.store(elem.len, order);
    }
}

/// The real rings: spec byte layout in cache-line aligned memory.
#[cfg(not(loom))]
mod layout {
    use super::{AtomicU16, UsedElem};
    use crate::mem::SharedMem;
    use crate::spec::{avail_ring_bytes, used_ring_bytes};

    /// The available ring: flags, idx, ring[size] of descriptor ids.
    pub(crate) struct AvailRing {
        mem: SharedMem,
        /// `size - 1` (size is a power of two).
        mask: usize,
    }

    impl AvailRing {
        /// A zeroed ring of `size` entries (a power of two).
        pub(crate) fn new(size: u16) -> Self {
            Self {
                mem: SharedMem::zeroed(avail_ring_bytes(size)),
                mask: usize::from(size) - 1,
            }
        }
        /// `flags` (offset 0).
        #[inline]
        pub(crate) fn flags(&self) -> &AtomicU16 {
            // SAFETY: offset 0 of at least one 64-byte line; only this view.
            unsafe { self.mem.atomic_u16(0) }
        }
        /// `idx` (offset 2): where the driver puts the next entry, free-running.
        #[inline]
        pub(crate) fn idx(&self) -> &AtomicU16 {
            // SAFETY: offset 2 of at least one 64-byte line; only this view.
            unsafe { self.mem.atomic_u16(2) }
        }
        /// `ring[pos mod size]` (offset 4 + 2 × slot) for a position or a slot.
        #[inline]
        pub(crate) fn slot(&self, pos: usize) -> &AtomicU16 {
            // SAFETY: the masked slot is below `size`, so the 2 bytes at
            // 4 + 2 × slot lie inside the 6 + 2 × size bytes; only this view.
            unsafe { self.mem.atomic_u16(4 + 2 * (pos & self.mask)) }
        }
        /// `used_event` (offset 4 + 2 × size): the receiver's "notify me
        /// when used.idx moves past this".
        #[inline]
        pub(crate) fn used_event(&self) -> &AtomicU16 {
            // SAFETY: 4 + 2 × size is even and its 2 bytes are the last of
            // the 6 + 2 × size; only this view.
            unsafe { self.mem.atomic_u16(4 + 2 * (self.mask + 1)) }
        }
        /// Address of the ring's first byte.
        pub(crate) fn addr(&self) -> u64 {
            self.mem.addr()
        }
    }

    /// The used ring: flags, idx, ring[size] of (id, len).
    pub(crate) struct UsedRing {
        mem: SharedMem,
        /// `size - 1` (size is a power of two).
        mask: usize,
    }

    impl UsedRing {
        /// A zeroed ring of `size` entries (a power of two).
        pub(crate) fn new(size: u16) -> Self {
            Self {
                mem: SharedMem::zeroed(used_ring_bytes(size)),
                mask: usize::from(size) - 1,
            }
        }
        /// `flags` (offset 0).
        #[inline]
        pub(crate) fn flags(&self) -> &AtomicU16 {
            // SAFETY: offset 0 of at least one 64-byte line; only this view.
            unsafe { self.mem.atomic_u16(0) }
        }
        /// `idx` (offset 2): where the device puts the next entry, free-running.
        #[inline]
        pub(crate) fn idx(&self) -> &AtomicU16 {
            // SAFETY: offset 2 of at least one 64-byte line; only this view.
            unsafe { self.mem.atomic_u16(2) }
        }
        /// `ring[pos mod size]` (offset 4 + 8 × slot), both fields
        /// addressed at once: a caller storing to one still has the other.
        #[inline]
        pub(crate) fn elem(&self, pos: usize) -> UsedElem<'_> {
            let at = 4 + 8 * (pos & self.mask);
            // SAFETY: the masked slot is below `size`, so the 8 bytes at
            // 4 + 8 × slot (id, then len) lie inside the 6 + 8 × size
            // bytes; both 4-aligned; only this view.
            unsafe {
                UsedElem {
                    id: self.mem.atomic_u32(at),
                    len: self.mem.atomic_u32(at + 4),
                }
            }
        }
        /// `avail_event` (offset 4 + 8 × size): the sender's "notify me
        /// when avail.idx moves past this".
        #[inline]
        pub(crate) fn avail_event(&self) -> &AtomicU16 {
            // SAFETY: 4 + 8 × size is even and its 2 bytes are the last of
            // the 6 + 8 × size; only this view.
            unsafe { self.mem.atomic_u16(4 + 8 * (self.mask + 1)) }
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
    use super::{AtomicU16, AtomicU32, UsedElem};
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
        #[inline]
        pub(crate) fn flags(&self) -> &AtomicU16 {
            &self.flags
        }
        /// `idx`.
        #[inline]
        pub(crate) fn idx(&self) -> &AtomicU16 {
            &self.idx
        }
        /// `ring[pos mod size]`.
        #[inline]
        pub(crate) fn slot(&self, pos: usize) -> &AtomicU16 {
            &self.ring[pos % self.ring.len()]
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
        #[inline]
        pub(crate) fn flags(&self) -> &AtomicU16 {
            &self.flags
        }
        /// `idx`.
        #[inline]
        pub(crate) fn idx(&self) -> &AtomicU16 {
            &self.idx
        }
        /// `avail_event`.
        pub(crate) fn avail_event(&self) -> &AtomicU16 {
            &self.avail_event
        }
        /// `ring[pos mod size]`.
        #[inline]
        pub(crate) fn elem(&self, pos: usize) -> UsedElem<'_> {
            let (id, len) = &self.ring[pos % self.ring.len()];
            UsedElem { id, len }
        }
        /// No real address under loom.
        pub(crate) fn addr(&self) -> u64 {
            0
        }
    }
}
