//! A synthetic ringlab kernel, so the viewer can be built, tested and tried
//! before the kernel is instrumented: it emits the contract's records for a
//! linear reduce, a ping-pong and a stalling burst over simulated queues.

mod queue;
mod sites;
mod writer;

use std::collections::BTreeMap;

use trace_wire::Value::{Str, U64};
use trace_wire::contract::{mpi, shell};
use trace_wire::{EncodeError, MAX_FRAME, RecordBuf, encode_frame};

pub use queue::SimQueue;
pub use sites::{SITES, SiteDef, site};
pub use writer::Writer;

/// Entries per simulated ring: small, so wrap-around shows quickly.
pub const QUEUE_SIZE: u16 = 16;
/// Bytes per simulated buffer (bus/'s default).
pub const BUF_SIZE: u64 = 1024;
/// How often the simulated kernel drains its per-core buffers.
pub const DRAIN_NS: u64 = 100_000;
/// Bytes of one reduce contribution: 64 four-byte integers, as in Toro's demo.
const REDUCE_BYTES: u64 = 256;

/// A simulated machine: a writer and one queue per ordered pair of cores.
#[derive(Debug)]
pub struct Sim {
    /// Where records go.
    w: Writer,
    /// Queues by (src, dst).
    queues: BTreeMap<(u16, u16), SimQueue>,
    /// Cores.
    cores: u16,
    /// Trace time after the bus was built.
    pub start_ns: u64,
}

impl Sim {
    /// A machine of `cores` cores whose bus is built at 1 µs.
    pub fn new(cores: u16) -> Self {
        let mut w = Writer::new(cores);
        let mut queues = BTreeMap::new();
        let mut ts = 1_000;
        for src in 0..cores {
            for dst in (0..cores).filter(|&d| d != src) {
                let (q, after) = SimQueue::init(&mut w, (src, dst), QUEUE_SIZE, BUF_SIZE, ts);
                queues.insert((src, dst), q);
                ts = after;
            }
        }
        Self {
            w,
            queues,
            cores,
            start_ns: ts,
        }
    }

    /// The writer, for spans and drops.
    pub fn writer(&mut self) -> &mut Writer {
        &mut self.w
    }

    /// `src` sends `len` bytes to `dst`; the time after, or `None` on a stall.
    pub fn send(&mut self, src: u16, dst: u16, ts_ns: u64, len: u64) -> Option<u64> {
        self.queues
            .get_mut(&(src, dst))?
            .send(&mut self.w, ts_ns, len)
    }

    /// `dst` receives the oldest message from `src`; `None` if there is none.
    pub fn recv(&mut self, src: u16, dst: u16, ts_ns: u64) -> Option<u64> {
        self.queues.get_mut(&(src, dst))?.recv(&mut self.w, ts_ns)
    }

    /// The records, in time order.
    pub fn finish(self) -> Vec<RecordBuf> {
        self.w.finish()
    }

    /// The records, drained per core every `period_ns`, as the kernel
    /// would send them.
    pub fn finish_drained(self, period_ns: u64) -> Vec<RecordBuf> {
        self.w.finish_drained(period_ns)
    }
}

/// A shell command `line` on core 0 that runs a linear reduce to `root`
/// over every core, starting at `ts_ns`. Returns when it ended.
pub fn linear_reduce(sim: &mut Sim, root: u16, ts_ns: u64) -> u64 {
    let cmd = sim.w.enter_new(
        0,
        ts_ns,
        shell::COMMAND,
        &[("command", Str("reduce")), ("line", Str("reduce sum 64"))],
    );
    let t0 = ts_ns + 2_000;
    let mut arrived = BTreeMap::new();
    let mut spans = BTreeMap::new();
    for rank in 0..sim.cores {
        let fields = collective(rank, sim.cores, root);
        spans.insert(
            rank,
            sim.w
                .enter_new(rank, t0 + u64::from(rank) * 100, mpi::REDUCE, &fields),
        );
    }
    for rank in (0..sim.cores).filter(|&r| r != root) {
        let start = t0 + u64::from(rank) * 100 + 200;
        let p2p = sim.w.enter_new(rank, start, mpi::SEND, &p2p(rank, root));
        let sent = sim
            .send(rank, root, start + 100, REDUCE_BYTES)
            .unwrap_or(start + 100);
        sim.w.exit_close(rank, sent + 50, p2p);
        sim.w.exit_close(rank, sent + 100, spans[&rank]);
        arrived.insert(rank, sent);
    }
    let mut ts = t0 + 300;
    for (&src, &sent) in &arrived {
        let p2p = sim.w.enter_new(root, ts, mpi::RECV, &p2p(root, src));
        let got = sim.recv(src, root, ts.max(sent) + 150).unwrap_or(ts);
        sim.w.exit_close(root, got + 50, p2p);
        ts = got + 600;
    }
    sim.w.exit_close(root, ts, spans[&root]);
    sim.w.exit_close(0, ts + 1_000, cmd);
    ts + 1_000
}

