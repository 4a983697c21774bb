//! The records of the trace stream. One generic definition serves both ends:
//! the kernel fills [`RecordRef`] with borrowed slices and encodes without a
//! heap; the viewer decodes into [`RecordBuf`] (feature `alloc`).

use serde::{Deserialize, Serialize};

use crate::value::{Field, Kind, Level};

/// The bytes every [`Header`] starts with: "RLTR" (ringlab trace).
pub const MAGIC: [u8; 4] = *b"RLTR";

/// The stream format's version. A change to any record's layout bumps it.
/// Version 2 brought blocks of raw records; version 3, narrow raw records
/// (32-bit values, two to a word: raw.rs).
pub const VERSION: u16 = 3;

/// The oldest version a reader still decodes: version 1 streams carried
/// every event as its own frame, and read as they always did; version 2's
/// raw records are version 3's wide ones.
pub const OLDEST_VERSION: u16 = 1;

/// One record of the stream; each travels in its own frame.
///
/// `S` is the string type, `F` the list of field names and `V` the list of
/// values. postcard writes a slice and a `Vec` (and `&str` and `String`) the
/// same way, so [`RecordRef`] and [`RecordBuf`] share one wire format.
/// Variant order is part of the format: new variants go at the end, and
/// [`Record::Header`] stays variant 0 with its first two fields fixed so any
/// version can recognise a header it cannot read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Record<S, F, V> {
    /// Starts the stream; re-sent with the callsite table (docs/tracing.md).
    Header(Header<S>),
    /// Describes a callsite before its first event or span.
    Callsite(Callsite<S, F>),
    /// An event happened.
    Event(Event<V>),
    /// A span was created, with its initial values.
    SpanNew(SpanNew<V>),
    /// More values were recorded on an existing span.
    SpanValues(SpanValues<V>),
    /// A core entered a span.
    SpanEnter(SpanMark),
    /// A core left a span.
    SpanExit(SpanMark),
    /// A span was closed: its id may be reused after this.
    SpanClose(SpanMark),
    /// A core's buffer was full and records were thrown away.
    Dropped(Dropped),
    /// Version 2: the next `len` bytes of the stream, right after this
    /// frame's delimiter, are raw records of one core (raw.rs), not frames.
    /// The decoder turns them into the records above and never returns this.
    Block(Block),
    /// Version 2: a core's clock against core 0's, measured at boot.
    Clock(Clock),
    /// Version 2: a bus queue's geometry.
    Queue(Queue),
}

/// The header of a block of raw records (see [`Record::Block`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    /// The core that wrote the records.
    pub core: u16,
    /// Bytes of raw records that follow: a multiple of 64.
    pub len: u32,
}

/// How far a core's TSC is from core 0's, measured once at boot by a
/// round trip with core 0. Timestamps stay each core's own: core `core`'s
/// `ts_ns` minus `offset_ns` is the same instant on core 0's clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    /// The core.
    pub core: u16,
    /// This core's TSC minus core 0's at the same instant, in cycles.
    pub tsc_offset: i64,
    /// The same in nanoseconds.
    pub offset_ns: i64,
    /// Half the round trip of the measurement, in nanoseconds: how far off
    /// `offset_ns` can be.
    pub uncertainty_ns: u64,
}

/// The size of one bus queue, announced by the kernel with every header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queue {
    /// Sending core.
    pub src: u16,
    /// Receiving core.
    pub dst: u16,
    /// Entries in each ring.
    pub size: u16,
    /// Bytes per buffer.
    pub buf_size: u32,
}

/// A record that borrows everything: what the kernel encodes.
pub type RecordRef<'a> = Record<&'a str, &'a [&'a str], &'a [Field<&'a str>]>;

/// A record that owns everything: what the decoder returns.
#[cfg(feature = "alloc")]
pub type RecordBuf = Record<
    alloc::string::String,
    alloc::vec::Vec<alloc::string::String>,
    alloc::vec::Vec<Field<alloc::string::String>>,
>;

/// The stream header: who is talking, in which format, with which clock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header<S> {
    /// Always [`MAGIC`].
    pub magic: [u8; 4],
    /// The sender's [`VERSION`].
    pub version: u16,
    /// The calibrated TSC frequency that timestamps were converted with.
    pub tsc_hz: u64,
    /// Cores online (the number of per-core buffers).
    pub cores: u16,
    /// Free text naming the sender, e.g. "ringlab 0.1.0".
    pub producer: S,
}

