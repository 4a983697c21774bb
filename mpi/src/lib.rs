//! `mpi`: ringlab's MPI — communicators, point-to-point messages with tag and
//! source matching, non-blocking requests, and collectives (the demos' seven
//! plus scan, exscan, alltoall, reduce_scatter, reduce_scatter_block, comm_split, in-place
//! forms, user-defined ops) in two algorithms each, over any
//! byte [`Transport`] (ringlab's `bus` in the kernel, threads on the host).
//!
//! `no_std` + `alloc`. One [`Mpi`] per core (per rank); calls take a
//! [`Comm`] as MPI's C functions do. The design and the wire format are in
//! docs/mpi.md.
//!
//! # Example
//!
//! A transport is five small methods (here a single core, which never
//! talks to anyone); the kernel wraps `bus::Endpoint` the same way.
//!
//! ```
//! use mpi::{Algorithm, Mpi, Op, Transport, TransportError};
//!
//! struct Alone;
//!
//! impl Transport for Alone {
//!     fn core(&self) -> usize { 0 }
//!     fn cores(&self) -> usize { 1 }
//!     fn max_message(&self) -> usize { 1024 }
//!     fn try_send(&mut self, _: usize, _: &[u8]) -> Result<bool, TransportError> { Ok(false) }
//!     fn try_recv(&mut self, _: &mut [u8]) -> Result<Option<(usize, usize)>, TransportError> { Ok(None) }
//! }
//!
//! let ctrl_c = || false; // the kernel: "was Ctrl-C pressed?"
//! let mut mpi = Mpi::new(Alone).unwrap().with_abort(ctrl_c);
//! let world = mpi.world();
//! let mine = [world.rank() as i32 + 5; 64];
//! let mut sum = [0i32; 64];
//! mpi.reduce(&world, &mine, &mut sum, Op::Sum, 0, Algorithm::Tree).unwrap();
//! assert_eq!(sum, [5; 64]);
//! ```
#![cfg_attr(not(test), no_std)]

extern crate alloc;

mod algorithm;
mod buffer;
#[cfg(feature = "bus")]
mod bus_port;
mod collective;
mod comm;
mod datatype;
pub mod demo;
mod engine;
mod error;
mod hang;
mod inbox;
mod link;
mod op;
mod outgoing;
mod p2p;
mod progress;
mod reduction;
mod request;
mod schedule;
mod trace;
mod transport;
mod wire;

pub use crate::algorithm::Algorithm;
pub use crate::buffer::{try_copy, try_filled, try_with_capacity};
#[cfg(feature = "bus")]
pub use crate::bus_port::BusPort;
pub use crate::comm::{Comm, EXPLICIT_CONTEXTS, WORLD_CONTEXT};
pub use crate::datatype::{Datatype, Type, UnknownName, Value};
pub use crate::engine::{AbortCheck, Mpi};
pub use crate::error::Error;
pub use crate::hang::{Blocked, WaitHook, WaitTag, wait_report};
pub use crate::op::Op;
pub use crate::p2p::{Source, Status, TAG_MAX, Tag, TagMatch};
pub use crate::reduction::{Reduction, UserOp};
pub use crate::request::Request;
pub use crate::trace::PROBES;
pub use crate::transport::{Transport, TransportError};
pub use crate::wire::HEADER_LEN;
