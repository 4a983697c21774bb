//! `toro-reduce`: the seed's program line by line. Every rank fills a vector
//! with its rank and says hello; MPI_SUM reduces the vectors to the root,
//! which checks every element against (N-1)·N/2.

use core::fmt::Write;

use mpi::{Algorithm, Op};

use crate::args;
use crate::failure::Failure;
use crate::instance::Instance;
use crate::table::Program;

/// The table entry.
pub const PROGRAM: Program = Program {
    name: "toro-reduce",
    summary: "the seed's MPI_Reduce demo: sum every rank's vector at the root and check it",
    usage: "toro-reduce",
    source: "programs/src/toro_reduce.rs",
    check: args::none,
    main,
};

/// The seed's `VECTOR_LEN`.
const VECTOR_LEN: usize = 64;

/// The root rank.
const ROOT: usize = 0;

fn main(inst: &mut Instance<'_, '_>) -> Result<(), Failure> {
    args::none(inst.args())?;
    let rank = inst.rank();
    let r = [rank as i32; VECTOR_LEN];
    let mut s = [0i32; VECTOR_LEN];
    writeln!(inst, "hello from core {}", inst.core())?;
    let (mpi, comm) = inst.mpi();
    mpi.reduce(comm, &r, &mut s, Op::Sum, ROOT, Algorithm::Tree)?;
    if rank == ROOT {
        let n = inst.size() as i32;
        // Sum = ((N - 1) * N) / 2
        if s.iter().any(|&v| v != (n - 1) * n / 2) {
            writeln!(inst, "failed!, core: {}", inst.core())?;
            return Err(inst.fail("the reduced vector is wrong"));
        }
        writeln!(inst, "success! value: {}", s[VECTOR_LEN - 1])?;
    }
    Ok(())
}
