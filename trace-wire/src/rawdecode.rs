//! The consumer's half of raw records: a block of one core's 64-byte slots
//! turned into the same [`RecordBuf`]s a version 1 stream framed one by one.
//! Remembers the strings each core interned. The layout is in raw.rs.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use crate::raw::{
    MAX_STRING, MAX_VALUES, RawHead, RawKind, SLOT_BYTES, SLOT_WORDS, Slot, TEXT_START, ValueType,
    string_text,
};
use crate::record::{Event, Record, RecordBuf, SpanMark, SpanNew, SpanValues};
use crate::value::{Field, Value};

/// What turning raw records into records needs to remember.
#[derive(Debug, Default)]
pub struct RawDecoder {
    /// Interned strings by id (ids carry their core, so one map serves all).
    strings: BTreeMap<u32, String>,
}

/// One record out of a block, or the byte offset (in the block) of a slot
/// that was not a record.
pub type RawItem = Result<RecordBuf, usize>;

impl RawDecoder {
    /// Decodes `bytes` (whole slots) written by `core`, whose clock runs at
    /// `tsc_hz`, appending to `out`.
    pub fn block(&mut self, core: u16, tsc_hz: u64, bytes: &[u8], out: &mut Vec<RawItem>) {
        let words: Vec<u64> = bytes
            .chunks_exact(8)
            .map(|w| u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]))
            .collect();
        let mut at = 0;
        while at + SLOT_WORDS <= words.len() {
            let slot: &Slot = words[at..at + SLOT_WORDS].try_into().expect("one slot");
            let head = RawHead::read(slot);
            let end = at + head.slots() * SLOT_WORDS;
            let Some(record) = words.get(at..end) else {
                out.push(Err(at / SLOT_WORDS * SLOT_BYTES));
                return;
            };
            match self.record(core, tsc_hz, &head, record) {
                Some(Ok(rec)) => out.push(Ok(rec)),
                Some(Err(())) => out.push(Err(at / SLOT_WORDS * SLOT_BYTES)),
                None => {} // a string, remembered
            }
            at = end;
        }
    }

    /// One raw record; None for a string record (remembered, not returned).
    fn record(
        &mut self,
        core: u16,
        tsc_hz: u64,
        head: &RawHead,
        words: &[u64],
    ) -> Option<Result<RecordBuf, ()>> {
        let ts_ns = (u128::from(head.ts) * 1_000_000_000 / u128::from(tsc_hz.max(1))) as u64;
        let span = u64::from(head.span);
        let mark = SpanMark { core, ts_ns, span };
        let optional = |id: u32| (id != 0).then_some(u64::from(id));
        let kind = RawKind::from_byte(head.kind);
        if kind != Some(RawKind::String) && usize::from(head.count) > MAX_VALUES {
            return Some(Err(()));
        }
        Some(Ok(match kind {
            None => return Some(Err(())),
            Some(RawKind::String) => {
                // Its length must fit its slots (and what a writer makes):
                // a damaged length is refused, never read past the record.
                let len = head.parent as usize;
                if len > MAX_STRING || TEXT_START + len > words.len() * 8 {
                    return Some(Err(()));
                }
                let text: Vec<u8> = string_text(words, len).collect();
                let text = String::from_utf8_lossy(&text).into_owned();
                self.strings.insert(head.span, text);
                return None;
            }
            Some(RawKind::Event) => Record::Event(Event {
                core,
                ts_ns,
                callsite: u32::from(head.callsite),
                parent: optional(head.span),
                values: self.values(head, words),
            }),
            Some(RawKind::SpanNew) => Record::SpanNew(SpanNew {
                core,
                ts_ns,
                span,
                callsite: u32::from(head.callsite),
                parent: optional(head.parent),
                values: self.values(head, words),
            }),
            Some(RawKind::SpanValues) => Record::SpanValues(SpanValues {
                core,
                ts_ns,
                span,
                values: self.values(head, words),
            }),
            Some(RawKind::SpanEnter) => Record::SpanEnter(mark),
            Some(RawKind::SpanExit) => Record::SpanExit(mark),
            Some(RawKind::SpanClose) => Record::SpanClose(mark),
        }))
    }

    /// The values present in a record, as (field index, value) pairs.
    fn values(&self, head: &RawHead, words: &[u64]) -> Vec<Field<String>> {
        (0..usize::from(head.count))
            .filter_map(|idx| {
                let word = head.value(words, idx)?;
                let value = match head.value_type(idx) {
                    t if t == ValueType::U64 as u32 => Value::U64(word),
                    t if t == ValueType::I64 as u32 => Value::I64(word as i64),
                    t if t == ValueType::Bool as u32 => Value::Bool(word != 0),
                    t if t == ValueType::F64 as u32 => Value::F64(f64::from_bits(word)),
                    t if t == ValueType::Str as u32 => Value::Str(self.string(word as u32)),
                    _ => return None,
                };
                Some(Field {
                    idx: idx as u8,
                    value,
                })
            })
            .collect()
    }

    /// String `id`, or a placeholder naming it when it was never seen.
    fn string(&self, id: u32) -> String {
        self.strings
            .get(&id)
            .cloned()
            .unwrap_or_else(|| alloc::format!("<string #{id:#x} not seen>"))
    }
}
