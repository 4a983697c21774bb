//! Per-core activity for the cores panel: recent and total records, the
//! last callsite each core hit, and its dropped-record count.

use std::collections::BTreeMap;

use super::window::Window;

/// What each core has been doing.
#[derive(Clone, Debug, Default)]
pub struct CoreActivity {
    /// Records per core, recent and total.
    pub records: Window<u16>,
    /// The last callsite name per core.
    last: BTreeMap<u16, String>,
    /// Records the kernel dropped, per core.
    drops: BTreeMap<u16, u64>,
}

impl CoreActivity {
    /// `core` produced a record named `name` at `ts_ns`.
    pub fn hit(&mut self, core: u16, ts_ns: u64, name: &str) {
        self.records.hit(ts_ns, core);
        if self.last.get(&core).is_none_or(|l| l != name) {
            self.last.insert(core, name.to_string());
        }
    }

    /// `core` reported `count` dropped records.
    pub fn dropped(&mut self, core: u16, count: u64) {
        let drops = self.drops.entry(core).or_default();
        *drops = drops.saturating_add(count); // a damaged count must not wrap
    }

    /// The last callsite `core` hit.
    pub fn last(&self, core: u16) -> Option<&str> {
        self.last.get(&core).map(String::as_str)
    }

    /// Records `core` dropped.
    pub fn drops(&self, core: u16) -> u64 {
        self.drops.get(&core).copied().unwrap_or(0)
    }

    /// The highest core number seen.
    pub fn max_core(&self) -> Option<u16> {
        let a = self.last.keys().next_back().copied();
        let b = self.drops.keys().next_back().copied();
        a.max(b)
    }
}
