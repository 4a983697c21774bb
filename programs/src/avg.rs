//! `avg N`: the root draws N seeded numbers (0..1000) and scatters them;
//! each rank averages its share; the sums and counts are reduced into the
//! global average, which the root checks against the serial one.

use alloc::vec::Vec;
use core::fmt::Write;

use mpi::{Algorithm, Op};

use crate::failure::Failure;
use crate::instance::Instance;
use crate::table::Program;
use crate::{args, blocks, seeded};

/// The table entry.
pub const PROGRAM: Program = Program {
    name: "avg",
    summary: "scatter N seeded numbers, average each share, reduce to the global average",
    usage: "avg N",
    source: "programs/src/avg.rs",
    check,
    main,
};

/// The most numbers.
const MAX_NUMBERS: usize = 10_000_000;

/// The numbers are `0..BOUND`.
const BOUND: u32 = 1000;

fn check(args: &[&str]) -> Result<(), Failure> {
    args::counts(args, ["N"], MAX_NUMBERS).map(drop)
}

fn main(inst: &mut Instance<'_, '_>) -> Result<(), Failure> {
    let [n] = args::counts(inst.args(), ["N"], MAX_NUMBERS)?;
    let root = inst.rank() == 0;
    let numbers = match root {
        true => seeded::draw(&mut seeded::generator(seeded::SEED), n, BOUND)?,
        false => Vec::new(),
    };
    let (mpi, comm) = inst.mpi();
    let mine = blocks::scatter(mpi, comm, &numbers, n, 1, 0)?;
    let local = [mine.iter().sum::<u64>(), mine.len() as u64];
    if !mine.is_empty() {
        let average = local[0] as f64 / local[1] as f64;
        writeln!(
            inst,
            "rank {}: {} numbers, average {average:.3}",
            inst.rank(),
            local[1]
        )?;
    }
    let mut global = [0u64; 2];
    let (mpi, comm) = inst.mpi();
    mpi.reduce(comm, &local, &mut global, Op::Sum, 0, Algorithm::Tree)?;
    if root {
        let serial = numbers.iter().sum::<u64>() as f64 / n as f64;
        let average = global[0] as f64 / global[1] as f64;
        writeln!(
            inst,
            "average of {n} numbers: {average:.6} (serial {serial:.6})"
        )?;
        if average != serial || global[1] != n as u64 {
            return Err(inst.fail("the parallel average differs from the serial one"));
        }
    }
    Ok(())
}
