//! A count over the last stretch of trace time, per key: how many events
//! of each kind happened in the last second. Trace time, not wall time, so
//! replays and tests see the same numbers as the live view did.

use std::collections::{BTreeMap, VecDeque};

/// How far back the recent counts reach: one second.
pub const WINDOW_NS: u64 = 1_000_000_000;

/// Recent and total counts per key.
#[derive(Clone, Debug)]
pub struct Window<K: Ord + Copy> {
    /// Timestamps of recent hits, oldest first, with their key.
    hits: VecDeque<(u64, K)>,
    /// Hits per key inside the window.
    recent: BTreeMap<K, u64>,
    /// Hits per key ever.
    total: BTreeMap<K, u64>,
}

impl<K: Ord + Copy> Default for Window<K> {
    fn default() -> Self {
        Self {
            hits: VecDeque::new(),
            recent: BTreeMap::new(),
            total: BTreeMap::new(),
        }
    }
}

impl<K: Ord + Copy> Window<K> {
    /// Counts one hit of `key` at `ts_ns`.
    pub fn hit(&mut self, ts_ns: u64, key: K) {
        self.hits.push_back((ts_ns, key));
        *self.recent.entry(key).or_default() += 1;
        *self.total.entry(key).or_default() += 1;
    }

    /// Forgets hits older than [`WINDOW_NS`] before `now_ns`.
    pub fn expire(&mut self, now_ns: u64) {
        let oldest = now_ns.saturating_sub(WINDOW_NS);
        while let Some(&(ts, key)) = self.hits.front() {
            if ts >= oldest {
                break;
            }
            self.hits.pop_front();
            if let Some(n) = self.recent.get_mut(&key) {
                *n -= 1;
            }
        }
    }

    /// Hits of `key` in the last second.
    pub fn recent(&self, key: K) -> u64 {
        self.recent.get(&key).copied().unwrap_or(0)
    }

    /// Hits of `key` ever.
    pub fn total(&self, key: K) -> u64 {
        self.total.get(&key).copied().unwrap_or(0)
    }

    /// The largest recent count of any key.
    pub fn max_recent(&self) -> u64 {
        self.recent.values().copied().max().unwrap_or(0)
    }
}
