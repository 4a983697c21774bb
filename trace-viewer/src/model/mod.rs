//! The live picture the TUI draws, updated one decoded item at a time:
//! callsites, spans, every queue's ring, the message matrix, per-core
//! activity, the timeline's lanes, the log and the loss counters, all on
//! core 0's clock. Drawing is in ui/.

mod cores;
mod lanes;
mod log;
mod ring;
mod window;

use std::collections::BTreeMap;

use trace_wire::{DecodeError, Event, Field, Level, Record, RecordBuf, SpanMark};

pub use cores::CoreActivity;
pub use lanes::{Bar, LANES_KEPT, Lanes, MessageEnd, MessageLine};
pub use log::{Filter, LOG_LINES, Log, LogLine};
pub use ring::{RingState, Slot, SlotState};
pub use window::{WINDOW_NS, Window};

use crate::bus::{self, BusOp, QueueId};
use crate::catalog::Catalog;
use crate::item::Item;
use crate::spans::Spans;

/// Losses and totals, all shown in the status line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Items applied.
    pub items: u64,
    /// Records applied.
    pub records: u64,
    /// Records the kernel reported dropped.
    pub dropped: u64,
    /// Damaged stretches.
    pub damaged: u64,
    /// Bytes in them.
    pub damaged_bytes: u64,
    /// Records naming a callsite that was never described.
    pub unknown_callsite: u64,
}

/// Everything the screens show.
#[derive(Clone, Debug, Default)]
pub struct Model {
    /// Callsites and header.
    pub catalog: Catalog,
    /// Live spans and core stacks.
    pub spans: Spans,
    /// Each queue seen.
    pub rings: BTreeMap<QueueId, RingState>,
    /// Messages sent per queue.
    pub messages: Window<QueueId>,
    /// Per-core activity.
    pub cores: CoreActivity,
    /// Spans and messages for the timeline.
    pub lanes: Lanes,
    /// The event log.
    pub log: Log,
    /// Totals and losses.
    pub counts: Counts,
    /// The latest trace time seen.
    pub now_ns: u64,
}

impl Model {
    /// Takes in one decoded item.
    pub fn apply(&mut self, item: &Item) {
        self.counts.items += 1;
        match item {
            Item::Record(rec) => self.apply_record(rec),
            Item::Damaged(d) => self.damaged(d),
        }
    }

    /// Cores to show: from the header, else the highest seen plus one.
    pub fn core_count(&self) -> u16 {
        let seen = self.cores.max_core().map_or(0, |c| c + 1);
        let queues = self
            .rings
            .keys()
            .map(|q| q.src.max(q.dst) + 1)
            .max()
            .unwrap_or(0);
        let header = self.catalog.header().map_or(0, |h| h.cores);
        header.max(seen).max(queues).max(1)
    }

    /// Takes in one record.
    fn apply_record(&mut self, rec: &RecordBuf) {
        self.counts.records += 1;
        if self.catalog.learn(rec) {
            if let Record::Queue(q) = rec {
                let ev = bus::announced(q);
                self.rings.entry(ev.queue).or_default().apply(&ev.op);
            }
            return;
        }
        let aligned = self.catalog.align(rec);
        let rec = aligned.as_ref();
        if let Some(ts) = rec.ts_ns() {
            self.now_ns = self.now_ns.max(ts);
            self.messages.expire(self.now_ns);
            self.cores.records.expire(self.now_ns);
        }
        match rec {
            Record::Event(e) => self.event(e),
            Record::SpanNew(s) => {
                self.spans.create(s);
                self.touch(s.core, s.ts_ns, s.callsite);
            }
            Record::SpanValues(s) => self.spans.record(s),
            Record::SpanEnter(m) => self.enter(m),
            Record::SpanExit(m) => self.exit(m),
            Record::SpanClose(m) => self.spans.close(m.span),
            Record::Dropped(d) => {
                self.counts.dropped = self.counts.dropped.saturating_add(d.count); // damaged counts must not wrap
                self.cores.dropped(d.core, d.count);
                let text = format!(
                    "core {} dropped {} records (its buffer was full)",
                    d.core, d.count
                );
                self.line(d.ts_ns, Some(d.core), Level::Warn, "dropped", text);
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

    /// An event: feeds the bus picture when it is a bus event, then logs it.
    fn event(&mut self, e: &Event<Vec<Field<String>>>) {
        let view = self.catalog.view(e.callsite, &e.values);
        if view.site.is_none() {
            self.counts.unknown_callsite += 1;
        }
        let (name, level, text) = (view.name().into_owned(), view.level(), view.fields_text());
        if let Some(ev) = bus::parse(&view) {
            self.rings.entry(ev.queue).or_default().apply(&ev.op);
            if let BusOp::Send(msg) | BusOp::Recv(msg) = ev.op {
                let sent = matches!(ev.op, BusOp::Send(_));
                if sent {
                    self.messages.hit(e.ts_ns, ev.queue);
                }
                let end = MessageEnd {
                    core: e.core,
                    ts_ns: e.ts_ns,
                    fields: text.clone(),
                };
                self.lanes.message(ev.queue, msg, sent, end);
            }
        }
        self.cores.hit(e.core, e.ts_ns, &name);
        self.line(e.ts_ns, Some(e.core), level, &name, text);
    }

    /// A core entered a span: logged with the span's values.
    fn enter(&mut self, m: &SpanMark) {
        let depth = self.spans.stack(m.core).len() as u16;
        self.spans.enter(m.core, m.span);
        let Some(info) = self.spans.get(m.span) else {
            return;
        };
        let view = self.catalog.view(info.callsite, &info.values);
        let (name, level, text) = (view.name().into_owned(), view.level(), view.fields_text());
        self.lanes.enter(m.core, m.span, &name, depth, m.ts_ns);
        self.cores.hit(m.core, m.ts_ns, &name);
        self.line(m.ts_ns, Some(m.core), level, &name, format!("enter {text}"));
    }

    /// A core left a span.
    fn exit(&mut self, m: &SpanMark) {
        for ended in self.spans.exit(m.core, m.span) {
            self.lanes.exit(m.core, ended, m.ts_ns);
        }
        let Some(info) = self.spans.get(m.span) else {
            return;
        };
        let view = self.catalog.view(info.callsite, &info.values);
        let (name, level) = (view.name().into_owned(), view.level());
        self.line(m.ts_ns, Some(m.core), level, &name, "exit".to_string());
    }

    /// Counts a record of `core` under its callsite's name.
    fn touch(&mut self, core: u16, ts_ns: u64, callsite: u32) {
        if self.catalog.site(callsite).is_none() {
            self.counts.unknown_callsite += 1;
        }
        let name = self.catalog.view(callsite, &[]).name().into_owned();
        self.cores.hit(core, ts_ns, &name);
    }

    /// Bytes that did not decode: counted and logged, never hidden.
    fn damaged(&mut self, d: &DecodeError) {
        self.counts.damaged += 1;
        self.counts.damaged_bytes += d.len;
        self.line(self.now_ns, None, Level::Error, "damaged", d.to_string());
    }

    /// Adds a log line.
    fn line(&mut self, ts_ns: u64, core: Option<u16>, level: Level, name: &str, text: String) {
        self.log.push(LogLine {
            ts_ns,
            core,
            level,
            name: name.to_string(),
            text,
        });
    }
}
