//! The small types records are made of: a field's value, a field tagged with
//! its position in the callsite's field list, a level and a callsite kind.
//! Nothing here knows about framing.

use core::fmt;

use serde::{Deserialize, Serialize};

/// One recorded value. `S` is `&str` when the kernel encodes and `String`
/// when the viewer decodes; both serialise to the same bytes.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Value<S> {
    /// An unsigned integer (`tracing`'s `record_u64`).
    U64(u64),
    /// A signed integer (`record_i64`).
    I64(i64),
    /// A boolean (`record_bool`).
    Bool(bool),
    /// A float (`record_f64`).
    F64(f64),
    /// A string (`record_str`, or a `Debug` value the kernel formatted and
    /// truncated into a fixed buffer).
    Str(S),
}

impl<S> Value<S> {
    /// The value as a `u64` when it is a non-negative integer.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::U64(v) => Some(v),
            Value::I64(v) => u64::try_from(v).ok(),
            _ => None,
        }
    }
}

impl<S: AsRef<str>> Value<S> {
    /// The value as a string slice when it is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s.as_ref()),
            _ => None,
        }
    }
}

impl<S: fmt::Display> fmt::Display for Value<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::U64(v) => write!(f, "{v}"),
            Value::I64(v) => write!(f, "{v}"),
            Value::Bool(v) => write!(f, "{v}"),
            Value::F64(v) => write!(f, "{v}"),
            Value::Str(s) => write!(f, "{s}"),
        }
    }
}

/// A value and the position of its name in its callsite's `fields` list.
/// Only fields that were given a value are sent, so events and spans carry
/// these pairs rather than a dense array.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Field<S> {
    /// Index into [`Callsite::fields`](crate::Callsite::fields).
    pub idx: u8,
    /// The value.
    pub value: Value<S>,
}

/// A callsite's verbosity, ordered so that `Trace < Debug < … < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Level {
    /// `tracing::Level::TRACE`.
    Trace,
    /// `tracing::Level::DEBUG`.
    Debug,
    /// `tracing::Level::INFO`.
    Info,
    /// `tracing::Level::WARN`.
    Warn,
    /// `tracing::Level::ERROR`.
    Error,
}

impl Level {
    /// Every level, least severe first.
    pub const ALL: [Level; 5] = [
        Level::Trace,
        Level::Debug,
        Level::Info,
        Level::Warn,
        Level::Error,
    ];

    /// The level's name in capitals, as `tracing` prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
        }
    }
}

/// Whether a callsite makes events or spans.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Kind {
    /// `tracing::event!` and friends.
    Event,
    /// `tracing::span!` and friends.
    Span,
}
