//! Bus-wide statistics: N×N matrices of messages, bytes and notifications per
//! pair of cores, read from any core, with the tables the kernel prints.

use alloc::vec::Vec;
use core::fmt;

use crate::bus::Bus;
use crate::sync::Ordering::Relaxed;

/// Messages, bytes and notifications of each queue (each pair of cores).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stats {
    cores: usize,
    /// Notify mode on (src/event.rs).
    notify: bool,
    /// Row-major, `[src × cores + dst]`; the diagonal stays 0.
    messages: Vec<u64>,
    /// Same layout as `messages`.
    bytes: Vec<u64>,
    /// Notifications sent on queue src → dst, both kinds: the sender's
    /// (messages arrived) and the receiver's (buffers back). Same layout.
    notified: Vec<u64>,
    /// Index stores on queue src → dst after which no notification was
    /// needed, both sides. Same layout.
    suppressed: Vec<u64>,
}

impl Bus {
    /// The current message and byte counts of every queue. Each count is a
    /// Relaxed load of a single-writer counter: recent, not a global instant.
    pub fn stats(&self) -> Stats {
        let n = self.cores();
        let mut stats = Stats {
            cores: n,
            notify: self.notify(),
            messages: alloc::vec![0; n * n],
            bytes: alloc::vec![0; n * n],
            notified: alloc::vec![0; n * n],
            suppressed: alloc::vec![0; n * n],
        };
        for (src, dst) in (0..n).flat_map(|s| (0..n).map(move |d| (s, d))) {
            if let Some(q) = self.queue(src, dst) {
                let at = src * n + dst;
                // Relaxed, both: single-writer statistics; a recent value will do.
                stats.messages[at] = q.send.messages.load(Relaxed);
                stats.bytes[at] = q.send.bytes.load(Relaxed);
                let e = crate::event::counters(q);
                stats.notified[at] = e.used_sent + e.avail_sent;
                stats.suppressed[at] = e.used_suppressed + e.avail_suppressed;
            }
        }
        stats
    }
}

impl Stats {
    /// Number of cores (rows and columns).
    pub fn cores(&self) -> usize {
        self.cores
    }

    /// Messages sent from `src` to `dst` (0 off the bus or on the diagonal).
    pub fn messages(&self, src: usize, dst: usize) -> u64 {
        self.at(&self.messages, src, dst)
    }

    /// Bytes sent from `src` to `dst` (0 off the bus or on the diagonal).
    pub fn bytes(&self, src: usize, dst: usize) -> u64 {
        self.at(&self.bytes, src, dst)
    }

    /// Notifications sent on queue `src` → `dst` (both sides).
    pub fn notified(&self, src: usize, dst: usize) -> u64 {
        self.at(&self.notified, src, dst)
    }

    /// Notifications suppressed on queue `src` → `dst` (both sides).
    pub fn suppressed(&self, src: usize, dst: usize) -> u64 {
        self.at(&self.suppressed, src, dst)
    }

    fn at(&self, m: &[u64], src: usize, dst: usize) -> u64 {
        if src < self.cores && dst < self.cores {
            m[src * self.cores + dst]
        } else {
            0
        }
    }

    /// One matrix as a table: a title, a header of destinations, one row per source.
    fn table(&self, f: &mut fmt::Formatter<'_>, title: &str, m: &[u64]) -> fmt::Result {
        let width = m
            .iter()
            .map(|v| decimal_width(*v))
            .max()
            .unwrap_or(1)
            .max(4);
        writeln!(f, "{title} (row = from, column = to)")?;
        write!(f, "{:>6}", "")?;
        for dst in 0..self.cores {
            write!(f, " {dst:>width$}")?;
        }
        writeln!(f)?;
        for src in 0..self.cores {
            write!(f, "{src:>6}")?;
            for dst in 0..self.cores {
                if src == dst {
                    write!(f, " {:>width$}", "-")?;
                } else {
                    write!(f, " {:>width$}", m[src * self.cores + dst])?;
                }
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

/// Digits of `v` in decimal.
fn decimal_width(v: u64) -> usize {
    v.checked_ilog10().map_or(1, |d| d as usize + 1)
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.table(f, "messages", &self.messages)?;
        self.table(f, "bytes", &self.bytes)?;
        let mode = if self.notify { "notify" } else { "poll" };
        writeln!(f, "bus mode: {mode}")?;
        self.table(f, "notifications sent", &self.notified)?;
        self.table(f, "notifications suppressed", &self.suppressed)
    }
}
