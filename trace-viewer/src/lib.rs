//! trace-viewer: reads ringlab's trace stream (trace-wire frames from COM2),
//! shows it live in a terminal, records and replays it, prints statistics
//! and exports it for Perfetto. The binary (main.rs) only parses arguments.
//!
//! The pipeline: bytes → [`item`] (records or damage reports) → the
//! self-description in [`catalog`] names every value → the live [`model`]
//! drawn by [`ui`], the counts of [`stats`], or the timeline of [`export`].
//! [`synth`] makes realistic streams without a kernel.

pub mod bus;
pub mod catalog;
pub mod cli;
pub mod clock;
pub mod cmd;
pub mod collectives;
pub mod console;
pub mod export;
pub mod input;
pub mod item;
pub mod model;
pub mod spans;
pub mod stats;
pub mod synth;
pub mod ui;
