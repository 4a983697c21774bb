//! The MPI layer's trace points (target `mpi`): a span per collective call
//! and per point-to-point message, so a trace shows a reduce as nested
//! slices with the messages inside, and an event per fold of a reduce.
//! Names and fields follow docs/tracing.md. Free when no subscriber listens.

use tracing::Span;

use crate::collective::Call;
use crate::comm::Comm;
use crate::demo::Collective;
use crate::op::Op;

/// The span of one collective call on this rank.
pub(crate) fn collective(call: &Call, comm: &Comm) -> Span {
    macro_rules! span {
        ($name:literal) => {
            tracing::info_span!(target: "mpi", $name,
                comm = comm.context(), rank = comm.rank(), size = comm.size(), root = call.root,
                algorithm = call.algo.name(), count = call.count, op = call.op.map(Op::name))
        };
    }
    match call.kind {
        Collective::Barrier => span!("mpi.barrier"),
        Collective::Bcast => span!("mpi.bcast"),
        Collective::Reduce => span!("mpi.reduce"),
        Collective::Allreduce => span!("mpi.allreduce"),
        Collective::Gather => span!("mpi.gather"),
        Collective::Scatter => span!("mpi.scatter"),
        Collective::Allgather => span!("mpi.allgather"),
    }
}

/// The span of one message sent to rank `peer`.
pub(crate) fn send(comm: &Comm, peer: usize, tag: i32, len: usize) -> Span {
    tracing::debug_span!(target: "mpi", "mpi.send", comm = comm.context(), rank = comm.rank(), peer = peer, tag = tag, len = len)
}

/// The span of one message received from rank `peer` (None: any source).
pub(crate) fn recv(comm: &Comm, peer: Option<usize>, tag: i32, len: usize) -> Span {
    tracing::debug_span!(target: "mpi", "mpi.recv", comm = comm.context(), rank = comm.rank(), peer = peer, tag = tag, len = len)
}

/// Rank `rank` folded the `count` elements it received from rank `peer`
/// into its result with `op` (an event in the enclosing reduce's span).
/// Lab 5 (docs/labs/5-trace.md) has students write this event; its student
/// version builds the stub below instead.
#[cfg(not(feature = "lab-trace"))]
pub(crate) fn combine(rank: usize, peer: usize, count: usize, op: Op) {
    tracing::event!(name: "mpi.combine", target: "mpi", tracing::Level::DEBUG,
        rank = rank, peer = peer, count = count, op = op.name());
}

/// Lab 5's student version: no event, so `mpi.combine` is never in a trace.
#[cfg(feature = "lab-trace")]
pub(crate) fn combine(_rank: usize, _peer: usize, _count: usize, _op: Op) {
    // LAB 5: emit the `mpi.combine` event that docs/labs/5-trace.md describes.
}
