//! The probes' sink: each fired probe (every bus message, every MPI
//! message) becomes raw records in the calling core's lane, the same
//! records the `tracing` subscriber writes but with all the values taken in
//! one call instead of one visitor call per field. Also which probes exist
//! and which `trace on` turns on. docs/tracing.md, *Probes and `tracing`*.

use arrayvec::ArrayVec;
use probe::{Kind, Probe, Sink, Values};
use spin::Mutex;
use trace_wire::raw::{Integers, MAX_VALUES, RawKind, RawRecord, ValueType};

use super::callsites;
use super::filter::Filter;
use super::lanes::{self, Lane};
use super::owned::LaneState;
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
            Some(id) => probe.enable(id),
            None => probe.disable(), // filtered out, or the table is full
        }
    }
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
/// (under TCG a call, return or helper costs far more than a store).
struct LaneSink;

// The sink copies a probe's values into a raw record whole.
const _: () = assert!(probe::MAX_FIELDS == MAX_VALUES);

/// The values of a record that has none (a span mark).
static NO_VALUES: Values = [0; MAX_VALUES];

/// Runs `f` with the calling core's lane for this context and its state.
#[inline(always)]
fn with_lane<R>(f: impl FnOnce(usize, usize, &'static Lane, &mut LaneState) -> R) -> R {
    let (core, context, lane) = lanes::current();
    // SAFETY: we are this lane's one writer (lanes.rs: the context picks
    // the lane) and take no other borrow of its state.
    f(core, context, lane, unsafe { lane.state() })
}

/// The record of `probe` fired with `values`: `kind`, on under `id`, at `ts`.
#[inline(always)]
fn fired<'a>(probe: &Probe, kind: RawKind, id: u16, ts: u64, values: &'a Values) -> Integers<'a> {
    Integers {
        head: (kind, id, ts),
        span: 0,
        parent: 0,
        values,
        count: probe.fields.len(),
        signed: probe.signed,
    }
}

/// A span mark (enter, exit, close) of `span` at `ts`: no values.
#[inline(always)]
fn mark(kind: RawKind, span: u32, ts: u64) -> Integers<'static> {
    Integers {
        head: (kind, 0, ts),
        span,
        parent: 0,
        values: &NO_VALUES,
        count: 0,
        signed: 0,
    }
}

/// Writes `record` of `probe`: in place when its fields are all plain
/// integers; else built field by field, each name interned into the lane
/// first and each absent value left out (the collective spans, once per
/// call rather than per message).
#[inline(always)]
fn write_fired(
    probe: &Probe,
    record: &Integers<'_>,
    lane: &Lane,
    state: &mut LaneState,
    writer: (usize, usize),
) {
    if probe.plain {
        return lane.write_integers(record);
    }
    let (kind, callsite, ts) = record.head;
    let values = RawValues {
        record: RawRecord::new(kind, callsite, ts, record.span, record.parent),
        lane,
        state,
        core: writer.0,
        context: writer.1,
    };
    write_described(probe, kind, record.values, values);
}

/// [`write_fired`]'s field-by-field path, out of the way of the plain one:
/// `values` of `probe` into `raw`'s record (of `kind`), which is then written.
#[cold]
#[inline(never)]
fn write_described(probe: &Probe, kind: RawKind, values: &Values, mut raw: RawValues<'_>) {
    for (index, (field, &value)) in probe.fields.iter().zip(values).enumerate() {
        let typed = match field.kind {
            Kind::U64 => Some((ValueType::U64, value)),
            Kind::I64 => Some((ValueType::I64, value)),
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
    fn event(&self, probe: &'static Probe, id: u16, values: &Values) {
        with_lane(|core, context, lane, state| {
            let record = fired(probe, RawKind::Event, id, time::uptime_cycles(), values);
            let record = Integers {
                span: state.current_span(),
                ..record
            };
            write_fired(probe, &record, lane, state, (core, context));
        });
    }

    fn enter(&self, probe: &'static Probe, id: u16, values: &Values) -> u32 {
        with_lane(|core, context, lane, state| {
            let (span, parent) = (state.next_span(core, context), state.current_span());
            let ts = time::uptime_cycles();
            let record = fired(probe, RawKind::SpanNew, id, ts, values);
            let record = Integers {
                span,
                parent,
                ..record
            };
            write_fired(probe, &record, lane, state, (core, context));
            lane.write_integers(&mark(RawKind::SpanEnter, span, ts));
            state.enter(span);
            span
        })
    }

    fn record(&self, probe: &'static Probe, span: u32, field: usize, value: u64) {
        if !is_on() {
            return;
        }
        with_lane(|_, _, lane, _| {
            let mut record = RawRecord::new(RawKind::SpanValues, 0, time::uptime_cycles(), span, 0);
            let signed = probe.signed >> field & 1 == 1;
            record.set(
                field,
                if signed {
                    ValueType::I64
                } else {
                    ValueType::U64
                },
                value,
            );
            lane.write(&record, RawKind::SpanValues);
        });
    }

    fn exit(&self, span: u32) {
        with_lane(|_, _, lane, state| {
            state.exit(span);
            if is_on() {
                let ts = time::uptime_cycles();
                lane.write_integers(&mark(RawKind::SpanExit, span, ts));
                lane.write_integers(&mark(RawKind::SpanClose, span, ts));
            }
        });
    }
}
