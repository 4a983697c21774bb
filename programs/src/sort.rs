//! `sort N`: odd-even transposition sort of N seeded keys. Each rank sorts its
//! block; in each of `size` phases neighbours swap blocks and the lower keeps the
//! smaller half. The root checks the result is sorted and a permutation.

use alloc::format;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt::Write;

use mpi::Algorithm;

use crate::failure::{Failure, filled};
use crate::instance::Instance;
use crate::table::Program;
use crate::{args, seeded};

/// The table entry.
pub const PROGRAM: Program = Program {
    name: "sort",
    summary: "odd-even transposition sort of N seeded keys across the ranks",
    usage: "sort N",
    source: "programs/src/sort.rs",
    check,
    main,
};

/// The most keys.
const MAX_KEYS: usize = 1_000_000;

/// Keys are `0..BOUND`.
const BOUND: u32 = 1_000_000;

/// Pads every block to the same length; sorts after every key.
const PAD: u64 = u64::MAX;

/// The blocks' tag.
const TAG: u32 = 3;

fn check(args: &[&str]) -> Result<(), Failure> {
    args::counts(args, ["N"], MAX_KEYS).map(drop)
}

fn main(inst: &mut Instance<'_, '_>) -> Result<(), Failure> {
    let [n] = args::counts(inst.args(), ["N"], MAX_KEYS)?;
    let (size, root) = (inst.size(), inst.rank() == 0);
    let width = n.div_ceil(size);
    let keys = match root {
        true => seeded::draw(&mut seeded::generator(seeded::SEED), n, BOUND)?,
        false => Vec::new(),
    };
    let mut padded = filled(
        || format!("{n} keys padded"),
        if root { width * size } else { 0 },
        PAD,
    )?;
    padded[..keys.len()].copy_from_slice(&keys);
    let mut block = filled(|| format!("a block of {width} keys"), width, 0)?;
    let (mpi, comm) = inst.mpi();
    mpi.scatter(comm, &padded, &mut block, 0, Algorithm::Tree)?;
    block.sort_unstable();
    for phase in 0..size {
        transpose(inst, phase, &mut block)?;
    }
    let (mpi, comm) = inst.mpi();
    mpi.gather(comm, &block, &mut padded, 0, Algorithm::Tree)?;
    if root {
        report(inst, keys, &padded[..n])?;
    }
    Ok(())
}

/// One phase: even phases pair ranks (0,1), (2,3)...; odd ones (1,2), (3,4)...
/// Both partners end with the merged blocks, the lower rank the low half.
fn transpose(
    inst: &mut Instance<'_, '_>,
    phase: usize,
    block: &mut Vec<u64>,
) -> Result<(), Failure> {
    let rank = inst.rank();
    let partner = match (phase + rank) % 2 {
        0 => rank + 1,
        _ => match rank.checked_sub(1) {
            Some(left) => left,
            None => return Ok(()),
        },
    };
    if partner >= inst.size() {
        return Ok(());
    }
    let mut theirs = vec![0; block.len()];
    let (mpi, comm) = inst.mpi();
    mpi.sendrecv(comm, block, partner, TAG, &mut theirs, partner, TAG)?;
    let width = block.len();
    block.append(&mut theirs);
    block.sort_unstable();
    if rank < partner {
        block.truncate(width);
    } else {
        block.drain(..width);
    }
    Ok(())
}

/// The root's check and summary line.
fn report(inst: &mut Instance<'_, '_>, mut input: Vec<u64>, sorted: &[u64]) -> Result<(), Failure> {
    if !sorted.is_sorted() {
        return Err(inst.fail("the gathered keys are not sorted"));
    }
    input.sort_unstable();
    if input != sorted {
        return Err(inst.fail("the gathered keys are not a permutation of the input"));
    }
    let (n, size) = (sorted.len(), inst.size());
    let (first, last) = (sorted[0], sorted[n - 1]);
    writeln!(
        inst,
        "sorted {n} keys on {size} ranks: first {first}, median {}, last {last}",
        sorted[n / 2]
    )?;
    Ok(())
}
