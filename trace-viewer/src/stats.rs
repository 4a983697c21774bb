//! `trace-viewer stats`: counts per callsite, per core and per queue, each
//! collective call (collectives.rs), the kernel's drops, the damaged
//! stretches with their offsets, and the time span of a recorded trace.
//! Computing is here; the text layout is in Display.

use std::collections::BTreeMap;
use std::fmt;

use trace_wire::{Clock, DecodeError, Header, Kind, Level, Queue, Record, RecordBuf};

use crate::bus::{self, BusOp, QueueId};
use crate::catalog::Catalog;
use crate::collectives::Collectives;
use crate::item::Item;

/// How often one callsite fired.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteCount {
    /// Event or span.
    pub kind: Kind,
    /// Level.
    pub level: Level,
    /// Target.
    pub target: String,
    /// Events, or spans created.
    pub count: u64,
}

/// One core's records.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CoreCount {
    /// Events.
    pub events: u64,
    /// Spans created.
    pub spans: u64,
    /// Records it dropped.
    pub dropped: u64,
}

/// One queue's traffic.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueCount {
    /// `bus.send` events.
    pub sends: u64,
    /// `bus.recv` events.
    pub recvs: u64,
    /// Bytes sent.
    pub bytes: u64,
    /// `bus.stall` events.
    pub stalls: u64,
}

/// Everything `stats` prints.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    /// Bytes of input.
    pub bytes: u64,
    /// Records decoded.
    pub records: u64,
    /// The stream's header.
    pub header: Option<Header<String>>,
    /// Each core's clock against core 0, as the kernel measured it.
    pub clocks: Vec<Clock>,
    /// Each queue's size, as the kernel announced it.
    pub queue_sizes: BTreeMap<QueueId, Queue>,
    /// Earliest and latest timestamp.
    pub span_ns: Option<(u64, u64)>,
    /// Per callsite name.
    pub sites: BTreeMap<String, SiteCount>,
    /// Per core.
    pub cores: BTreeMap<u16, CoreCount>,
    /// Per queue.
    pub queues: BTreeMap<QueueId, QueueCount>,
    /// Per collective call.
    pub collectives: Collectives,
    /// Records the kernel reported dropped.
    pub dropped: u64,
    /// Records naming a callsite never described.
    pub unknown_callsite: u64,
    /// Stretches that did not decode.
    pub damaged: Vec<DecodeError>,
}

impl Stats {
    /// Counts everything in `items`, decoded from `bytes` bytes.
    pub fn from_items(items: &[Item], bytes: u64) -> Self {
        let mut catalog = Catalog::default();
        let mut s = Stats {
            bytes,
            ..Stats::default()
        };
        for item in items {
            match item {
                Item::Record(rec) => s.record(&mut catalog, rec),
                Item::Damaged(d) => s.damaged.push(d.clone()),
            }
        }
        s.header = catalog.header().cloned();
        s.clocks = catalog.clock_records().copied().collect();
        s.queue_sizes = catalog.queues().clone();
        s
    }

    /// Bytes in damaged stretches.
    pub fn damaged_bytes(&self) -> u64 {
        self.damaged.iter().map(|d| d.len).sum()
    }

    /// Counts one record.
    fn record(&mut self, catalog: &mut Catalog, rec: &RecordBuf) {
        self.records += 1;
        if catalog.learn(rec) {
            return;
        }
        let aligned = catalog.align(rec);
        let rec = aligned.as_ref();
        self.collectives.record(catalog, rec);
        if let Some(ts) = rec.ts_ns() {
            let (lo, hi) = self.span_ns.unwrap_or((ts, ts));
            self.span_ns = Some((lo.min(ts), hi.max(ts)));
        }
        match rec {
            Record::Event(e) => {
                self.cores.entry(e.core).or_default().events += 1;
                self.site(catalog, e.callsite);
                if let Some(ev) = bus::parse(&catalog.view(e.callsite, &e.values)) {
                    self.queue(ev.queue, &ev.op);
                }
            }
            Record::SpanNew(sp) => {
                self.cores.entry(sp.core).or_default().spans += 1;
                self.site(catalog, sp.callsite);
            }
            Record::Dropped(d) => {
                // Saturating: a damaged count must not wrap (or panic) the sums.
                self.dropped = self.dropped.saturating_add(d.count);
                let core = &mut self.cores.entry(d.core).or_default().dropped;
                *core = core.saturating_add(d.count);
            }
            _ => {}
        }
    }

    /// Counts one use of callsite `id`.
    fn site(&mut self, catalog: &Catalog, id: u32) {
        let Some(site) = catalog.site(id) else {
            self.unknown_callsite += 1;
            return;
        };
        let entry = self
            .sites
            .entry(site.name.clone())
            .or_insert_with(|| SiteCount {
                kind: site.kind,
                level: site.level,
                target: site.target.clone(),
                count: 0,
            });
        entry.count += 1;
    }

    /// Counts one bus operation.
    fn queue(&mut self, q: QueueId, op: &BusOp) {
        let c = self.queues.entry(q).or_default();
        match op {
            BusOp::Send(m) => {
                c.sends += 1;
                c.bytes = c.bytes.saturating_add(m.len); // as the drops above
            }
            BusOp::Recv(_) => c.recvs += 1,
            BusOp::Stall => c.stalls += 1,
            _ => {}
        }
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_summary(f)?;
        self.fmt_sites(f)?;
        self.fmt_cores(f)?;
        self.fmt_queues(f)?;
        self.fmt_collectives(f)?;
        self.fmt_damage(f)
    }
}

