//! The atomics the rings are made of: `core`'s normally, loom's under
//! `--cfg loom` so the model checker sees every shared access.

#[cfg(loom)]
pub(crate) use loom::hint::spin_loop;
#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicU16, AtomicU32, AtomicU64, fence};

#[cfg(not(loom))]
pub(crate) use core::hint::spin_loop;
#[cfg(not(loom))]
pub(crate) use core::sync::atomic::{AtomicBool, AtomicU16, AtomicU32, AtomicU64, fence};

pub(crate) use core::sync::atomic::Ordering;

/// Adds `n` to a counter that has exactly one writer, with a plain load and
/// store: no read-modify-write instruction, no lock prefix.
///
/// Relaxed both ways: the counter orders nothing, and readers on other cores
/// (snapshot, stats) only want a recent value. Sound only because the caller
/// is the counter's one writer (named in each counter's field doc).
#[inline]
pub(crate) fn bump(counter: &AtomicU64, n: u64) {
    counter.store(
        counter.load(Ordering::Relaxed).wrapping_add(n),
        Ordering::Relaxed,
    );
}
