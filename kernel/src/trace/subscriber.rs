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
use super::lanes;
use super::owned::LaneState;
use super::values::RawValues;
use crate::time;

/// Whether records are being made.
pub static ON: AtomicBool = AtomicBool::new(false);
/// The filter in force. Lock rule: written by `trace on` (shell core),
/// read when `tracing` (re)computes a callsite's interest, never per event.
pub static FILTER: RwLock<Option<Filter>> = RwLock::new(None);

/// The subscriber; all its state is in statics and per-core lanes.
pub struct KernelSubscriber;

/// Writes one record into the calling core's lane for this context: `ids`
/// gives its span and parent from the lane's own state, `fill` its values.
/// Counts it, or counts it as dropped when the lane is full. Returns the span.
#[inline]
fn emit(
    kind: RawKind,
    callsite: u16,
    ids: impl FnOnce(usize, usize, &mut LaneState) -> (u32, u32),
    fill: impl FnOnce(&mut RawValues<'_>),
) -> u32 {
    let (core, context, lane) = lanes::current();
    // SAFETY: we are this lane's one writer (lanes.rs: the context picks
    // the lane) and hold no other borrow of its state.
    let state = unsafe { lane.state() };
    let (span, parent) = ids(core, context, state);
    let record = RawRecord::new(kind, callsite, time::uptime_cycles(), span, parent);
    let mut values = RawValues {
        record,
        lane,
        state,
        core,
        context,
    };
    fill(&mut values);
    lane.write(&values.record, kind);
    span
}

/// Runs `f` with the calling lane's span stack (its writer state).
#[inline]
fn with_state<R>(f: impl FnOnce(usize, usize, &mut LaneState) -> R) -> R {
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
        let explicit = span.parent().map(wire_span);
        let contextual = span.is_contextual();
        let Some(callsite) = callsites::id_of(span.metadata()).filter(|_| is_on()) else {
            let id = with_state(|core, context, state| state.next_span(core, context));
            return Id::from_u64(u64::from(id));
        };
        let ids = |core, context, state: &mut LaneState| {
            let parent = explicit.unwrap_or(if contextual { state.current_span() } else { 0 });
            (state.next_span(core, context), parent)
        };
        let id = emit(RawKind::SpanNew, callsite, ids, |values| {
            span.record(values)
        });
        Id::from_u64(u64::from(id))
    }

    fn record(&self, span: &Id, values: &SpanRecord<'_>) {
        if is_on() {
            let ids = |_, _, _: &mut LaneState| (wire_span(span), 0);
            emit(RawKind::SpanValues, 0, ids, |raw| values.record(raw));
        }
    }

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let Some(callsite) = callsites::id_of(event.metadata()).filter(|_| is_on()) else {
            return;
        };
        let explicit = event.parent().map(wire_span);
        let contextual = event.is_contextual();
        let ids = |_, _, state: &mut LaneState| {
            let parent = explicit.unwrap_or(if contextual { state.current_span() } else { 0 });
            (parent, 0)
        };
        emit(RawKind::Event, callsite, ids, |values| event.record(values));
    }

    fn enter(&self, span: &Id) {
        let id = wire_span(span);
        mark(RawKind::SpanEnter, id, |state| state.enter(id));
    }

    fn exit(&self, span: &Id) {
        let id = wire_span(span);
        mark(RawKind::SpanExit, id, |state| state.exit(id));
    }

    fn try_close(&self, span: Id) -> bool {
        mark(RawKind::SpanClose, wire_span(&span), |_| {});
        true
    }
}

/// Whether tracing is on (records are made).
pub(super) fn is_on() -> bool {
    ON.load(Ordering::Relaxed)
}

/// Updates the lane's span stack with `update` and, while tracing is on,
/// writes a span mark (enter, exit or close) for `span`.
fn mark(kind: RawKind, span: u32, update: impl FnOnce(&mut LaneState)) {
    if !is_on() {
        return with_state(|_, _, state| update(state));
    }
    let ids = |_, _, state: &mut LaneState| {
        update(state);
        (span, 0)
    };
    emit(kind, 0, ids, |_| {});
}
