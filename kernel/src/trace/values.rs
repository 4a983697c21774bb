//! Field values of an event or span, collected by a `tracing` visitor
//! straight into a raw record on the stack (no heap, no encoding): numbers
//! as they are, strings and `Debug` values interned into the lane.

use core::fmt::{self, Write};

use arrayvec::ArrayString;
use trace_wire::raw::{RawRecord, ValueType, string_record};
use tracing_core::field::{Field, Visit};

use super::lanes::{Lane, bump};
use super::owned::{LaneState, hash};

/// Longest `Debug` text kept (the rest is cut).
const DEBUG_TEXT: usize = 128;

/// A raw record being filled by `tracing`'s `record` calls.
pub struct RawValues<'a> {
    /// The record.
    pub record: RawRecord,
    /// The lane it goes to (strings are written there first).
    pub lane: &'a Lane,
    /// That lane's writer state.
    pub state: &'a mut LaneState,
    /// The writing core and context, for new string ids.
    pub core: usize,
    /// 0 task, 1 interrupt handler (lanes.rs).
    pub context: usize,
}

impl RawValues<'_> {
    /// The id of `text` in this lane, writing its string record first when
    /// the lane has not written it in this announcement epoch.
    pub fn intern(&mut self, text: &str) -> u64 {
        let key = hash(text);
        if let Some(id) = self.state.cached(key) {
            return u64::from(id);
        }
        let id = self.state.id_for(key, self.core, self.context);
        let mut slots = [[0; 8]; 4];
        let ts = self.record.words[0];
        let count = string_record(id, ts, text, &mut slots);
        if self.lane.ring.write(slots[..count].as_flattened()) {
            self.state.remember(key, id);
        } else {
            bump(&self.lane.counts.dropped);
        }
        u64::from(id)
    }
}

/// Writes into a fixed buffer, cutting off (at a character boundary) what
/// does not fit instead of failing.
struct Truncating<'a>(&'a mut ArrayString<DEBUG_TEXT>);

impl Write for Truncating<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut cut = s.len().min(self.0.remaining_capacity());
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        self.0.push_str(&s[..cut]);
        Ok(())
    }
}

impl Visit for RawValues<'_> {
    #[inline]
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.record.set(field.index(), ValueType::U64, value);
    }

    #[inline]
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.record.set(field.index(), ValueType::I64, value as u64);
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.record
            .set(field.index(), ValueType::Bool, u64::from(value));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.record
            .set(field.index(), ValueType::F64, value.to_bits());
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        let id = self.intern(value);
        self.record.set(field.index(), ValueType::Str, id);
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let mut text = ArrayString::<DEBUG_TEXT>::new();
        let _ = write!(Truncating(&mut text), "{value:?}");
        let id = self.intern(&text);
        self.record.set(field.index(), ValueType::Str, id);
    }
}