/// `rounds` round trips between cores `a` and `b` from `ts_ns`, each side
/// inside an `mpi.send` / `mpi.recv` span. Returns when it ended.
pub fn ping_pong(sim: &mut Sim, a: u16, b: u16, rounds: u32, ts_ns: u64) -> u64 {
    let mut ts = ts_ns;
    for _ in 0..rounds {
        ts = one_way(sim, a, b, ts);
        ts = one_way(sim, b, a, ts);
    }
    ts
}

/// One message from `src` to `dst` with its p2p spans on both sides.
fn one_way(sim: &mut Sim, src: u16, dst: u16, ts_ns: u64) -> u64 {
    let send = sim.w.enter_new(src, ts_ns, mpi::SEND, &p2p(src, dst));
    let recv = sim.w.enter_new(dst, ts_ns + 30, mpi::RECV, &p2p(dst, src));
    let sent = sim.send(src, dst, ts_ns + 80, 64).unwrap_or(ts_ns + 80);
    sim.w.exit_close(src, sent + 40, send);
    let got = sim.recv(src, dst, sent + 200).unwrap_or(sent + 200);
    sim.w.exit_close(dst, got + 40, recv);
    got + 300
}

/// `count` one-buffer messages from `src` to a `dst` that falls behind: the
/// ring fills, the sender stalls, then the receiver drains it all.
pub fn burst(sim: &mut Sim, src: u16, dst: u16, count: u32, ts_ns: u64) -> u64 {
    let mut ts = ts_ns;
    for _ in 0..count {
        ts = match sim.send(src, dst, ts, 512) {
            Some(after) => after + 50,
            None => {
                let drained = drain(sim, src, dst, ts + 2_000);
                sim.send(src, dst, drained, 512).unwrap_or(drained) + 50
            }
        };
    }
    drain(sim, src, dst, ts + 500)
}

/// `dst` receives everything waiting from `src`.
fn drain(sim: &mut Sim, src: u16, dst: u16, ts_ns: u64) -> u64 {
    let mut ts = ts_ns;
    while let Some(after) = sim.recv(src, dst, ts) {
        ts = after + 100;
    }
    ts
}

/// The fields of a collective span.
fn collective(
    rank: u16,
    size: u16,
    root: u16,
) -> [(&'static str, trace_wire::Value<&'static str>); 7] {
    [
        ("comm", U64(0)),
        ("rank", U64(rank.into())),
        ("size", U64(size.into())),
        ("root", U64(root.into())),
        ("algorithm", Str("linear")),
        ("count", U64(64)),
        ("op", Str("sum")),
    ]
}

/// The fields of a point-to-point span.
fn p2p(rank: u16, peer: u16) -> [(&'static str, trace_wire::Value<&'static str>); 5] {
    [
        ("comm", U64(0)),
        ("rank", U64(rank.into())),
        ("peer", U64(peer.into())),
        ("tag", U64(0)),
        ("len", U64(256)),
    ]
}

/// The records of one linear reduce to core 0 on `cores` cores.
pub fn linear_reduce_trace(cores: u16) -> Vec<RecordBuf> {
    let mut sim = Sim::new(cores);
    let start = sim.start_ns + 10_000;
    linear_reduce(&mut sim, 0, start);
    sim.finish()
}

/// A demo of `seconds` seconds on `cores` cores (at least 2): four times a
/// second a reduce and a ping-pong; every two seconds a stalling burst and
/// a dropped-records report. Drained per core every 100 µs, as the kernel
/// sends.
pub fn demo_trace(cores: u16, seconds: u32) -> Vec<RecordBuf> {
    let cores = cores.max(2);
    let mut sim = Sim::new(cores);
    for tick in 0..seconds * 4 {
        let t = sim.start_ns + u64::from(tick) * 250_000_000;
        let t = linear_reduce(&mut sim, 0, t);
        let t = ping_pong(&mut sim, 0, 1, 5, t + 10_000);
        if tick % 8 == 7 {
            let t = burst(
                &mut sim,
                cores - 1,
                cores - 2,
                3 * u32::from(QUEUE_SIZE) / 2,
                t + 10_000,
            );
            sim.writer().dropped(cores - 1, t + 1_000, 7);
        }
    }
    sim.finish_drained(DRAIN_NS)
}

/// Encodes records into a byte stream, as COM2 would carry it.
pub fn encode(records: &[RecordBuf]) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::new();
    let mut buf = [0u8; MAX_FRAME];
    for r in records {
        out.extend_from_slice(encode_frame(r, &mut buf)?);
    }
    Ok(out)
}
