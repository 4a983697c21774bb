//! The communicator context each MPI demo command gets: a fresh one every
//! time, so messages left over by an aborted command can never match the
//! next one. (The transport is `mpi::BusPort`, over a core's endpoint.)

use core::sync::atomic::{AtomicU16, Ordering};

use mpi::EXPLICIT_CONTEXTS;

/// The last context handed out (only the shell core writes it).
static LAST_CONTEXT: AtomicU16 = AtomicU16::new(0);

/// A context no recent command used, cycling through the explicit range.
pub fn fresh_context() -> u16 {
    let (first, last) = (*EXPLICIT_CONTEXTS.start(), *EXPLICIT_CONTEXTS.end());
    let previous = LAST_CONTEXT.load(Ordering::Relaxed);
    let next = if previous < first || previous >= last {
        first
    } else {
        previous + 1
    };
    LAST_CONTEXT.store(next, Ordering::Relaxed);
    next
}
