//! A trace as a timeline both export formats are written from: per-core
//! slices (span enter/exit), instants (events, drops), send→receive flows
//! and per-queue occupancy counters, sorted by time.

use std::collections::{BTreeMap, BTreeSet};

use trace_wire::{Event, Field, Record, RecordBuf, SpanMark};

use super::flows::{self, End};
use crate::bus::{self, BusOp, QueueId};
use crate::catalog::{Catalog, ValueBuf, View};
use crate::item::Item;
use crate::model::RingState;
use crate::spans::Spans;

/// Name/value pairs shown with a slice or instant.
pub type Args = Vec<(String, ValueBuf)>;

/// Longest an event is drawn for in formats that need a duration.
pub const INSTANT_NS: u64 = 1_000;

/// Which end of a message flow an instant is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowEnd {
    /// The send.
    Start,
    /// The receive.
    Finish,
}

/// What happened at one moment.
#[derive(Clone, Debug, PartialEq)]
pub enum Mark {
    /// A slice opens on the core's track.
    Begin {
        /// Span name.
        name: String,
        /// Target.
        category: String,
        /// Span values.
        args: Args,
    },
    /// The innermost open slice closes.
    End,
    /// An event.
    Instant {
        /// Event name.
        name: String,
        /// Target.
        category: String,
        /// Values.
        args: Args,
        /// Time until the core's next entry, at most [`INSTANT_NS`].
        dur_ns: u64,
        /// The flow this event starts or ends.
        flow: Option<(u64, FlowEnd)>,
    },
    /// A queue's occupancy changed.
    Counter {
        /// The queue.
        queue: QueueId,
        /// Entries published and not yet consumed.
        value: u64,
    },
}

/// One timeline entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Trace time.
    pub ts_ns: u64,
    /// The core's track; `None` for queue counters.
    pub core: Option<u16>,
    /// What happened.
    pub mark: Mark,
}

/// Things the export could not show as they were.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Notes {
    /// Sends with no receive.
    pub unmatched_sends: usize,
    /// Receives with no send.
    pub unmatched_recvs: usize,
    /// Exits of spans entered before the trace began.
    pub orphan_exits: usize,
    /// Spans still open at the end, closed at the last timestamp.
    pub closed_at_end: usize,
    /// Damaged stretches and their bytes.
    pub damaged: (usize, u64),
    /// Records the kernel dropped, as its `Dropped` records count them.
    pub dropped: u64,
}

/// A whole trace, ready to write out.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    /// Producer named by the header.
    pub producer: String,
    /// Every core with a track.
    pub cores: BTreeSet<u16>,
    /// Every queue with a counter.
    pub queues: BTreeSet<QueueId>,
    /// Entries in time order.
    pub entries: Vec<Entry>,
    /// Every matched message: (flow id, send entry, receive entry).
    pub flows: Vec<(u64, usize, usize)>,
    /// What could not be shown faithfully.
    pub notes: Notes,
}

/// Builds a [`Timeline`]: callsites first, then records in time order.
#[derive(Default)]
struct Builder {
    catalog: Catalog,
    spans: Spans,
    rings: BTreeMap<QueueId, RingState>,
    t: Timeline,
    sends: Vec<End>,
    recvs: Vec<End>,
}

impl Timeline {
    /// The timeline of decoded `items`, in any order.
    /// Every record is put on core 0's clock before they are sorted.
    pub fn build(items: &[Item]) -> Timeline {
        let mut b = Builder::default();
        let mut timed: Vec<&RecordBuf> = Vec::new();
        for item in items {
            match item {
                Item::Record(r) if !b.catalog.learn(r) => timed.push(r),
                Item::Record(_) => {}
                Item::Damaged(d) => {
                    b.t.notes.damaged.0 += 1;
                    b.t.notes.damaged.1 += d.len;
                }
            }
        }
        for q in b.catalog.queues().values() {
            let ev = bus::announced(q);
            b.rings.entry(ev.queue).or_default().apply(&ev.op);
        }
        let mut timed: Vec<RecordBuf> = timed
            .into_iter()
            .map(|r| b.catalog.align(r).into_owned())
            .collect();
        timed.sort_by_key(|r| r.ts_ns().unwrap_or(0));
        for r in &timed {
            b.record(r);
        }
        b.finish()
    }
}

impl Builder {
    /// One timestamped record.
    fn record(&mut self, rec: &RecordBuf) {
        if let Some(core) = rec.core() {
            self.t.cores.insert(core);
        }
        match rec {
            Record::Event(e) => self.event(e),
            Record::SpanNew(s) => self.spans.create(s),
            Record::SpanValues(s) => self.spans.record(s),
            Record::SpanEnter(m) => self.enter(m),
            Record::SpanExit(m) => self.exit(m),
            Record::SpanClose(m) => self.spans.close(m.span),
            Record::Dropped(d) => {
                self.t.notes.dropped = self.t.notes.dropped.saturating_add(d.count);
                let args = vec![("count".to_string(), ValueBuf::U64(d.count))];
                self.instant(d.ts_ns, d.core, "dropped".into(), "trace".into(), args);
            }
            // Clock and Queue (version 2) are for the timeline's merge and the
            // ring view; Block never leaves the decoder.
            Record::Header(_)
            | Record::Callsite(_)
            | Record::Block(_)
            | Record::Clock(_)
            | Record::Queue(_) => {}
        }
    }

