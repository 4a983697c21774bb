//! `ring K`: a token goes around the ranks K times; each rank adds its rank
//! to it as it passes. The root prints the token after each lap and checks
//! the end value, K·N·(N−1)/2.

use core::fmt::Write;

use crate::args;
use crate::failure::Failure;
use crate::instance::Instance;
use crate::table::Program;

/// The table entry.
pub const PROGRAM: Program = Program {
    name: "ring",
    summary: "pass a token K times around the ranks, each adding its rank",
    usage: "ring K",
    source: "programs/src/ring.rs",
    check,
    main,
};

/// The most laps.
const MAX_LAPS: usize = 1_000_000;

/// The token's tag.
const TAG: u32 = 7;

fn check(args: &[&str]) -> Result<(), Failure> {
    args::counts(args, ["K"], MAX_LAPS).map(drop)
}

fn main(inst: &mut Instance<'_, '_>) -> Result<(), Failure> {
    let [laps] = args::counts(inst.args(), ["K"], MAX_LAPS)?;
    let mut token = [0u64];
    for lap in 1..=laps {
        pass(inst, &mut token)?;
        if inst.rank() == 0 {
            writeln!(inst, "lap {lap}: token {}", token[0])?;
        }
    }
    if inst.rank() == 0 {
        let n = inst.size() as u64;
        let expected = laps as u64 * n * (n - 1) / 2;
        if token[0] != expected {
            return Err(inst.fail(alloc::format!("token {} != {expected}", token[0])));
        }
        writeln!(inst, "success! token {expected} after {laps} laps")?;
    }
    Ok(())
}

/// One lap: rank 0 sends the token on and gets it back from the last rank;
/// every other rank receives it, adds its rank and sends it on.
fn pass(inst: &mut Instance<'_, '_>, token: &mut [u64; 1]) -> Result<(), Failure> {
    let (rank, size) = (inst.rank(), inst.size());
    let (next, prev) = ((rank + 1) % size, (rank + size - 1) % size);
    let (mpi, comm) = inst.mpi();
    if rank == 0 {
        mpi.send(comm, next, TAG, &token[..])?;
        mpi.recv(comm, prev, TAG, &mut token[..])?;
    } else {
        mpi.recv(comm, prev, TAG, &mut token[..])?;
        token[0] += rank as u64;
        mpi.send(comm, next, TAG, &token[..])?;
    }
    Ok(())
}
