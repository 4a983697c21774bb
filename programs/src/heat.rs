//! `heat N STEPS`: 1-D heat diffusion on a rod of N points with cold ends. Each
//! rank owns a block and swaps edge values with its neighbours (`sendrecv`) every
//! step; the root checks the gathered rod against the serial one, bit for bit.

use alloc::vec::Vec;
use core::fmt::Write;

use crate::failure::Failure;
use crate::instance::Instance;
use crate::table::Program;
use crate::{args, blocks};

/// The table entry.
pub const PROGRAM: Program = Program {
    name: "heat",
    summary: "1-D heat diffusion with halo exchange, checked against the serial result",
    usage: "heat N STEPS",
    source: "programs/src/heat.rs",
    check,
    main,
};

/// The most points and steps.
const MAX: usize = 1_000_000;

/// Diffusion number α = κ·Δt/Δx² (stable below 1/2).
const ALPHA: f64 = 0.25;

/// The temperature of the hot middle third at the start.
const HOT: f64 = 100.0;

/// Halo tags: a value travelling to the left, to the right.
const LEFTWARD: u32 = 1;
const RIGHTWARD: u32 = 2;

fn check(args: &[&str]) -> Result<(), Failure> {
    args::counts(args, ["N", "STEPS"], MAX).map(drop)
}

fn main(inst: &mut Instance<'_, '_>) -> Result<(), Failure> {
    let [n, steps] = args::counts(inst.args(), ["N", "STEPS"], MAX)?;
    if n < inst.size() {
        return Err(inst.fail(alloc::format!("heat needs N >= ranks ({})", inst.size())));
    }
    let mine = blocks::share(n, inst.size(), inst.rank());
    let mut u: Vec<f64> = mine.clone().map(|i| start(i, n)).collect();
    // One rank alone makes no MPI call in the loop: it checks for a stop
    // itself, as every rank does, every CHECK_STOP_EVERY points or so.
    let check_every = steps_between_checks(u.len());
    for done in 0..steps {
        if done % check_every == 0 {
            inst.check_stop()?;
        }
        let (left, right) = halos(inst, &u)?;
        u = step(left, &u, right);
    }
    let (mpi, comm) = inst.mpi();
    let rod = blocks::gather(mpi, comm, &u, n, 1, 0)?;
    if inst.rank() == 0 {
        if rod != serial(n, steps, || inst.check_stop())? {
            return Err(inst.fail("the rod differs from the serial result"));
        }
        let total: f64 = rod.iter().sum();
        writeln!(
            inst,
            "heat {n} points, {steps} steps: matches the serial result"
        )?;
        writeln!(inst, "middle {:.6}, total heat {total:.6}", rod[n / 2])?;
    }
    Ok(())
}

/// The temperature of point `i` of `n` at the start: the middle third is hot.
fn start(i: usize, n: usize) -> f64 {
    if (n / 3..n - n / 3).contains(&i) {
        HOT
    } else {
        0.0
    }
}

/// The neighbours' edge values (0 past the rod's ends): with each
/// neighbour, one `sendrecv` swaps this rank's edge value for theirs. Rank
/// r swaps with r-1 first, then with r+1, so each pair meets in order.
fn halos(inst: &mut Instance<'_, '_>, u: &[f64]) -> Result<(f64, f64), Failure> {
    let (rank, size) = (inst.rank(), inst.size());
    let (mut left, mut right) = ([0.0], [0.0]);
    let (mpi, comm) = inst.mpi();
    if rank > 0 {
        mpi.sendrecv(
            comm,
            &u[..1],
            rank - 1,
            LEFTWARD,
            &mut left,
            rank - 1,
            RIGHTWARD,
        )?;
    }
    if rank + 1 < size {
        let last = &u[u.len() - 1..];
        mpi.sendrecv(
            comm,
            last,
            rank + 1,
            RIGHTWARD,
            &mut right,
            rank + 1,
            LEFTWARD,
        )?;
    }
    Ok((left[0], right[0]))
}

/// One explicit step: u'ᵢ = uᵢ + α(uᵢ₋₁ − 2uᵢ + uᵢ₊₁), with `left` and
/// `right` the values just outside `u`.
fn step(left: f64, u: &[f64], right: f64) -> Vec<f64> {
    (0..u.len())
        .map(|i| {
            let before = if i == 0 { left } else { u[i - 1] };
            let after = if i + 1 == u.len() { right } else { u[i + 1] };
            u[i] + ALPHA * (before - 2.0 * u[i] + after)
        })
        .collect()
}

/// The whole rod on one rank, calling `check_stop` now and then.
fn serial(
    n: usize,
    steps: usize,
    check_stop: impl Fn() -> Result<(), Failure>,
) -> Result<Vec<f64>, Failure> {
    let mut u: Vec<f64> = (0..n).map(|i| start(i, n)).collect();
    let check_every = steps_between_checks(n);
    for done in 0..steps {
        if done % check_every == 0 {
            check_stop()?;
        }
        u = step(0.0, &u, 0.0);
    }
    Ok(u)
}

/// Steps of `points` points each between two stop checks: about
/// CHECK_STOP_EVERY points, at least one step.
fn steps_between_checks(points: usize) -> usize {
    (crate::CHECK_STOP_EVERY / points.max(1)).max(1)
}
