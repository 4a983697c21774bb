//! The MPI layer's trace points (target `mpi`): a span per collective call
//! and per point-to-point message, so a trace shows a reduce as nested
//! slices with the messages inside, and an event per fold of a reduce.
//! Names and fields follow docs/tracing.md. The collective and per-message
//! spans are probes (the `probe` crate, listed in [`PROBES`]; a collective's
//! `algorithm` and `op` are names the recorder interns); the fold event is
//! `tracing`'s, since Lab 5 has students write it.

use probe::{Entered, Probe, probe};

use crate::Algorithm;
use crate::collective::{Call, Kind};
use crate::comm::Comm;
use crate::datatype::Datatype;
use crate::demo::Collective;
use crate::op::Op;
use crate::reduction::Reduction;

/// The names of `$ty::ALL`, each at its index, which is its discriminant
/// (checked at compile time): how an `algorithm` or `op` field's value
/// (`as u64`) finds its name.
macro_rules! names {
    ($ty:ty) => {{
        let mut names = [""; <$ty>::ALL.len()];
        let mut i = 0;
        while i < names.len() {
            assert!(<$ty>::ALL[i] as usize == i, "ALL is in declaration order");
            names[i] = <$ty>::ALL[i].name();
            i += 1;
        }
        names
    }};
}

/// `algorithm`'s names.
static ALGORITHMS: [&str; Algorithm::ALL.len()] = names!(Algorithm);
/// `op`'s names (a user-defined op's is not among them: its `op` is left
/// out of the record).
static OPS: [&str; Op::ALL.len()] = names!(Op);

/// Declares one collective's span probe: the same fields for every one.
macro_rules! collective_probe {
    ($ident:ident = $name:literal) => {
        probe!(static $ident = span $name, target: "mpi", INFO,
            ["comm", "rank", "size", "root": maybe, "algorithm": str(&ALGORITHMS), "count", "op": str(&OPS)]);
    };
}

collective_probe!(BARRIER = "mpi.barrier");
collective_probe!(BCAST = "mpi.bcast");
collective_probe!(REDUCE = "mpi.reduce");
collective_probe!(ALLREDUCE = "mpi.allreduce");
collective_probe!(GATHER = "mpi.gather");
collective_probe!(SCATTER = "mpi.scatter");
collective_probe!(ALLGATHER = "mpi.allgather");
collective_probe!(SCAN = "mpi.scan");
collective_probe!(EXSCAN = "mpi.exscan");
collective_probe!(ALLTOALL = "mpi.alltoall");
collective_probe!(REDUCE_SCATTER = "mpi.reduce_scatter");
collective_probe!(REDUCE_SCATTER_BLOCK = "mpi.reduce_scatter_block");

/// The span of one collective call on this rank, entered while the guard
/// lives.
pub(crate) fn collective<D: Datatype>(call: &Call<'_, D>, comm: &Comm) -> Entered {
    let probe = match call.kind {
        Kind::Demo(Collective::Barrier) => &BARRIER,
        Kind::Demo(Collective::Bcast) => &BCAST,
        Kind::Demo(Collective::Reduce) => &REDUCE,
        Kind::Demo(Collective::Allreduce) => &ALLREDUCE,
        Kind::Demo(Collective::Gather) => &GATHER,
        Kind::Demo(Collective::Scatter) => &SCATTER,
        Kind::Demo(Collective::Allgather) => &ALLGATHER,
        Kind::Scan => &SCAN,
        Kind::Exscan => &EXSCAN,
        Kind::Alltoall => &ALLTOALL,
        Kind::ReduceScatter => &REDUCE_SCATTER,
        Kind::ReduceScatterBlock => &REDUCE_SCATTER_BLOCK,
    };
    probe.enter(|| {
        [
            u64::from(comm.context()),
            comm.rank() as u64,
            comm.size() as u64,
            probe::maybe(call.root),
            call.algo as u64,
            call.count as u64,
            match call.op {
                Some(Reduction::Builtin(op)) => op as u64,
                Some(Reduction::User(_)) | None => probe::ABSENT,
            },
        ]
    })
}

probe!(static SEND = span "mpi.send", target: "mpi", DEBUG, ["comm", "rank", "peer": i64, "tag": i64, "len"]);
probe!(static RECV = span "mpi.recv", target: "mpi", DEBUG, ["comm", "rank", "peer": i64, "tag": i64, "len"]);

/// Every probe of the MPI layer.
pub static PROBES: [&Probe; 14] = [
    &BARRIER,
    &BCAST,
    &REDUCE,
    &ALLREDUCE,
    &GATHER,
    &SCATTER,
    &ALLGATHER,
    &SCAN,
    &EXSCAN,
    &ALLTOALL,
    &REDUCE_SCATTER,
    &REDUCE_SCATTER_BLOCK,
    &SEND,
    &RECV,
];

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
