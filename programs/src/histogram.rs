//! `histogram N BINS SEED` (lab 6, docs/labs/6-spmd.md): each rank draws its
//! share of N seeded samples (0..100) from its own stream, counts them into
//! BINS equal bins, and the counts are summed at the root, which prints them.

use core::fmt::Write;

use crate::failure::Failure;
use crate::instance::Instance;
use crate::table::Program;
#[cfg(not(feature = "lab-spmd"))]
use crate::{blocks, seeded};

/// The table entry.
pub const PROGRAM: Program = Program {
    name: "histogram",
    summary: "lab 6: a parallel histogram of N seeded samples in BINS bins",
    usage: "histogram N BINS SEED",
    source: "programs/src/histogram.rs",
    check,
    main,
};

/// The most samples.
const MAX_SAMPLES: usize = 100_000_000;

/// Samples are `0..RANGE`; BINS is at most RANGE.
const RANGE: u32 = 100;

/// The largest seed.
const MAX_SEED: usize = u32::MAX as usize;

/// `[N, BINS, SEED]`.
fn parse(args: &[&str]) -> Result<[usize; 3], Failure> {
    let limits = [
        ("N", MAX_SAMPLES),
        ("BINS", RANGE as usize),
        ("SEED", MAX_SEED),
    ];
    crate::args::bounded(args, limits)
}

fn check(args: &[&str]) -> Result<(), Failure> {
    parse(args).map(drop)
}

/// The bin of sample `v` (`0..RANGE`) among `bins` equal bins.
fn bin_of(v: u64, bins: usize) -> usize {
    v as usize * bins / RANGE as usize
}

/// The seed of `rank`'s own stream.
fn stream_seed(seed: u64, rank: usize) -> u64 {
    seed.wrapping_mul(1_000_003).wrapping_add(rank as u64)
}

/// Prints the root's lines: one per bin, then the total.
fn print(inst: &mut Instance<'_, '_>, counts: &[u64]) -> Result<(), Failure> {
    for (bin, count) in counts.iter().enumerate() {
        writeln!(inst, "bin {bin}: {count}")?;
    }
    writeln!(inst, "total {}", counts.iter().sum::<u64>())?;
    Ok(())
}

#[cfg(not(feature = "lab-spmd"))]
fn main(inst: &mut Instance<'_, '_>) -> Result<(), Failure> {
    let [n, bins, seed] = parse(inst.args())?;
    let mine = blocks::share(n, inst.size(), inst.rank()).len();
    let mut rng = seeded::generator(stream_seed(seed as u64, inst.rank()));
    let mut counts = alloc::vec![0u64; bins];
    for v in seeded::draw(&mut rng, mine, RANGE)? {
        counts[bin_of(v, bins)] += 1;
    }
    let mut total = alloc::vec![0u64; bins];
    let (mpi, comm) = inst.mpi();
    mpi.reduce(
        comm,
        &counts,
        &mut total,
        mpi::Op::Sum,
        0,
        mpi::Algorithm::Tree,
    )?;
    if inst.rank() == 0 {
        print(inst, &total)?;
    }
    Ok(())
}

/// Lab 6's student version: the program's body is yours to write.
#[cfg(feature = "lab-spmd")]
fn main(inst: &mut Instance<'_, '_>) -> Result<(), Failure> {
    let [_n, _bins, _seed] = parse(inst.args())?;
    // LAB 6: draw this rank's share of the samples from its own stream,
    // count them into bins, sum the counts at rank 0, and let rank 0
    // `print` them. docs/labs/6-spmd.md says which share and which stream.
    let _ = (print, bin_of, stream_seed);
    writeln!(inst, "rank {}: histogram is not written yet", inst.rank())?;
    Err(inst.fail("lab 6: histogram is not written yet"))
}
