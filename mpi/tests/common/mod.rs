//! mpi's own test helpers (the shared thread transport, harness and RNG are
//! in `testkit`): the collectives' sequential references and a length mix.
#![allow(dead_code)]

pub mod reference;

use testkit::Rng;

/// A vector length for one case: mostly small, with 0 and 1 common, some
/// hundreds (several fragments over a 1 KiB transport).
pub fn random_len(rng: &mut Rng) -> usize {
    match rng.below(10) {
        0 => 0,
        1 => 1,
        2..=7 => 2 + rng.below(62),
        _ => 64 + rng.below(600),
    }
}
