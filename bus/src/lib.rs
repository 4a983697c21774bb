//! `bus`: ringlab's inter-core message bus, one VIRTIO split virtqueue per
//! ordered pair of cores. `no_std` + `alloc`, no kernel dependency; tested on
//! the host with threads and loom. The design is walked through in docs/bus.md.
//!
//! # The contract
//!
//! A [`Bus`] for N cores holds N×(N−1) queues, one for each ordered pair
//! (src, dst). Each core takes its [`Endpoint`] once and through it sends to
//! any other core and receives from any other core:
//!
//! * Messages of 0 to [`MAX_MESSAGE`] bytes arrive intact and in order per
//!   pair. A message larger than one buffer is cut into fragments that stream
//!   through the ring; the receiver reassembles them into the caller's slice.
//! * Nothing is dropped silently. A full ring makes [`Endpoint::try_send`]
//!   return [`SendError::Full`] and the blocking calls wait (politely, through
//!   a [`Spin`] policy that can abort them). A receive buffer that is too small
//!   gives [`RecvError::TooSmall`] and leaves the message queued.
//! * No locks and no atomic read-modify-write on the data path: each index has
//!   one writer, published with a Release store and read with an Acquire load.
//! * A waiting side may sleep instead of spinning: in notify mode
//!   ([`Bus::with_notifier`], [`Bus::set_notify`]) it publishes its VIRTIO
//!   event index and re-checks ([`Endpoint::arm`], [`Spin::wait`]), and the
//!   other side calls the notifier only when its index move crosses that
//!   index ([`need_event`]). No wake-up is lost (src/event.rs, loom models).
//! * The receiver checks every used entry it is given (id, length, fragment
//!   header) and reports a bad one as [`RecvError::Corrupt`], never as
//!   undefined behaviour.
//!
//! # Example
//!
//! ```
//! use bus::{Bus, Config};
//!
//! let bus = Bus::new(2, Config::default()).unwrap();
//! let mut core0 = bus.endpoint(0).unwrap();
//! let mut core1 = bus.endpoint(1).unwrap();
//!
//! core0.send(1, b"ping").unwrap();
//! let mut buf = [0u8; 16];
//! let len = core1.recv(0, &mut buf).unwrap();
//! assert_eq!(&buf[..len], b"ping");
//!
//! // What the kernel's `vq dump 0 1` prints:
//! let dump = bus.snapshot(0, 1).unwrap().to_string();
//! assert!(dump.contains("used.idx=1"));
//! ```
#![no_std]

extern crate alloc;

mod buffers;
mod bus;
mod check;
mod config;
mod corrupt;
mod discard;
mod dump;
mod endpoint;
mod error;
mod event;
mod frag;
#[cfg(not(loom))]
mod mem;
mod queue;
mod recv;
mod ring;
mod send;
mod snapshot;
pub mod spec;
mod spin;
mod stats;
mod sync;
mod trace;

pub use crate::bus::Bus;
pub use crate::check::{Violation, ViolationKind};
pub use crate::config::Config;
pub use crate::corrupt::{CorruptedEntry, Corruption};
pub use crate::discard::Discarded;
pub use crate::dump::DescFlags;
pub use crate::endpoint::Endpoint;
pub use crate::error::{ConfigError, CorruptError, EndpointError, Fault, RecvError, SendError};
pub use crate::event::{EventCounters, NoNotifier, Notifier, need_event};
pub use crate::frag::{HEADER_LEN, MAX_MESSAGE};
pub use crate::snapshot::{DescState, QueueCounters, QueueSnapshot, RingSnapshot};
pub use crate::spin::{AbortWhen, Forever, NoWait, Spin};
pub use crate::stats::Stats;
pub use crate::trace::PROBES;