impl Stats {
    /// Totals, header and time span.
    fn fmt_summary(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "bytes      {}", self.bytes)?;
        writeln!(f, "records    {}", self.records)?;
        writeln!(
            f,
            "damaged    {} stretches, {} bytes skipped",
            self.damaged.len(),
            self.damaged_bytes()
        )?;
        writeln!(
            f,
            "dropped    {} records (reported by the kernel)",
            self.dropped
        )?;
        if self.unknown_callsite > 0 {
            writeln!(
                f,
                "unknown    {} records name a callsite never described",
                self.unknown_callsite
            )?;
        }
        match &self.header {
            Some(h) => writeln!(
                f,
                "producer   {} ({} cores, TSC {} Hz, format v{})",
                h.producer, h.cores, h.tsc_hz, h.version
            )?,
            None => writeln!(f, "producer   unknown (no header in the input)")?,
        }
        match self.span_ns {
            Some((lo, hi)) => writeln!(f, "time       {} .. {} ns ({} ns)", lo, hi, hi - lo)?,
            None => writeln!(f, "time       no timestamped records")?,
        }
        self.fmt_clocks(f)
    }

    /// Each core's clock offset, or that the stream gave none.
    fn fmt_clocks(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.clocks.is_empty() {
            return writeln!(
                f,
                "clocks     no offsets in the stream: cores taken as in step"
            );
        }
        for c in &self.clocks {
            let applied = match crate::catalog::applied_offset(c) {
                0 if c.offset_ns != 0 => ", within its uncertainty: not applied",
                _ => "",
            };
            writeln!(
                f,
                "clock      core {}: {:+} ns against core 0 (±{} ns, {:+} TSC cycles{applied})",
                c.core, c.offset_ns, c.uncertainty_ns, c.tsc_offset
            )?;
        }
        Ok(())
    }

    /// The per-callsite table.
    fn fmt_sites(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "\nper callsite:\n  {:>8}  {:<5}  {:<5}  {:<8}  name",
            "count", "kind", "level", "target"
        )?;
        for (name, c) in &self.sites {
            let kind = if c.kind == Kind::Span {
                "span"
            } else {
                "event"
            };
            writeln!(
                f,
                "  {:>8}  {:<5}  {:<5}  {:<8}  {}",
                c.count,
                kind,
                c.level.as_str(),
                c.target,
                name
            )?;
        }
        Ok(())
    }

    /// The per-core table.
    fn fmt_cores(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "\nper core:\n  {:>4}  {:>8}  {:>8}  {:>8}",
            "core", "events", "spans", "dropped"
        )?;
        for (core, c) in &self.cores {
            writeln!(
                f,
                "  {:>4}  {:>8}  {:>8}  {:>8}",
                core, c.events, c.spans, c.dropped
            )?;
        }
        Ok(())
    }

    /// The per-queue table.
    fn fmt_queues(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "\nper queue:\n  {:>6}  {:>8}  {:>8}  {:>10}  {:>6}  ring",
            "queue", "sends", "recvs", "bytes", "stalls"
        )?;
        for (q, c) in &self.queues {
            let ring = self.queue_sizes.get(q).map_or_else(
                || "not announced".to_string(),
                |a| format!("{} x {} B", a.size, a.buf_size),
            );
            writeln!(
                f,
                "  {:>6}  {:>8}  {:>8}  {:>10}  {:>6}  {ring}",
                q.to_string(),
                c.sends,
                c.recvs,
                c.bytes,
                c.stalls
            )?;
        }
        Ok(())
    }

    /// Every collective call: its ranks' times, imbalance and traffic.
    fn fmt_collectives(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let calls = self.collectives.in_order();
        if calls.is_empty() {
            return writeln!(f, "\nper collective: none in the trace");
        }
        writeln!(f, "\nper collective:")?;
        for (id, call) in calls {
            let total = call.total();
            let how = [
                call.algorithm.clone(),
                call.root.map(|r| format!("root {r}")),
            ];
            let how: Vec<String> = how.into_iter().flatten().collect();
            writeln!(
                f,
                "  {} #{} on comm {} ({}): {} ranks, {} messages, {} bytes",
                id.name,
                id.number,
                id.comm,
                how.join(", "),
                call.ranks.len(),
                total.messages,
                total.bytes
            )?;
            fmt_call(f, call)?;
        }
        Ok(())
    }

    /// Every damaged stretch.
    fn fmt_damage(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.damaged.is_empty() {
            return Ok(());
        }
        writeln!(f, "\ndamaged stretches:")?;
        for d in &self.damaged {
            writeln!(
                f,
                "  offset {:>10}  {:>6} bytes  {}",
                d.offset, d.len, d.kind
            )?;
        }
        Ok(())
    }
}

/// One call's table: time per rank, imbalance, traffic per pair.
fn fmt_call(f: &mut fmt::Formatter<'_>, call: &crate::collectives::Call) -> fmt::Result {
    writeln!(f, "    {:>4}  {:>4}  {:>12}", "rank", "core", "time ns")?;
    for (rank, t) in &call.ranks {
        let time = t
            .time_ns()
            .map_or_else(|| "unfinished".to_string(), |ns| ns.to_string());
        writeln!(f, "    {:>4}  {:>4}  {:>12}", rank, t.core, time)?;
    }
    match call.imbalance() {
        Some((slow, fast, ns)) => writeln!(
            f,
            "    imbalance {ns} ns (slowest rank {slow}, fastest rank {fast})"
        )?,
        None => writeln!(f, "    imbalance unknown (no rank finished)")?,
    }
    writeln!(f, "    {:>6}  {:>8}  {:>10}", "pair", "messages", "bytes")?;
    for (q, p) in &call.pairs {
        writeln!(
            f,
            "    {:>6}  {:>8}  {:>10}",
            q.to_string(),
            p.messages,
            p.bytes
        )?;
    }
    Ok(())
}
