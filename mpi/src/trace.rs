//! The MPI layer's trace points (target `mpi`): a span per collective call
//! and per point-to-point message, so a trace shows a reduce as nested
//! slices with the messages inside, and an event per fold of a reduce.
//! Names and fields follow docs/tracing.md. The collective spans and the
//! fold event are `tracing`'s (they carry strings, and Lab 5 has students
//! write the event); the per-message spans are probes (the `probe` crate,
//! listed in [`PROBES`]), cheap enough for every message.

use probe::{Entered, Probe, probe};
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

probe!(static SEND = span "mpi.send", target: "mpi", DEBUG, ["comm", "rank", "peer": i64, "tag": i64, "len"]);
probe!(static RECV = span "mpi.recv", target: "mpi", DEBUG, ["comm", "rank", "peer": i64, "tag": i64, "len"]);

/// Every probe of the MPI layer.
pub static PROBES: [&Probe; 2] = [&SEND, &RECV];

/// The field of [`recv`]'s span that [`Entered::record`] fills in once the
/// message is there: its length.
pub(crate) const RECV_LEN: usize = 4;

/// The span of one message sent to rank `peer`, entered while the guard lives.
pub(crate) fn send(comm: &Comm, peer: usize, tag: i32, len: usize) -> Entered {
    SEND.enter(|| {
        let (context, rank) = (u64::from(comm.context()), comm.rank() as u64);
        [
            context,
            rank,
            peer as u64,
            i64::from(tag) as u64,
            len as u64,
        ]
    })
}

/// The span of one message received from rank `peer` (None: any source,
/// recorded as −1), entered while the guard lives.
pub(crate) fn recv(comm: &Comm, peer: Option<usize>, tag: i32, len: usize) -> Entered {
    RECV.enter(|| {
        let (context, rank) = (u64::from(comm.context()), comm.rank() as u64);
        let peer = peer.map_or(-1, |peer| peer as i64);
        [
            context,
            rank,
            peer as u64,
            i64::from(tag) as u64,
            len as u64,
        ]
    })
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
