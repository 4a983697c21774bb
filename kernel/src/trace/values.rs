//! Field values of an event or span, collected by a `tracing` visitor into
//! fixed storage (no heap on the event path): numbers as they are, strings
//! and `Debug` values copied, truncated, into a small text arena.

use core::fmt::{self, Write};

use arrayvec::{ArrayString, ArrayVec};
use trace_wire::{Field, Value};
use tracing_core::field::{Field as TracingField, Visit};

/// Most fields recorded per event.
const MAX_FIELDS: usize = 16;
/// Text bytes per event, over all string fields.
const TEXT_BYTES: usize = 256;

/// A value whose text, if any, lives in the arena at `start..end`.
#[derive(Clone, Copy)]
enum Stored {
    Number(Value<&'static str>),
    Text { start: usize, end: usize },
}

/// The values of one event, filled by `tracing`'s `record` calls.
pub struct Values {
    fields: ArrayVec<(u8, Stored), MAX_FIELDS>,
    text: ArrayString<TEXT_BYTES>,
}

impl Values {
    /// No values yet.
    pub fn new() -> Self {
        Values {
            fields: ArrayVec::new(),
            text: ArrayString::new(),
        }
    }

    fn push(&mut self, field: &TracingField, value: Stored) {
        let _ = self.fields.try_push((field.index() as u8, value)); // more than 16 fields: the rest is not sent
    }

    /// Calls `f` with the values as wire fields.
    pub fn with_fields<R>(&self, f: impl FnOnce(&[Field<&str>]) -> R) -> R {
        let fields: ArrayVec<Field<&str>, MAX_FIELDS> = self
            .fields
            .iter()
            .map(|&(idx, stored)| Field {
                idx,
                value: match stored {
                    Stored::Number(value) => value,
                    Stored::Text { start, end } => Value::Str(&self.text[start..end]),
                },
            })
            .collect();
        f(&fields)
    }
}

/// Writes into the arena, cutting off (at a character boundary) what does
/// not fit instead of failing.
struct Truncating<'a>(&'a mut ArrayString<TEXT_BYTES>);

impl Write for Truncating<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = self.0.remaining_capacity();
        let mut cut = s.len().min(room);
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        self.0.push_str(&s[..cut]);
        Ok(())
    }
}

impl Visit for Values {
    fn record_u64(&mut self, field: &TracingField, value: u64) {
        self.push(field, Stored::Number(Value::U64(value)));
    }

    fn record_i64(&mut self, field: &TracingField, value: i64) {
        self.push(field, Stored::Number(Value::I64(value)));
    }

    fn record_bool(&mut self, field: &TracingField, value: bool) {
        self.push(field, Stored::Number(Value::Bool(value)));
    }

    fn record_f64(&mut self, field: &TracingField, value: f64) {
        self.push(field, Stored::Number(Value::F64(value)));
    }

    fn record_str(&mut self, field: &TracingField, value: &str) {
        let start = self.text.len();
        let _ = Truncating(&mut self.text).write_str(value);
        self.push(
            field,
            Stored::Text {
                start,
                end: self.text.len(),
            },
        );
    }

    fn record_debug(&mut self, field: &TracingField, value: &dyn fmt::Debug) {
        let start = self.text.len();
        let _ = write!(Truncating(&mut self.text), "{value:?}");
        self.push(
            field,
            Stored::Text {
                start,
                end: self.text.len(),
            },
        );
    }
}
