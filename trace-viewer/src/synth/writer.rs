//! Writes records the way the kernel's subscriber would: callsites numbered
//! and described before first use, span ids, core and time on every record.
//! Output is time-ordered, or drained per core as the kernel's buffers are.

use std::collections::{BTreeMap, HashMap};

use trace_wire::{
    Callsite, Dropped, Event, Field, Header, Record, RecordBuf, SpanMark, SpanNew, Value,
};

use super::sites::{SiteDef, site};

/// TSC frequency the synthetic header claims.
const TSC_HZ: u64 = 2_000_000_000;

/// How often the header and callsite table are sent again.
pub const ANNOUNCE_NS: u64 = 1_000_000_000;

/// Collects a synthetic kernel's records.
#[derive(Debug)]
pub struct Writer {
    /// Cores the header announces.
    cores: u16,
    /// Callsite ids by name, in order of first use.
    ids: HashMap<&'static str, u32>,
    /// Definitions by id.
    defs: Vec<&'static SiteDef>,
    /// Timestamped records, in the order written.
    records: Vec<RecordBuf>,
    /// The next span id.
    next_span: u64,
    /// Each core's entered spans, for events' `parent`.
    stacks: BTreeMap<u16, Vec<u64>>,
}

impl Writer {
    /// A writer for a machine of `cores` cores.
    pub fn new(cores: u16) -> Self {
        Self {
            cores,
            ids: HashMap::new(),
            defs: Vec::new(),
            records: Vec::new(),
            next_span: 1,
            stacks: BTreeMap::new(),
        }
    }

    /// Emits event `name` on `core` at `ts_ns`.
    pub fn event(
        &mut self,
        core: u16,
        ts_ns: u64,
        name: &'static str,
        values: &[(&str, Value<&str>)],
    ) {
        let (callsite, values) = self.site_and_values(name, values);
        let parent = self.stacks.get(&core).and_then(|s| s.last().copied());
        self.records.push(Record::Event(Event {
            core,
            ts_ns,
            callsite,
            parent,
            values,
        }));
    }

    /// Creates span `name` on `core` and enters it; returns its id.
    pub fn enter_new(
        &mut self,
        core: u16,
        ts_ns: u64,
        name: &'static str,
        values: &[(&str, Value<&str>)],
    ) -> u64 {
        let (callsite, values) = self.site_and_values(name, values);
        let span = self.next_span;
        self.next_span += 1;
        let parent = self.stacks.get(&core).and_then(|s| s.last().copied());
        self.records.push(Record::SpanNew(SpanNew {
            core,
            ts_ns,
            span,
            callsite,
            parent,
            values,
        }));
        self.records
            .push(Record::SpanEnter(SpanMark { core, ts_ns, span }));
        self.stacks.entry(core).or_default().push(span);
        span
    }

    /// Leaves and closes `span` on `core`.
    pub fn exit_close(&mut self, core: u16, ts_ns: u64, span: u64) {
        self.records
            .push(Record::SpanExit(SpanMark { core, ts_ns, span }));
        self.records
            .push(Record::SpanClose(SpanMark { core, ts_ns, span }));
        if let Some(stack) = self.stacks.get_mut(&core) {
            stack.retain(|&s| s != span);
        }
    }

    /// Reports `count` records dropped on `core`.
    pub fn dropped(&mut self, core: u16, ts_ns: u64, count: u64) {
        self.records
            .push(Record::Dropped(Dropped { core, ts_ns, count }));
    }

    /// The stream in time order: the header, then every record, each
    /// callsite described just before its first use.
    pub fn finish(mut self) -> Vec<RecordBuf> {
        self.records.sort_by_key(|r| r.ts_ns().unwrap_or(0));
        let records = std::mem::take(&mut self.records);
        self.describe(records)
    }

    /// The stream as a kernel draining per-core buffers would send it:
    /// every `period_ns` the drain empties core 0's buffer, then core 1's,
    /// and so on, so records reach the wire grouped by core, not by time.
    pub fn finish_drained(mut self, period_ns: u64) -> Vec<RecordBuf> {
        let period = period_ns.max(1);
        let mut records = std::mem::take(&mut self.records);
        records.sort_by_key(|r| {
            (
                r.ts_ns().unwrap_or(0) / period,
                r.core().unwrap_or(0),
                r.ts_ns().unwrap_or(0),
            )
        });
        self.describe(records)
    }

    /// Prepends the header and puts each callsite before its first use.
    /// Every [`ANNOUNCE_NS`] of trace time the header and every callsite
    /// described so far are sent again, as the kernel does for viewers that
    /// connect late.
    fn describe(&self, records: Vec<RecordBuf>) -> Vec<RecordBuf> {
        let mut out = vec![self.header()];
        let mut described = vec![false; self.defs.len()];
        let mut next_announce = ANNOUNCE_NS;
        for r in records {
            if r.ts_ns().is_some_and(|ts| ts >= next_announce) {
                next_announce = (r.ts_ns().unwrap_or(0) / ANNOUNCE_NS + 1) * ANNOUNCE_NS;
                out.push(self.header());
                let known = (0..described.len()).filter(|&i| described[i]);
                out.extend(known.map(|i| self.callsite(i as u32)));
            }
            if let Some(id) = used_callsite(&r).filter(|&id| !described[id as usize]) {
                described[id as usize] = true;
                out.push(self.callsite(id));
            }
            out.push(r);
        }
        out
    }

    /// The stream header.
    fn header(&self) -> RecordBuf {
        Record::Header(Header::new(TSC_HZ, self.cores, "ringlab synth".to_string()))
    }

    /// The callsite record of `id`.
    fn callsite(&self, id: u32) -> RecordBuf {
        let def = self.defs[id as usize];
        Record::Callsite(Callsite {
            id,
            kind: def.kind,
            level: def.level,
            name: def.name.to_string(),
            target: def.target.to_string(),
            file: None,
            line: None,
            fields: def.fields.iter().map(|f| f.to_string()).collect(),
        })
    }

    /// The id of callsite `name` (numbered now if new) and `values` as
    /// indexed fields. Names outside the contract table are a bug here.
    fn site_and_values(
        &mut self,
        name: &'static str,
        values: &[(&str, Value<&str>)],
    ) -> (u32, Vec<Field<String>>) {
        let def =
            site(name).unwrap_or_else(|| panic!("synth uses {name}, which is not in synth::sites"));
        let next = self.defs.len() as u32;
        let id = *self.ids.entry(def.name).or_insert(next);
        if id == next {
            self.defs.push(def);
        }
        let fields = values
            .iter()
            .filter_map(|(k, v)| field(def, k, v))
            .collect();
        (id, fields)
    }
}

/// `value` as field `name` of `def`; field names outside the definition
/// are a bug in the generator.
fn field(def: &SiteDef, name: &str, value: &Value<&str>) -> Option<Field<String>> {
    let idx = def.fields.iter().position(|f| *f == name);
    debug_assert!(idx.is_some(), "{} has no field {name}", def.name);
    let value = match *value {
        Value::U64(v) => Value::U64(v),
        Value::I64(v) => Value::I64(v),
        Value::Bool(v) => Value::Bool(v),
        Value::F64(v) => Value::F64(v),
        Value::Str(s) => Value::Str(s.to_string()),
    };
    Some(Field {
        idx: idx? as u8,
        value,
    })
}

/// The callsite a record refers to, if any.
fn used_callsite(r: &RecordBuf) -> Option<u32> {
    match r {
        Record::Event(e) => Some(e.callsite),
        Record::SpanNew(s) => Some(s.callsite),
        _ => None,
    }
}
