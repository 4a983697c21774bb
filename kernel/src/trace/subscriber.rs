//! The kernel's `tracing` subscriber: each event and span becomes one raw
//! record (callsite id, TSC, span ids, integer values) copied into the
//! calling core's own lane. No lock, no read-modify-write, no masking.
//! While tracing is off its level hint is OFF, so `tracing`'s macros stop
//! at one static comparison and the hot paths pay (almost) nothing.

use core::sync::atomic::{AtomicBool, Ordering};

use spin::RwLock;
use trace_wire::raw::{RawKind, RawRecord};
use tracing_core::span::{Attributes, Id, Record as SpanRecord};
use tracing_core::subscriber::{Interest, Subscriber};
use tracing_core::{Event, LevelFilter, Metadata};

use super::callsites;
use super::filter::Filter;
use super::lanes::{self, Lane, bump};
use super::values::RawValues;
use crate::time;

/// Whether records are being made.
pub static ON: AtomicBool = AtomicBool::new(false);
/// The filter in force. Lock rule: written by `trace on` (shell core),
/// read when `tracing` (re)computes a callsite's interest, never per event.
pub static FILTER: RwLock<Option<Filter>> = RwLock::new(None);

/// The subscriber; all its state is in statics and per-core lanes.
pub struct KernelSubscriber;

/// Fills a record's values with `fill` and writes it, counting it in
/// `counter`, or as dropped when the lane is full.
#[inline]
fn emit(
    kind: RawKind,
    callsite: u16,
    span: u32,
    parent: u32,
    fill: impl FnOnce(&mut RawValues<'_>),
) {
    let (core, context, lane) = lanes::current();
    let record = RawRecord::new(kind, callsite, time::uptime_cycles(), span, parent);
    // SAFETY: we are this lane's one writer (lanes.rs: the context picks
    // the lane) and hold no other borrow of its state.
    let state = unsafe { lane.state() };
    let mut values = RawValues {
        record,
        lane,
        state,
        core,
        context,
    };
    fill(&mut values);
    write(lane, &values.record, kind);
}

#[inline]
fn write(lane: &Lane, record: &RawRecord, kind: RawKind) {
    let counts = &lane.counts;
    if !lane.ring.write(record.slots()) {
        return bump(&counts.dropped);
    }
    bump(match kind {
        RawKind::Event => &counts.events,
        RawKind::SpanNew => &counts.spans,
        _ => &counts.marks,
    });
}

/// Runs `f` with the calling lane's span stack (its writer state).
#[inline]
fn with_state<R>(f: impl FnOnce(usize, usize, &mut super::owned::LaneState) -> R) -> R {
    let (core, context, lane) = lanes::current();
    // SAFETY: we are this lane's one writer and take no other borrow.
    f(core, context, unsafe { lane.state() })
}

/// A span id as the wire's 32-bit id (the kernel hands out only those).
fn wire_span(id: &Id) -> u32 {
    id.into_u64() as u32
}

impl Subscriber for KernelSubscriber {
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        if self.enabled(metadata) && callsites::register(metadata).is_some() {
            Interest::always()
        } else {
            Interest::never()
        }
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        ON.load(Ordering::Relaxed)
            && FILTER
                .read()
                .as_ref()
                .is_some_and(|filter| filter.matches(metadata))
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        let on = ON.load(Ordering::Relaxed);
        Some(if on {
            FILTER
                .read()
                .as_ref()
                .map_or(LevelFilter::OFF, Filter::max_level)
        } else {
            LevelFilter::OFF
        })
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let (id, current) = with_state(|core, context, state| {
            (state.next_span(core, context), state.current_span())
        });
        if let Some(callsite) = callsites::id_of(span.metadata()).filter(|_| is_on()) {
            let parent = match span.parent() {
                Some(parent) => wire_span(parent),
                None if span.is_contextual() => current,
                None => 0,
            };
            emit(RawKind::SpanNew, callsite, id, parent, |values| {
                span.record(values)
            });
        }
        Id::from_u64(u64::from(id))
    }

    fn record(&self, span: &Id, values: &SpanRecord<'_>) {
        if is_on() {
            emit(RawKind::SpanValues, 0, wire_span(span), 0, |raw| {
                values.record(raw)
            });
        }
    }

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let Some(callsite) = callsites::id_of(event.metadata()).filter(|_| is_on()) else {
            return;
        };
        let parent = match event.parent() {
            Some(parent) => wire_span(parent),
            None if event.is_contextual() => with_state(|_, _, state| state.current_span()),
            None => 0,
        };
        emit(RawKind::Event, callsite, parent, 0, |values| {
            event.record(values)
        });
    }

    fn enter(&self, span: &Id) {
        with_state(|_, _, state| state.enter(wire_span(span)));
        mark(RawKind::SpanEnter, span);
    }

    fn exit(&self, span: &Id) {
        with_state(|_, _, state| state.exit(wire_span(span)));
        mark(RawKind::SpanExit, span);
    }

    fn try_close(&self, span: Id) -> bool {
        mark(RawKind::SpanClose, &span);
        true
    }
}

fn is_on() -> bool {
    ON.load(Ordering::Relaxed)
}

/// Writes a span mark (enter, exit or close) for `span`.
fn mark(kind: RawKind, span: &Id) {
    if is_on() {
        emit(kind, 0, wire_span(span), 0, |_| {});
    }
}
