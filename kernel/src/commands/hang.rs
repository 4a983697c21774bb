//! The hang watch of one `run`: each instance's MPI wait hook publishes what
//! it is blocked on; the first instance to see every unfinished one blocked,
//! with nothing moving for longer than the threshold, prints who waits for
//! whom (`mpi::wait_report`). There is no timer tick: the waiters watch.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use mpi::Blocked;

use crate::time;

/// How often (at most) some rank looks at the whole picture.
const CHECK_EVERY_MS: u64 = 10;
/// `blocked` marker of a rank whose program returned (no `to_word` is all ones).
const FINISHED: u64 = u64::MAX;

/// One run's hang watch. A rank's `blocked` word and its `blocked_since`
/// are read as a pair, so the word is stored Release after `since` and
/// loaded Acquire before it; every other field is a single number stored
/// and loaded Relaxed, where a stale value only delays a report by one
/// check (`CHECK_EVERY_MS`).
pub struct Watch {
    /// The cores, in rank order (for the report's heading).
    members: Vec<usize>,
    /// Cycles of waiting with nothing moving before a report (0: never).
    hang_after: u64,
    /// Per rank: what it is blocked on (`Blocked::to_word`, peers as
    /// ranks), 0 while it moves or computes, or FINISHED.
    blocked: Vec<AtomicU64>,
    /// Per rank: TSC when its current blocked stretch began.
    blocked_since: Vec<AtomicU64>,
    /// TSC of the last whole-picture check; a CAS on it elects the checker.
    last_check: AtomicU64,
    /// Set when the current hang has been reported; cleared when a rank moves.
    reported: AtomicBool,
}

impl Watch {
    /// A watch over `members` that reports after `hang_after` cycles (0: never).
    pub fn new(members: Vec<usize>, hang_after: u64) -> Self {
        let ranks = members.len();
        Watch {
            members,
            hang_after,
            blocked: (0..ranks).map(|_| AtomicU64::new(0)).collect(),
            blocked_since: (0..ranks).map(|_| AtomicU64::new(0)).collect(),
            last_check: AtomicU64::new(time::now()),
            reported: AtomicBool::new(false),
        }
    }

    /// Rank `rank`'s wait hook heard `state` (peers as ranks; None: it moved).
    pub fn heard(&self, rank: usize, state: Option<Blocked>) {
        let now = time::now();
        let Some(state) = state else {
            self.blocked[rank].store(0, Ordering::Relaxed);
            self.reported.store(false, Ordering::Relaxed);
            return;
        };
        // Only this rank writes its slot. `since` first, then the word with
        // Release: a checker that sees the word (Acquire, partner in
        // `all_blocked_since`) also sees this stretch's start, never the
        // previous one's.
        if self.blocked[rank].load(Ordering::Relaxed) == 0 {
            self.blocked_since[rank].store(now, Ordering::Relaxed);
        }
        self.blocked[rank].store(state.to_word(), Ordering::Release);
        let checked = self.last_check.load(Ordering::Relaxed);
        if self.hang_after != 0
            && now.saturating_sub(checked) > ms(CHECK_EVERY_MS)
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
        self.blocked[rank].store(FINISHED, Ordering::Relaxed);
    }

    /// Prints the report once per hang, if every unfinished rank has been
    /// blocked for longer than the threshold.
    fn check(&self, now: u64) {
        let Some(since) = self.all_blocked_since() else {
            return;
        };
        if now.saturating_sub(since) > self.hang_after
            && !self.reported.swap(true, Ordering::Relaxed)
        {
            self.print_report(now - since);
        }
    }

    /// When the last of the unfinished ranks became blocked, if every one
    /// of them is blocked now (None if one moves or computes, or all finished).
    fn all_blocked_since(&self) -> Option<u64> {
        let mut latest = None;
        for (word, since) in self.blocked.iter().zip(&self.blocked_since) {
            // Acquire, partner: the Release store in `heard`, so `since` is
            // the start of the stretch this word belongs to.
            match word.load(Ordering::Acquire) {
                FINISHED => continue,
                0 => return None,
                _ => latest = latest.max(Some(since.load(Ordering::Relaxed))),
            }
        }
        latest
    }

    /// Who waits for whom, printed in one piece (other cores may print too).
    fn print_report(&self, quiet: u64) {
        let quiet_ms = time::cycles_to_ns(quiet) / 1_000_000;
        let cores: Vec<String> = self.members.iter().map(|c| format!("{c}")).collect();
        crate::console::locked(|out| {
            let _ = writeln!(
                out,
                "hang: every rank has waited {}.{:03} s with no message moving (ranks on cores {})",
                quiet_ms / 1000,
                quiet_ms % 1000,
                cores.join(",")
            );
            for line in self.report_lines() {
                let _ = writeln!(out, "{line}");
            }
            let _ = writeln!(out, "hang: still waiting; Ctrl-C stops the run");
        });
    }

    /// The finished ranks, then `mpi::wait_report`'s lines.
    fn report_lines(&self) -> Vec<String> {
        let words: Vec<u64> = (self.blocked.iter())
            .map(|word| word.load(Ordering::Relaxed))
            .collect();
        let mut lines: Vec<String> = (words.iter().enumerate())
            .filter(|&(_, &word)| word == FINISHED)
            .map(|(rank, _)| format!("rank {rank} has finished"))
            .collect();
        let states: Vec<Option<Blocked>> = words.into_iter().map(Blocked::from_word).collect();
        lines.extend(mpi::wait_report(&states));
        lines
    }
}

/// `n` milliseconds in TSC cycles.
fn ms(n: u64) -> u64 {
    time::tsc_hz() / 1000 * n
}
