//! `pingpong`: the seed's VirtIOBus demo as a program. Rank 0 sends "ping"
//! to every other rank in turn and waits for its "pong"; each line says who
//! sent what to whom, as the seed's output does.

use core::fmt::Write;

use crate::args;
use crate::failure::Failure;
use crate::instance::Instance;
use crate::table::Program;

/// The table entry.
pub const PROGRAM: Program = Program {
    name: "pingpong",
    summary: "the seed's VirtIOBus demo: rank 0 pings every other rank, each answers pong",
    usage: "pingpong",
    source: "programs/src/pingpong.rs",
    check: args::none,
    main,
};

/// The tag of both messages.
const TAG: u32 = 1;

fn main(inst: &mut Instance<'_, '_>) -> Result<(), Failure> {
    args::none(inst.args())?;
    if inst.rank() == 0 {
        for dst in 1..inst.size() {
            exchange(inst, dst, b"ping")?;
        }
    } else {
        exchange(inst, 0, b"pong")?;
    }
    Ok(())
}

/// Rank 0 sends `word` to `peer` and prints the answer; the others print
/// what rank 0 sent and answer with `word`.
fn exchange(inst: &mut Instance<'_, '_>, peer: usize, word: &[u8]) -> Result<(), Failure> {
    let starts = inst.rank() == 0;
    let mut heard = [0u8; 4];
    let (mpi, comm) = inst.mpi();
    if starts {
        mpi.send_bytes(comm, peer, TAG, word)?;
    }
    let status = mpi.recv_bytes(comm, peer, TAG, &mut heard)?;
    if !starts {
        mpi.send_bytes(comm, peer, TAG, word)?;
    }
    let text = core::str::from_utf8(&heard[..status.count]).unwrap_or("<not UTF-8>");
    let (from, to) = (inst.comm().cores()[peer], inst.core());
    writeln!(inst, "Core[{from}] -> Core[{to}]: {text}")?;
    Ok(())
}
