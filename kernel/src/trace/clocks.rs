//! Each core's TSC against core 0's, measured once at boot by round trips:
//! core 0 notes its TSC, asks; the core answers with its own TSC; core 0
//! notes its TSC again. The answer was read between the two, so the offset
//! is known to within half the shortest round trip.

use core::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use alloc::boxed::Box;
use trace_wire::Clock;

use crate::cores::{self, CoreSet, MAX_CORES};
use crate::time;

/// Round trips per core; the shortest counts.
const ROUNDS: u64 = 16;
/// How long core 0 waits for one answer.
const ANSWER_TIMEOUT_US: u64 = 100_000;

/// Core 0's question: the round it asks (Release; the core loads it Acquire).
static ASKED: AtomicU64 = AtomicU64::new(0);
/// The answering core's TSC, stored before ANSWERED.
static ANSWER_TSC: AtomicU64 = AtomicU64::new(0);
/// The round answered (Release after ANSWER_TSC; core 0 loads it Acquire).
static ANSWERED: AtomicU64 = AtomicU64::new(0);
/// Per core: TSC minus core 0's, and the uncertainty in cycles. Written at
/// boot by core 0, read by the drain (also core 0).
static OFFSETS: [(AtomicI64, AtomicU64); MAX_CORES] =
    [const { (AtomicI64::new(0), AtomicU64::new(0)) }; MAX_CORES];

/// Measures every other core's offset (at boot, the cores idle).
pub fn measure() {
    for core in 1..cores::count() {
        if cores::state(core) == cores::CoreState::Idle {
            measure_core(core);
        }
    }
}

fn measure_core(core: usize) {
    let first = ASKED.load(Ordering::Relaxed) + 1;
    let Ok(ticket) = cores::submit(
        core,
        "clock",
        CoreSet::default(),
        Box::new(move |_| answer(first)),
    ) else {
        return;
    };
    let mut best: Option<(u64, i64)> = None;
    for round in first..first + ROUNDS {
        let asked = time::now();
        ASKED.store(round, Ordering::Release); // Acquire: `answer`
        // Acquire pairs with the Release store of ANSWERED in `answer`.
        if !time::wait_until(ANSWER_TIMEOUT_US, || {
            ANSWERED.load(Ordering::Acquire) == round
        }) {
            break;
        }
        let back = time::now();
        let theirs = ANSWER_TSC.load(Ordering::Relaxed);
        let midpoint = asked + (back - asked) / 2;
        let trip = back - asked;
        if best.is_none_or(|(shortest, _)| trip < shortest) {
            best = Some((trip, theirs as i64 - midpoint as i64));
        }
    }
    let _ = cores::wait(&[ticket], false);
    if let Some((trip, offset)) = best {
        OFFSETS[core].0.store(offset, Ordering::Relaxed);
        OFFSETS[core].1.store(trip / 2, Ordering::Relaxed);
    }
}

/// The answering core's side: answers rounds `first..first + ROUNDS`.
fn answer(first: u64) {
    for round in first..first + ROUNDS {
        // Acquire pairs with core 0's Release store of ASKED.
        if !time::wait_until(ANSWER_TIMEOUT_US, || ASKED.load(Ordering::Acquire) == round) {
            return;
        }
        ANSWER_TSC.store(time::now(), Ordering::Relaxed);
        ANSWERED.store(round, Ordering::Release); // Acquire: measure_core
    }
}

/// Core `core`'s clock record.
pub fn of(core: usize) -> Clock {
    let tsc_offset = OFFSETS[core].0.load(Ordering::Relaxed);
    let to_ns = |cycles: u64| time::cycles_to_ns(cycles) as i64;
    Clock {
        core: core as u16,
        tsc_offset,
        offset_ns: tsc_offset.signum() * to_ns(tsc_offset.unsigned_abs()),
        uncertainty_ns: to_ns(OFFSETS[core].1.load(Ordering::Relaxed)) as u64,
    }
}
