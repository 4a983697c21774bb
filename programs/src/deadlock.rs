//! `deadlock`: every rank receives before it sends — rank r waits for rank
//! r+1 (the last for rank 0) — so nobody ever sends. It exists to be
//! diagnosed: `run deadlock` shows the hang report.

use core::fmt::Write;

use crate::args;
use crate::failure::Failure;
use crate::instance::Instance;
use crate::table::Program;

/// The table entry.
pub const PROGRAM: Program = Program {
    name: "deadlock",
    summary: "every rank receives first, so none sends: a hang to diagnose",
    usage: "deadlock",
    source: "programs/src/deadlock.rs",
    check: args::none,
    main,
};

/// The tag of the message nobody sends.
const TAG: u32 = 9;

fn main(inst: &mut Instance<'_, '_>) -> Result<(), Failure> {
    args::none(inst.args())?;
    let (rank, size) = (inst.rank(), inst.size());
    let (from, to) = ((rank + 1) % size, (rank + size - 1) % size);
    writeln!(
        inst,
        "rank {rank}: receive from rank {from}, then send to rank {to}"
    )?;
    let mut word = [0u32];
    let (mpi, comm) = inst.mpi();
    mpi.recv(comm, from, TAG, &mut word)?;
    mpi.send(comm, to, TAG, &word)?;
    Ok(())
}
