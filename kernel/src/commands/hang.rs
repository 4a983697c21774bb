//! The hang watch of one `run`: each instance publishes, on every waiting
//! turn, that it waits; the first to see that every unfinished instance has
//! waited longer than the threshold with no message moving prints who waits
//! for whom. There is no timer tick, so the waiting ranks are the watchdog.

use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::{time, virtio_bus};

/// A rank whose last waiting turn is older than this is busy computing.
const RECENT_MS: u64 = 100;
/// How often (at most) some rank looks at the whole picture.
const CHECK_EVERY_MS: u64 = 10;
/// `finished` marker in `last_turn`.
const FINISHED: u64 = u64::MAX;

/// One run's hang watch. Every field is a single number stored and loaded
/// Relaxed: the watch reads a recent picture, and a stale value only delays
/// a report by one check (`CHECK_EVERY_MS`).
pub struct Watch {
    /// The cores, in rank order (to count their bus messages).
    members: Vec<usize>,
    /// Cycles of waiting with no message moving before a report (0: never).
    hang_after: u64,
    /// Per rank: TSC of its last waiting turn (0: none yet; FINISHED).
    last_turn: Vec<AtomicU64>,
    /// Per rank: TSC when its current wait began.
    waiting_since: Vec<AtomicU64>,
    /// Messages the members had sent at the last check, and when that count last changed.
    moved: AtomicU64,
    last_progress: AtomicU64,
    /// TSC of the last whole-picture check; a CAS on it elects the checker.
    last_check: AtomicU64,
    /// Set when the current hang has been reported (cleared if messages move again).
    reported: AtomicBool,
}

impl Watch {
    /// A watch over `members` that reports after `hang_after` cycles (0: never).
    pub fn new(members: Vec<usize>, hang_after: u64) -> Self {
        let ranks = members.len();
        let now = time::now();
        Watch {
            moved: AtomicU64::new(messages_sent(&members)),
            members,
            hang_after,
            last_turn: (0..ranks).map(|_| AtomicU64::new(0)).collect(),
            waiting_since: (0..ranks).map(|_| AtomicU64::new(now)).collect(),
            last_progress: AtomicU64::new(now),
            last_check: AtomicU64::new(now),
            reported: AtomicBool::new(false),
        }
    }

    /// Rank `rank` takes one waiting turn: publish it, and now and then check.
    pub fn turn(&self, rank: usize) {
        if self.hang_after == 0 {
            return;
        }
        let now = time::now();
        let previous = self.last_turn[rank].swap(now, Ordering::Relaxed);
        if now.saturating_sub(previous) > ms(RECENT_MS) {
            self.waiting_since[rank].store(now, Ordering::Relaxed); // a new wait
        }
        let checked = self.last_check.load(Ordering::Relaxed);
        if now.saturating_sub(checked) > ms(CHECK_EVERY_MS)
            && self
                .last_check
                .compare_exchange(checked, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            self.check(now);
        }
    }

    /// Rank `rank` returned from the program.
    pub fn finished(&self, rank: usize) {
        self.last_turn[rank].store(FINISHED, Ordering::Relaxed);
    }

    /// Looks at every rank; prints the report once per hang.
    fn check(&self, now: u64) {
        let moved = messages_sent(&self.members);
        if self.moved.swap(moved, Ordering::Relaxed) != moved {
            self.last_progress.store(now, Ordering::Relaxed);
            self.reported.store(false, Ordering::Relaxed);
            return;
        }
        let Some(since) = self.all_waiting_since(now) else {
            return;
        };
        let quiet_since = since.max(self.last_progress.load(Ordering::Relaxed));
        if now.saturating_sub(quiet_since) > self.hang_after
            && !self.reported.swap(true, Ordering::Relaxed)
        {
            self.print_report(now - quiet_since);
        }
    }

    /// When the last of the unfinished ranks began waiting, if every one of
    /// them waits now (None if one computes or all finished).
    fn all_waiting_since(&self, now: u64) -> Option<u64> {
        let mut latest = None;
        for (turn, since) in self.last_turn.iter().zip(&self.waiting_since) {
            let turn = turn.load(Ordering::Relaxed);
            if turn == FINISHED {
                continue;
            }
            if now.saturating_sub(turn) > ms(RECENT_MS) {
                return None;
            }
            latest = latest.max(Some(since.load(Ordering::Relaxed)));
        }
        latest
    }

    /// Who waits for whom.
    fn print_report(&self, quiet: u64) {
        let quiet_ms = time::cycles_to_ns(quiet) / 1_000_000;
        crate::println!(
            "hang: every rank has waited {}.{:03} s with no message moving",
            quiet_ms / 1000,
            quiet_ms % 1000
        );
        for (rank, core) in self.members.iter().enumerate() {
            if self.last_turn[rank].load(Ordering::Relaxed) == FINISHED {
                crate::println!("  rank {rank} (core {core}) has finished");
            } else {
                crate::println!("  rank {rank} (core {core}) waits in an MPI call");
            }
        }
        crate::println!("hang: still waiting; Ctrl-C stops the run");
    }
}

/// `n` milliseconds in TSC cycles.
fn ms(n: u64) -> u64 {
    time::tsc_hz() / 1000 * n
}

/// Messages `members` have sent on the bus so far, in total.
fn messages_sent(members: &[usize]) -> u64 {
    let stats = virtio_bus::get().stats();
    members
        .iter()
        .flat_map(|&src| (0..stats.cores()).map(move |dst| (src, dst)))
        .map(|(src, dst)| stats.messages(src, dst))
        .sum()
}
