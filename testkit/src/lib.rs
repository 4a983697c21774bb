//! `testkit`: host-only helpers for ringlab's tests — a seeded RNG, a thread
//! transport for `mpi` ([`Fabric`]/[`Port`]) and a harness that runs one rank
//! per thread ([`run_ranks`], [`run_on`]). Never linked into the kernel.

mod fabric;
mod harness;
mod rng;

pub use crate::fabric::{Fabric, Port};
pub use crate::harness::{RankResult, WATCHDOG, run_on, run_ranks};
pub use crate::rng::{Rng, mix};