/// A callsite's static description, sent once before its first use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Callsite<S, F> {
    /// The id later records use; the kernel numbers callsites from 0.
    pub id: u32,
    /// Event or span.
    pub kind: Kind,
    /// Verbosity.
    pub level: Level,
    /// The callsite's name: the contract names (`bus.send`, `mpi.reduce`, …).
    pub name: S,
    /// The `tracing` target, e.g. `bus`, `mpi`, `shell`.
    pub target: S,
    /// Source file, when known.
    pub file: Option<S>,
    /// Source line, when known.
    pub line: Option<u32>,
    /// Field names, in the order [`Field::idx`] counts.
    pub fields: F,
}

/// An event: a callsite fired on a core at a time, with values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event<V> {
    /// The core that emitted it.
    pub core: u16,
    /// Nanoseconds since boot (TSC / `tsc_hz`).
    pub ts_ns: u64,
    /// The [`Callsite::id`].
    pub callsite: u32,
    /// The span the core was in, if any.
    pub parent: Option<u64>,
    /// The values that were recorded.
    pub values: V,
}

/// A new span and its initial values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpanNew<V> {
    /// The core that created it.
    pub core: u16,
    /// Nanoseconds since boot.
    pub ts_ns: u64,
    /// The span's id, unique until its [`Record::SpanClose`].
    pub span: u64,
    /// The [`Callsite::id`].
    pub callsite: u32,
    /// The enclosing span, if any.
    pub parent: Option<u64>,
    /// The values given at creation.
    pub values: V,
}

/// Values recorded on a span after it was created (`Span::record`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpanValues<V> {
    /// The core that recorded them.
    pub core: u16,
    /// Nanoseconds since boot.
    pub ts_ns: u64,
    /// The span's id.
    pub span: u64,
    /// The new values (indices into the span callsite's fields).
    pub values: V,
}

/// A span's enter, exit or close on a core.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpanMark {
    /// The core.
    pub core: u16,
    /// Nanoseconds since boot.
    pub ts_ns: u64,
    /// The span's id.
    pub span: u64,
}

/// Records a core threw away because its buffer was full. Sent as soon as
/// the buffer has room again, so no loss goes unreported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dropped {
    /// The core whose buffer overflowed.
    pub core: u16,
    /// When this report was written (the drops happened before it).
    pub ts_ns: u64,
    /// Records lost since the previous report.
    pub count: u64,
}

impl<S> Header<S> {
    /// A header with this crate's [`MAGIC`] and [`VERSION`].
    pub fn new(tsc_hz: u64, cores: u16, producer: S) -> Self {
        Self {
            magic: MAGIC,
            version: VERSION,
            tsc_hz,
            cores,
            producer,
        }
    }
}

impl<S, F, V> Record<S, F, V> {
    /// The core a record comes from; `None` for the header and callsites.
    pub fn core(&self) -> Option<u16> {
        match self {
            Record::Header(_) | Record::Callsite(_) | Record::Queue(_) => None,
            Record::Block(b) => Some(b.core),
            Record::Clock(c) => Some(c.core),
            Record::Event(e) => Some(e.core),
            Record::SpanNew(s) => Some(s.core),
            Record::SpanValues(s) => Some(s.core),
            Record::SpanEnter(m) | Record::SpanExit(m) | Record::SpanClose(m) => Some(m.core),
            Record::Dropped(d) => Some(d.core),
        }
    }

    /// The record's timestamp; `None` for the header and callsites.
    pub fn ts_ns(&self) -> Option<u64> {
        match self {
            Record::Header(_)
            | Record::Callsite(_)
            | Record::Block(_)
            | Record::Clock(_)
            | Record::Queue(_) => None,
            Record::Event(e) => Some(e.ts_ns),
            Record::SpanNew(s) => Some(s.ts_ns),
            Record::SpanValues(s) => Some(s.ts_ns),
            Record::SpanEnter(m) | Record::SpanExit(m) | Record::SpanClose(m) => Some(m.ts_ns),
            Record::Dropped(d) => Some(d.ts_ns),
        }
    }
}