    /// An event: an instant, plus flow and counter bookkeeping for bus events.
    fn event(&mut self, e: &Event<Vec<Field<String>>>) {
        let view = self.catalog.view(e.callsite, &e.values);
        let (name, category, args, bus_event) = (
            view.name().into_owned(),
            view.target().to_string(),
            args(&view),
            bus::parse(&view),
        );
        let entry = self.instant(e.ts_ns, e.core, name, category, args);
        let Some(ev) = bus_event else { return };
        match ev.op {
            BusOp::Send(msg) => self.sends.push(End {
                entry,
                queue: ev.queue,
                msg,
            }),
            BusOp::Recv(msg) => self.recvs.push(End {
                entry,
                queue: ev.queue,
                msg,
            }),
            _ => {}
        }
        let ring = self.rings.entry(ev.queue).or_default();
        let before = ring.in_flight();
        ring.apply(&ev.op);
        let after = ring.in_flight();
        // Insert first: `||` must not skip declaring a queue whose first
        // event already moves its count (its counter track would be missing).
        let first_seen = self.t.queues.insert(ev.queue);
        if before != after || first_seen {
            let mark = Mark::Counter {
                queue: ev.queue,
                value: after.into(),
            };
            self.t.entries.push(Entry {
                ts_ns: e.ts_ns,
                core: None,
                mark,
            });
        }
    }

    /// A span entered: a slice begins.
    fn enter(&mut self, m: &SpanMark) {
        self.spans.enter(m.core, m.span);
        let (name, category, args) = match self.spans.get(m.span) {
            Some(info) => {
                let view = self.catalog.view(info.callsite, &info.values);
                (
                    view.name().into_owned(),
                    view.target().to_string(),
                    args(&view),
                )
            }
            None => (format!("span {}", m.span), String::new(), Vec::new()),
        };
        self.push(
            m.ts_ns,
            m.core,
            Mark::Begin {
                name,
                category,
                args,
            },
        );
    }

    /// A span left: its slice ends, and any entered after it and not left.
    fn exit(&mut self, m: &SpanMark) {
        let ended = self.spans.exit(m.core, m.span);
        if ended.is_empty() {
            self.t.notes.orphan_exits += 1;
        }
        for _ in ended {
            self.push(m.ts_ns, m.core, Mark::End);
        }
    }

    /// Adds an instant; returns its entry index.
    fn instant(
        &mut self,
        ts_ns: u64,
        core: u16,
        name: String,
        category: String,
        args: Args,
    ) -> usize {
        self.push(
            ts_ns,
            core,
            Mark::Instant {
                name,
                category,
                args,
                dur_ns: 0,
                flow: None,
            },
        )
    }

    /// Adds an entry on a core's track; returns its index.
    fn push(&mut self, ts_ns: u64, core: u16, mark: Mark) -> usize {
        self.t.entries.push(Entry {
            ts_ns,
            core: Some(core),
            mark,
        });
        self.t.entries.len() - 1
    }

    /// Closes what is open, pairs flows, sizes instants.
    fn finish(mut self) -> Timeline {
        self.t.producer = self
            .catalog
            .header()
            .map_or_else(|| "ringlab".to_string(), |h| h.producer.clone());
        let last = self.t.entries.iter().map(|e| e.ts_ns).max().unwrap_or(0);
        let open: Vec<(u16, usize)> = self.spans.open().map(|(c, s)| (c, s.len())).collect();
        for (core, depth) in open {
            self.t.notes.closed_at_end += depth;
            for _ in 0..depth {
                self.push(last, core, Mark::End);
            }
        }
        self.link_flows();
        size_instants(&mut self.t.entries);
        self.t
    }

    /// Gives each matched send and receive the same flow id.
    fn link_flows(&mut self) {
        let m = flows::pair(&self.sends, &self.recvs);
        self.t.notes.unmatched_sends = m.unmatched_sends;
        self.t.notes.unmatched_recvs = m.unmatched_recvs;
        for (n, (send, recv)) in m.pairs.into_iter().enumerate() {
            let id = n as u64 + 1;
            set_flow(&mut self.t.entries[send], id, FlowEnd::Start);
            set_flow(&mut self.t.entries[recv], id, FlowEnd::Finish);
            self.t.flows.push((id, send, recv));
        }
    }
}

/// A view's values as export arguments.
fn args(view: &View<'_>) -> Args {
    view.pairs()
        .into_iter()
        .map(|(k, v)| (k.into_owned(), v.clone()))
        .collect()
}

/// Marks an instant as one end of flow `id`.
fn set_flow(entry: &mut Entry, id: u64, end: FlowEnd) {
    if let Mark::Instant { flow, .. } = &mut entry.mark {
        *flow = Some((id, end));
    }
}

/// Gives each instant a duration: up to the next entry on its core, at
/// most [`INSTANT_NS`], so the small slices formats need never overlap a
/// span's end.
fn size_instants(entries: &mut [Entry]) {
    let mut next_on_core: BTreeMap<u16, u64> = BTreeMap::new();
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&i| (entries[i].ts_ns, i));
    for &i in order.iter().rev() {
        let Some(core) = entries[i].core else {
            continue;
        };
        let ts = entries[i].ts_ns;
        if let Mark::Instant { dur_ns, .. } = &mut entries[i].mark {
            let next = next_on_core
                .get(&core)
                .copied()
                .unwrap_or(ts.saturating_add(INSTANT_NS));
            *dur_ns = next.saturating_sub(ts).min(INSTANT_NS);
        }
        next_on_core.insert(core, ts);
    }
}
