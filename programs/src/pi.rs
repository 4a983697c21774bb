//! `pi N`: the midpoint rule for ∫₀¹ 4/(1+x²) dx = π over N intervals, the
//! intervals dealt round-robin to the ranks and the partial sums reduced to
//! the root, which prints the estimate, its error and the time.

use core::f64::consts::PI;
use core::fmt::Write;

use mpi::{Algorithm, Op};

use crate::args;
use crate::failure::Failure;
use crate::instance::Instance;
use crate::table::Program;

/// The table entry.
pub const PROGRAM: Program = Program {
    name: "pi",
    summary: "estimate pi by the midpoint rule over N intervals shared among the ranks",
    usage: "pi N",
    source: "programs/src/pi.rs",
    check,
    main,
};

/// The most intervals (a few seconds on one core).
const MAX_INTERVALS: usize = 1_000_000_000;

fn check(args: &[&str]) -> Result<(), Failure> {
    args::counts(args, ["N"], MAX_INTERVALS).map(drop)
}

fn main(inst: &mut Instance<'_, '_>) -> Result<(), Failure> {
    let [n] = args::counts(inst.args(), ["N"], MAX_INTERVALS)?;
    let start = inst.wtime();
    let mine = [partial_sum(n, inst.rank(), inst.size(), || {
        inst.check_stop()
    })?];
    let mut pi = [0.0];
    let (mpi, comm) = inst.mpi();
    // Linear: the root adds the partial sums in rank order, so the digits
    // are the same on every run and under MPICH.
    mpi.reduce(comm, &mine, &mut pi, Op::Sum, 0, Algorithm::Linear)?;
    if inst.rank() == 0 {
        let elapsed = inst.wtime() - start;
        writeln!(
            inst,
            "pi is approximately {:.16}, error {:.3e}",
            pi[0],
            (pi[0] - PI).abs()
        )?;
        writeln!(inst, "wall time {elapsed:.6} s")?;
    }
    Ok(())
}

/// This rank's intervals `rank, rank + size, ...`: h · Σ 4/(1+x²) at their
/// midpoints, added in that order, calling `check_stop` now and then.
fn partial_sum(
    n: usize,
    rank: usize,
    size: usize,
    check_stop: impl Fn() -> Result<(), Failure>,
) -> Result<f64, Failure> {
    let h = 1.0 / n as f64;
    let mut sum = 0.0;
    for (k, i) in (rank..n).step_by(size).enumerate() {
        if k % crate::CHECK_STOP_EVERY == 0 {
            check_stop()?;
        }
        let x = h * (i as f64 + 0.5);
        sum += 4.0 / (1.0 + x * x);
    }
    Ok(h * sum)
}
