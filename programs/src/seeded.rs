//! The seeded inputs: every program that needs "random" numbers draws them
//! from an xorshift generator seeded with a fixed number, the same on every
//! rank and on every machine, so runs are repeatable and checkable.

use alloc::format;
use alloc::vec::Vec;

use rand_core::{Rng, SeedableRng};
use rand_xorshift::XorShiftRng;

use crate::Failure;

/// The seed of the programs that take no seed argument.
pub const SEED: u64 = 2026;

/// The generator for `seed` (`XorShiftRng::seed_from_u64`).
pub fn generator(seed: u64) -> XorShiftRng {
    XorShiftRng::seed_from_u64(seed)
}

/// The next number of `rng`, `next_u32() % bound`.
pub fn next(rng: &mut XorShiftRng, bound: u32) -> u64 {
    u64::from(rng.next_u32() % bound)
}

/// The next `count` numbers of `rng`, each drawn by [`next`], or
/// [`Failure::NoMemory`] if there is no room for them.
pub fn draw(rng: &mut XorShiftRng, count: usize, bound: u32) -> Result<Vec<u64>, Failure> {
    let mut numbers = crate::failure::filled(|| format!("{count} seeded numbers"), count, 0)?;
    numbers.fill_with(|| next(rng, bound));
    Ok(numbers)
}
