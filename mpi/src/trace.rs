//! The MPI layer's trace points (target `mpi`): a span per collective call
//! and per point-to-point message, so a trace shows a reduce as nested
//! slices with the messages inside, and an event per fold of a reduce.
//! Names and fields follow docs/tracing.md. Free when no subscriber listens.

use tracing::Span;

use crate::collective::{Call, Kind};
use crate::comm::Comm;
use crate::datatype::Datatype;
use crate::demo::Collective;

/// The span of one collective call on this rank.
pub(crate) fn collective<D: Datatype>(call: &Call<'_, D>, comm: &Comm) -> Span {
    macro_rules! span {
        ($name:literal) => {
            tracing::info_span!(target: "mpi", $name,
                comm = comm.context(), rank = comm.rank(), size = comm.size(), root = call.root,
                algorithm = call.algo.name(), count = call.count, op = call.op.map(|op| op.name()))
        };
    }
    match call.kind {
        Kind::Demo(Collective::Barrier) => span!("mpi.barrier"),
        Kind::Demo(Collective::Bcast) => span!("mpi.bcast"),
        Kind::Demo(Collective::Reduce) => span!("mpi.reduce"),
        Kind::Demo(Collective::Allreduce) => span!("mpi.allreduce"),
        Kind::Demo(Collective::Gather) => span!("mpi.gather"),
        Kind::Demo(Collective::Scatter) => span!("mpi.scatter"),
        Kind::Demo(Collective::Allgather) => span!("mpi.allgather"),
        Kind::Scan => span!("mpi.scan"),
        Kind::Exscan => span!("mpi.exscan"),
        Kind::Alltoall => span!("mpi.alltoall"),
        Kind::ReduceScatter => span!("mpi.reduce_scatter"),
        Kind::ReduceScatterBlock => span!("mpi.reduce_scatter_block"),
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
pub(crate) fn combine(rank: usize, peer: usize, count: usize, op: &str) {
    tracing::event!(name: "mpi.combine", target: "mpi", tracing::Level::DEBUG,
        rank = rank, peer = peer, count = count, op = op);
}

/// Lab 5's student version: no event, so `mpi.combine` is never in a trace.
#[cfg(feature = "lab-trace")]
pub(crate) fn combine(_rank: usize, _peer: usize, _count: usize, _op: &str) {
    // LAB 5: emit the `mpi.combine` event that docs/labs/5-trace.md describes.
}
