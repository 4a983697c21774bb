//! Shared memory for the rings and buffers: zeroed, cache-line aligned bytes
//! behind an `UnsafeCell`, so several cores may write them through `&self`.
//! Not used under loom, whose rings and buffers are loom objects instead.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::cell::UnsafeCell;

use crate::sync::{AtomicU16, AtomicU32};

/// Bytes in a cache line on x86_64.
pub(crate) const CACHE_LINE: usize = 64;

/// One cache line of shared bytes.
#[repr(C, align(64))]
struct Line(UnsafeCell<[u8; CACHE_LINE]>);

/// A run of whole cache lines, zeroed, starting on a line boundary.
///
/// Each `SharedMem` is used in one way only, never both: the rings go through
/// [`atomic_u16`](Self::atomic_u16) / [`atomic_u32`](Self::atomic_u32), each
/// field always at the same offset with the same type; the buffers go through
/// [`base`](Self::base) with plain copies, ordered by the ring indices. So no
/// byte is ever accessed both atomically and not, or by atomics of two sizes.
pub(crate) struct SharedMem {
    lines: Box<[Line]>,
}

// SAFETY: the bytes live in `UnsafeCell`s and are reached only through the
// atomic views (which synchronise themselves) or through `base()`, whose users
// (src/buffers.rs) copy only into or out of a buffer they own by the protocol's
// Release/Acquire hand-over. Sharing `&SharedMem` between cores is therefore
// no more than sharing atomics plus exclusively owned memory.
unsafe impl Sync for SharedMem {}

impl SharedMem {
    /// At least `bytes` zeroed bytes, rounded up to whole lines.
    pub(crate) fn zeroed(bytes: usize) -> Self {
        let n = bytes.div_ceil(CACHE_LINE).max(1);
        let lines: Vec<Line> = (0..n)
            .map(|_| Line(UnsafeCell::new([0; CACHE_LINE])))
            .collect();
        Self {
            lines: lines.into_boxed_slice(),
        }
    }

    /// Length in bytes.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.lines.len() * CACHE_LINE
    }

    /// Pointer to the first byte, valid for writes over all `len()` bytes.
    #[inline]
    pub(crate) fn base(&self) -> *mut u8 {
        // `Line` is `repr(C)` around one `UnsafeCell<[u8; 64]>`, and lines
        // are contiguous, so the slice is one run of `UnsafeCell` bytes;
        // `raw_get` keeps write permission and the slice's provenance.
        UnsafeCell::raw_get(self.lines.as_ptr().cast::<UnsafeCell<[u8; CACHE_LINE]>>()).cast::<u8>()
    }

    /// The address of the first byte, for snapshots and descriptors.
    pub(crate) fn addr(&self) -> u64 {
        self.base() as usize as u64
    }

    /// The `AtomicU16` at byte offset `off`.
    ///
    /// # Safety
    /// `off` is even and `off + 2 <= len()`, and these bytes are only ever
    /// accessed through this same view (the rule in the type's doc).
    #[inline]
    pub(crate) unsafe fn atomic_u16(&self, off: usize) -> &AtomicU16 {
        debug_assert!(
            off.is_multiple_of(2) && off + 2 <= self.len(),
            "u16 view at {off}"
        );
        // SAFETY: in bounds and 2-aligned (the caller's promise; the base is
        // 64-aligned). `AtomicU16` has the size and alignment of `u16`, any
        // bits are a valid value, the bytes are inside `UnsafeCell` (so
        // mutation through `&self` is allowed), and the caller promises
        // these bytes see no other kind of access. The borrow ties it to `self`.
        unsafe { &*self.base().add(off).cast::<AtomicU16>() }
    }

    /// The `AtomicU32` at byte offset `off`.
    ///
    /// # Safety
    /// As for [`Self::atomic_u16`], for a 4-aligned 4-byte view.
    #[inline]
    pub(crate) unsafe fn atomic_u32(&self, off: usize) -> &AtomicU32 {
        debug_assert!(
            off.is_multiple_of(4) && off + 4 <= self.len(),
            "u32 view at {off}"
        );
        // SAFETY: as in `atomic_u16`, for a 4-aligned 4-byte view.
        unsafe { &*self.base().add(off).cast::<AtomicU32>() }
    }
}
