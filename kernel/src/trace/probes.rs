//! The probes' sink: each fired probe (every bus message, every MPI
//! message) becomes raw records in the calling core's lane, the same
//! records the `tracing` subscriber writes but with all the values taken in
//! one call instead of one visitor call per field. Also which probes exist
//! and which `trace on` turns on. docs/tracing.md, *Probes and `tracing`*.

use arrayvec::ArrayVec;
use core::num::NonZeroU64;

use probe::{Kind, Probe, Sink, Values};
use spin::Mutex;
use trace_wire::raw::{Integers, Layout, MAX_VALUES, Narrow, RawKind, RawRecord, ValueType};

use super::callsites;
use super::filter::Filter;
use super::lanes::{self, Lane};
use super::subscriber::is_on;
use super::values::RawValues;
use crate::time;

/// Most sets of probes (one per crate or module that has them).
const MAX_SETS: usize = 8;

/// The probes known to tracing, by owner. Lock rule: taken by `add` and by
/// `trace on`/`off` (shell core), never where a probe fires.
static SETS: Mutex<ArrayVec<&'static [&'static Probe], MAX_SETS>> =
    Mutex::new(ArrayVec::new_const());

/// The sink, as `probe::install` takes it.
static SINK: &dyn Sink = &LaneSink;

/// Installs the sink and learns the bus's and MPI's probes (at boot).
pub fn init() {
    probe::install(&SINK);
    add(&bus::PROBES);
    add(&mpi::PROBES);
}

/// Makes `probes` known; the next `trace on` turns on those its filter
/// matches (and, if tracing is on now, they are matched at once).
pub fn add(probes: &'static [&'static Probe]) {
    let mut sets = SETS.lock();
    if !sets.iter().any(|set| core::ptr::eq(*set, probes)) && sets.try_push(probes).is_err() {
        panic!("more than {MAX_SETS} sets of trace probes");
    }
    drop(sets);
    if let Some(filter) = super::subscriber::FILTER
        .read()
        .as_ref()
        .filter(|_| is_on())
    {
        turn_on(probes, filter);
    }
}

/// Turns on every known probe `filter` matches, and off the others. A
/// probe is registered as a callsite before it is turned on, so the drain
/// (on this same core) describes it before any of its records.
pub fn enable(filter: &Filter) {
    for set in SETS.lock().iter() {
        turn_on(set, filter);
    }
}

