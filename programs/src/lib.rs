//! `programs`: MPI programs written once and run as one instance per rank —
//! on ringlab's cores (`run`), as host threads (tests) or under MPICH.
//! The API is here; each shipped program is one file plus one line in [`PROGRAMS`].
//!
//! An embedder makes an [`Mpi`] over any transport (wrapped in
//! [`AnyTransport`]), a communicator, and a [`Host`] for output and time,
//! then calls [`Program::check`] once and [`Program::main`] on every rank
//! through an [`Instance`]. docs/programs.md is the guide.
#![cfg_attr(not(test), no_std)]

extern crate alloc;

mod args;
mod failure;
mod instance;
mod table;
#[cfg(feature = "threads")]
pub mod threads;
mod transport;

mod avg;
mod deadlock;
mod heat;
mod histogram;
mod matvec;
mod pi;
mod pingpong;
mod ring;
mod sort;
mod toro_reduce;

mod blocks;
mod seeded;

/// How many steps a long computation takes between two
/// [`Instance::check_stop`] calls: a few milliseconds under emulation.
const CHECK_STOP_EVERY: usize = 1 << 14;

pub use crate::failure::{Failure, filled};
pub use crate::instance::{Host, Instance, MAX_LINE};
pub use crate::table::{PROGRAMS, Program, find, nearest};
pub use crate::transport::{AnyTransport, Mpi};
