//! `trace-wire`: the format of ringlab's trace stream: records, frames, raw
//! records and the contract's names, shared by the kernel (writes raw records
//! and frames, no heap) and the viewer (decodes). Neither side's logic lives here.
//!
//! The kernel takes `default-features = false`; the decoder and the owned
//! [`RecordBuf`] need the `alloc` feature, on by default.
//!
//! # The stream
//!
//! A sequence of frames, each ended by 0x00. A frame is one [`Record`]
//! serialised with postcard, followed by the CRC-32 of those bytes (little
//! endian), COBS-encoded so the frame holds no 0x00. A reader that meets a
//! damaged byte loses that frame only: it starts again after the next 0x00.
//!
//! The stream describes itself. A [`Header`] comes first; each callsite is
//! sent as a [`Record::Callsite`] (name, target, level, field names) before
//! its first event or span, which then refer to it by id and send values as
//! (field index, value) pairs. The names the viewer understands are in
//! [`contract`]; docs/tracing.md gives the whole contract.
//!
//! # Encoding (the kernel's side)
//!
//! ```
//! use trace_wire::{encode_frame, Callsite, Event, Field, Kind, Level, Record, RecordRef, Value, MAX_FRAME};
//!
//! let names = ["src", "dst", "len"];
//! let site: RecordRef = Record::Callsite(Callsite {
//!     id: 3, kind: Kind::Event, level: Level::Trace, name: "bus.send", target: "bus",
//!     file: Some("bus/src/send.rs"), line: Some(80), fields: &names,
//! });
//! let values = [
//!     Field { idx: 0, value: Value::U64(1) },
//!     Field { idx: 1, value: Value::U64(0) },
//!     Field { idx: 2, value: Value::U64(256) },
//! ];
//! let event: RecordRef = Record::Event(Event { core: 1, ts_ns: 52_000, callsite: 3, parent: None, values: &values });
//!
//! let mut buf = [0u8; MAX_FRAME];
//! let mut stream = Vec::new();
//! for rec in [&site, &event] {
//!     stream.extend_from_slice(encode_frame(rec, &mut buf).unwrap());
//! }
//! # #[cfg(feature = "alloc")] {
//! let decoded: Vec<_> = trace_wire::Decoder::new().push(&stream).collect();
//! assert_eq!(decoded.len(), 2);
//! assert!(decoded.iter().all(|r| r.is_ok()));
//! # }
//! ```
#![no_std]

#[cfg(feature = "alloc")]
extern crate alloc;

pub mod contract;
#[cfg(feature = "alloc")]
mod decoder;
mod frame;
pub mod raw;
#[cfg(feature = "alloc")]
mod rawdecode;
mod record;
mod slot_ring;
#[cfg(feature = "alloc")]
mod unframe;
mod value;

#[cfg(feature = "alloc")]
pub use decoder::{DecodeError, Decoder, DecoderStats};
pub use frame::{CRC_LEN, DELIMITER, EncodeError, MAX_FRAME, encode_frame, max_frame_len};
#[cfg(feature = "alloc")]
pub use record::RecordBuf;
pub use record::{
    Block, Callsite, Clock, Dropped, Event, Header, MAGIC, OLDEST_VERSION, Queue, Record,
    RecordRef, SpanMark, SpanNew, SpanValues, VERSION,
};
pub use slot_ring::SlotRing;
#[cfg(feature = "alloc")]
pub use unframe::{DecodeErrorKind, decode_frame};
pub use value::{Field, Kind, Level, Value};