fn turn_on(probes: &[&'static Probe], filter: &Filter) {
    for probe in probes {
        let id = filter
            .matches_probe(probe)
            .then(|| callsites::register_probe(probe))
            .flatten();
        match id {
            Some(id) => probe.enable(tag(probe, id)),
            None => probe.disable(), // filtered out, or the table is full
        }
    }
}

/// The tag `probe` is turned on with: the [`Layout`] of its records
/// (callsite `id`, kind, count and types of its values, and whether they
/// are narrow), so that the sink adds only the time stamp and span ids. A
/// probe with a name or an optional field keeps only the id from it
/// (`write_described`).
fn tag(probe: &Probe, id: u16) -> NonZeroU64 {
    let kind = if probe.is_span {
        RawKind::SpanNew
    } else {
        RawKind::Event
    };
    let layout = Layout::new(kind, id, probe.fields.len(), probe.signed);
    let layout = if probe.narrow {
        layout.narrow()
    } else {
        layout
    };
    NonZeroU64::new(layout.bits()).expect("a layout is never 0")
}

/// The type integer field `field` of `probe` is recorded with.
fn value_type(probe: &Probe, field: usize) -> ValueType {
    ValueType::integer(probe.signed >> field & 1 == 1)
}

/// Turns every probe off.
pub fn disable() {
    for probe in SETS.lock().iter().flat_map(|set| set.iter()) {
        probe.disable();
    }
}

/// Writes fired probes into the calling core's lane for its context. Each
/// method is one function from the sink call to the ring store: the lane
/// lookup, span stack, clock, record and counter are all inlined into it
/// (under TCG a call, return or helper costs far more than a store), and
/// the record's fixed header bits come whole with the probe's tag.
struct LaneSink;

// The sink copies a probe's values into a raw record whole.
const _: () = assert!(probe::MAX_FIELDS == MAX_VALUES);

/// The values of a record that has none (a span mark).
static NO_VALUES: Values = [0; MAX_VALUES];

/// Writes a span mark (enter, exit, close) of `span` at `ts`: no values.
#[inline(always)]
fn write_mark(lane: &Lane, kind: RawKind, span: u32, ts: u64) {
    let record = Integers {
        layout: Layout::new(kind, 0, 0, 0),
        ts,
        span,
        parent: 0,
        values: &NO_VALUES,
    };
    lane.write_integers(&record, kind);
}

/// Writes the record of `probe` (which has a [`Kind::MaybeU64`] or
/// [`Kind::Str`] field) field by field into the calling core's lane: each
/// name interned into the lane first, each absent value left out. The
/// collective spans go this way, once per call rather than per message;
/// out of line, so the plain path keeps no stack frame for it. Its kind
/// (the layout's) is given apart, as `Lane::write_integers` takes it: a
/// constant where the sink calls this.
#[cold]
#[inline(never)]
fn write_described(
    probe: &Probe,
    (layout, kind): (Layout, RawKind),
    values: &Values,
    span: u32,
    parent: u32,
    ts: u64,
) {
    let (core, context, lane) = lanes::current();
    let mut raw = RawValues {
        record: RawRecord::new(kind, layout.callsite(), ts, span, parent),
        lane,
        // SAFETY: we are this lane's one writer (lanes.rs: the context
        // picks the lane), and the sink holds no borrow of its state now.
        state: unsafe { lane.state() },
        core,
        context,
    };
    for (index, (field, &value)) in probe.fields.iter().zip(values).enumerate() {
        let typed = match field.kind {
            Kind::U64 | Kind::I64 | Kind::U32 | Kind::I32 => {
                Some((value_type(probe, index), value))
            }
            Kind::MaybeU64 => (value != probe::ABSENT).then_some((ValueType::U64, value)),
            Kind::Str(names) => usize::try_from(value)
                .ok()
                .and_then(|at| names.get(at))
                .map(|name| (ValueType::Str, raw.intern(name))),
        };
        if let Some((ty, value)) = typed {
            raw.record.set(index, ty, value);
        }
    }
    raw.lane.write(&raw.record, kind);
}

impl Sink for LaneSink {
    fn event(&self, probe: &'static Probe, tag: NonZeroU64, values: &Values) {
        let layout = Layout::from_bits(tag.get());
        let (_, _, lane) = lanes::current();
        // SAFETY: we are this lane's one writer (lanes.rs: the context picks
        // the lane), and this borrow ends before any other.
        let span = unsafe { lane.state() }.current_span();
        let ts = time::uptime_cycles();
        if !probe.plain {
            return write_described(probe, (layout, RawKind::Event), values, span, 0, ts);
        }
        let record = Integers {
            layout,
            ts,
            span,
            parent: 0,
            values,
        };
        lane.write_integers(&record, RawKind::Event);
    }

    fn narrow_event(&self, _: &'static Probe, tag: NonZeroU64, w0: u64, w1: u64, w2: u64, w3: u64) {
        let (_, _, lane) = lanes::current();
        lane.write_narrow(RawKind::Event, || Narrow {
            layout: Layout::from_bits(tag.get()),
            ts: time::uptime_cycles(),
            // SAFETY: as in `event`; this borrow ends here.
            span: unsafe { lane.state() }.current_span(),
            words: [w0, w1, w2, w3],
        });
    }

    fn enter(&self, probe: &'static Probe, tag: NonZeroU64, values: &Values) -> u32 {
        let layout = Layout::from_bits(tag.get());
        let (core, context, lane) = lanes::current();
        let (span, parent) = {
            // SAFETY: as in `event`; this borrow ends here.
            let state = unsafe { lane.state() };
            (state.next_span(core, context), state.current_span())
        };
        let ts = time::uptime_cycles();
        if probe.plain {
            let record = Integers {
                layout,
                ts,
                span,
                parent,
                values,
            };
            lane.write_integers(&record, RawKind::SpanNew);
        } else {
            write_described(probe, (layout, RawKind::SpanNew), values, span, parent, ts);
        }
        write_mark(lane, RawKind::SpanEnter, span, ts);
        // SAFETY: as in `event`; no other borrow of the state is held now.
        unsafe { lane.state() }.enter(span);
        span
    }

    fn record(&self, probe: &'static Probe, span: u32, field: usize, value: u64) {
        if !is_on() {
            return;
        }
        let (_, _, lane) = lanes::current();
        let mut record = RawRecord::new(RawKind::SpanValues, 0, time::uptime_cycles(), span, 0);
        record.set(field, value_type(probe, field), value);
        lane.write(&record, RawKind::SpanValues);
    }

    fn exit(&self, span: u32) {
        let (_, _, lane) = lanes::current();
        // SAFETY: as in `event`; this borrow ends here.
        unsafe { lane.state() }.exit(span);
        if is_on() {
            let ts = time::uptime_cycles();
            write_mark(lane, RawKind::SpanExit, span, ts);
            write_mark(lane, RawKind::SpanClose, span, ts);
        }
    }
}
