//! `matvec N`: y = A·x for a seeded N×N matrix, by row blocks: the root
//! broadcasts x, scatters the rows, gathers the pieces of y and checks them
//! against the serial product.

use alloc::vec;
use alloc::vec::Vec;
use core::fmt::Write;

use mpi::Algorithm;

use crate::failure::Failure;
use crate::instance::Instance;
use crate::table::Program;
use crate::{args, blocks, seeded};

/// The table entry.
pub const PROGRAM: Program = Program {
    name: "matvec",
    summary: "row-block matrix-vector product of a seeded NxN matrix (bcast, scatter, gather)",
    usage: "matvec N",
    source: "programs/src/matvec.rs",
    check,
    main,
};

/// The largest N (an N×N matrix of u64 at the root).
const MAX_N: usize = 2000;

/// Matrix and vector entries are `0..BOUND`.
const BOUND: u32 = 10;

/// How many entries of y the root prints.
const SHOWN: usize = 8;

fn check(args: &[&str]) -> Result<(), Failure> {
    args::counts(args, ["N"], MAX_N).map(drop)
}

fn main(inst: &mut Instance<'_, '_>) -> Result<(), Failure> {
    let [n] = args::counts(inst.args(), ["N"], MAX_N)?;
    let root = inst.rank() == 0;
    let (a, mut x) = match root {
        true => inputs(n)?,
        false => (Vec::new(), vec![0; n]),
    };
    let (mpi, comm) = inst.mpi();
    mpi.bcast(comm, &mut x, 0, Algorithm::Tree)?;
    let rows = blocks::scatter(mpi, comm, &a, n, n, 0)?;
    let mine: Vec<u64> = product(&rows, &x);
    let y = blocks::gather(mpi, comm, &mine, n, 1, 0)?;
    if root {
        if y != product(&a, &x) {
            return Err(inst.fail("y differs from the serial product"));
        }
        let shown = &y[..n.min(SHOWN)];
        writeln!(inst, "y = A*x for N = {n}: matches the serial product")?;
        writeln!(
            inst,
            "y[0..{}] = {shown:?}, sum {}",
            shown.len(),
            y.iter().sum::<u64>()
        )?;
    }
    Ok(())
}

/// The seeded A (row-major, drawn first) and x.
fn inputs(n: usize) -> Result<(Vec<u64>, Vec<u64>), Failure> {
    let mut rng = seeded::generator(seeded::SEED);
    let a = seeded::draw(&mut rng, n * n, BOUND)?;
    Ok((a, seeded::draw(&mut rng, n, BOUND)?))
}

/// `rows` (row-major, `x.len()` wide) times `x`.
fn product(rows: &[u64], x: &[u64]) -> Vec<u64> {
    rows.chunks_exact(x.len())
        .map(|row| row.iter().zip(x).map(|(a, b)| a * b).sum())
        .collect()
}
