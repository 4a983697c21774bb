//! One clock for every core: a core's timestamps moved onto core 0's clock
//! by the offset its `Clock` record announces (measured at boot). A core
//! the stream says nothing about is taken to be in step with core 0.

use std::borrow::Cow;
use std::collections::BTreeMap;

use trace_wire::{Record, RecordBuf};

/// Each core's offset against core 0, in nanoseconds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Clocks {
    /// `offset[c]` = core c's clock minus core 0's clock at the same
    /// instant; core 0 time = core c time − offset.
    offsets_ns: BTreeMap<u16, i64>,
}

impl Clocks {
    /// Core `core`'s clock runs `offset_ns` ahead of core 0's.
    pub fn set_offset_ns(&mut self, core: u16, offset_ns: i64) {
        self.offsets_ns.insert(core, offset_ns);
    }

    /// Core `core`'s offset (0 when none was announced).
    pub fn offset_ns(&self, core: u16) -> i64 {
        self.offsets_ns.get(&core).copied().unwrap_or(0)
    }

    /// `ts_ns` of core `core` on core 0's clock (never below 0).
    pub fn to_core0(&self, core: u16, ts_ns: u64) -> u64 {
        let moved = i128::from(ts_ns) - i128::from(self.offset_ns(core));
        moved.clamp(0, u64::MAX.into()) as u64
    }

    /// `rec` with its timestamp on core 0's clock; borrowed when unchanged.
    pub fn align<'a>(&self, rec: &'a RecordBuf) -> Cow<'a, RecordBuf> {
        let (Some(core), Some(ts)) = (rec.core(), rec.ts_ns()) else {
            return Cow::Borrowed(rec);
        };
        let aligned = self.to_core0(core, ts);
        if aligned == ts {
            return Cow::Borrowed(rec);
        }
        let mut owned = rec.clone();
        set_ts(&mut owned, aligned);
        Cow::Owned(owned)
    }
}

/// Overwrites a timestamped record's time.
fn set_ts(rec: &mut RecordBuf, ts_ns: u64) {
    match rec {
        Record::Event(e) => e.ts_ns = ts_ns,
        Record::SpanNew(s) => s.ts_ns = ts_ns,
        Record::SpanValues(s) => s.ts_ns = ts_ns,
        Record::SpanEnter(m) | Record::SpanExit(m) | Record::SpanClose(m) => m.ts_ns = ts_ns,
        Record::Dropped(d) => d.ts_ns = ts_ns,
        Record::Header(_)
        | Record::Callsite(_)
        | Record::Block(_)
        | Record::Clock(_)
        | Record::Queue(_) => {}
    }
}
