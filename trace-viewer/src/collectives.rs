//! Per-collective statistics: every call of a collective (the spans all
//! ranks opened for it), each rank's time in it, the imbalance (slowest
//! rank minus fastest) and the messages and bytes per pair of cores sent
//! inside it. Fed records in per-core order, times on core 0's clock.

use std::collections::{BTreeMap, HashMap};

use trace_wire::contract::{field, mpi};
use trace_wire::{Record, RecordBuf, SpanMark};

use crate::bus::{self, BusOp, QueueId};
use crate::catalog::{Catalog, View};

/// One rank's part in a collective call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RankTime {
    /// The core it ran on.
    pub core: u16,
    /// When it first entered the call's span.
    pub begin_ns: u64,
    /// When it last left it (`None` while still inside).
    pub end_ns: Option<u64>,
}

impl RankTime {
    /// Time inside the call, once it has left.
    pub fn time_ns(&self) -> Option<u64> {
        self.end_ns.map(|e| e.saturating_sub(self.begin_ns))
    }
}

/// Messages and bytes one queue carried inside a call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PairCount {
    /// `bus.send` events.
    pub messages: u64,
    /// Their bytes.
    pub bytes: u64,
}

/// The calls of one collective on one communicator are told apart by
/// their number: each rank's n-th call is the same call (MPI's rule that
/// every rank calls collectives in the same order).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId {
    /// The span name, e.g. `mpi.reduce`.
    pub name: String,
    /// The communicator.
    pub comm: u64,
    /// The call's number on that communicator, from 1.
    pub number: u64,
}

/// One collective call.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Call {
    /// Its `algorithm` field, if given.
    pub algorithm: Option<String>,
    /// Its `root` field, if given.
    pub root: Option<u64>,
    /// Each rank's time, by rank.
    pub ranks: BTreeMap<u64, RankTime>,
    /// Traffic per queue sent inside it.
    pub pairs: BTreeMap<QueueId, PairCount>,
}

impl Call {
    /// (slowest rank, fastest rank, slowest − fastest time), over ranks
    /// that have left the call.
    pub fn imbalance(&self) -> Option<(u64, u64, u64)> {
        let times = self
            .ranks
            .iter()
            .filter_map(|(&r, t)| Some((t.time_ns()?, r)));
        let (slow, fast) = times.fold(None, |acc: Option<((u64, u64), (u64, u64))>, x| {
            Some(acc.map_or((x, x), |(s, f)| (s.max(x), f.min(x))))
        })?;
        Some((slow.1, fast.1, slow.0 - fast.0))
    }

    /// Messages and bytes in all.
    pub fn total(&self) -> PairCount {
        self.pairs
            .values()
            .fold(PairCount::default(), |a, p| PairCount {
                messages: a.messages + p.messages,
                bytes: a.bytes + p.bytes,
            })
    }
}

/// Where one live collective span belongs.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Open {
    call: CallId,
    rank: u64,
}

/// Builds the calls from records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Collectives {
    /// Every call, by id.
    pub calls: BTreeMap<CallId, Call>,
    /// Live collective spans by span id.
    live: HashMap<u64, Open>,
    /// Each core's entered collective spans, innermost last.
    entered: BTreeMap<u16, Vec<u64>>,
    /// Calls each (name, comm, rank) has made.
    made: HashMap<(String, u64, u64), u64>,
}

impl Collectives {
    /// Takes in one timestamped record (on core 0's clock).
    pub fn record(&mut self, catalog: &Catalog, rec: &RecordBuf) {
        match rec {
            Record::SpanNew(s) => self.create(s.span, &catalog.view(s.callsite, &s.values)),
            Record::SpanEnter(m) => self.enter(m),
            Record::SpanExit(m) => self.exit(m),
            Record::SpanClose(m) => {
                self.live.remove(&m.span);
            }
            Record::Event(e) => {
                let view = catalog.view(e.callsite, &e.values);
                if let Some(ev) = bus::parse(&view) {
                    self.bus(e.core, ev.queue, &ev.op);
                }
            }
            _ => {}
        }
    }

    /// The calls in the order they began.
    pub fn in_order(&self) -> Vec<(&CallId, &Call)> {
        let mut v: Vec<_> = self.calls.iter().collect();
        v.sort_by_key(|(id, c)| (c.ranks.values().map(|r| r.begin_ns).min(), (*id).clone()));
        v
    }

    /// A span was created: remembered when it is a collective's.
    fn create(&mut self, span: u64, view: &View<'_>) {
        let name = view.name();
        if !is_collective(&name) {
            return;
        }
        let (comm, rank) = (view.u64(field::COMM).unwrap_or(0), view.u64(field::RANK));
        let rank = rank.unwrap_or(u64::MAX);
        let made = self.made.entry((name.to_string(), comm, rank)).or_default();
        *made += 1;
        let call = CallId {
            name: name.into_owned(),
            comm,
            number: *made,
        };
        let c = self.calls.entry(call.clone()).or_default();
        c.algorithm = c
            .algorithm
            .take()
            .or(view.get(field::ALGORITHM).map(|v| v.to_string()));
        c.root = c.root.or(view.u64(field::ROOT));
        self.live.insert(span, Open { call, rank });
    }

    /// A core entered a span: the rank's time starts at its first entry.
    fn enter(&mut self, m: &SpanMark) {
        let Some(open) = self.live.get(&m.span) else {
            return;
        };
        self.entered.entry(m.core).or_default().push(m.span);
        let call = self.calls.entry(open.call.clone()).or_default();
        call.ranks.entry(open.rank).or_insert(RankTime {
            core: m.core,
            begin_ns: m.ts_ns,
            end_ns: None,
        });
    }

    /// A core left a span: the rank's time ends at its last exit.
    fn exit(&mut self, m: &SpanMark) {
        let Some(open) = self.live.get(&m.span) else {
            return;
        };
        if let Some(stack) = self.entered.get_mut(&m.core) {
            stack.retain(|&s| s != m.span);
        }
        let call = self.calls.entry(open.call.clone()).or_default();
        if let Some(t) = call.ranks.get_mut(&open.rank) {
            t.end_ns = Some(m.ts_ns);
        }
    }

    /// A bus event on `core`: a send counts for the call it is inside.
    fn bus(&mut self, core: u16, queue: QueueId, op: &BusOp) {
        let BusOp::Send(msg) = op else { return };
        let Some(open) = self
            .entered
            .get(&core)
            .and_then(|s| s.last())
            .and_then(|span| self.live.get(span))
        else {
            return;
        };
        let pair = self
            .calls
            .entry(open.call.clone())
            .or_default()
            .pairs
            .entry(queue)
            .or_default();
        pair.messages += 1;
        pair.bytes += msg.len;
    }
}

/// Whether a span named `name` is a collective: an MPI span that is not a
/// point-to-point one.
pub fn is_collective(name: &str) -> bool {
    name.starts_with(mpi::PREFIX) && name != mpi::SEND && name != mpi::RECV
}
