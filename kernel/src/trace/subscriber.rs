//! The kernel's `tracing` subscriber: turns events and spans into wire
//! records, stamped with the core and the time, in that core's buffer.
//! While tracing is off its level hint is OFF, so `tracing`'s macros stop
//! at one static comparison and the hot paths pay (almost) nothing.

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use spin::RwLock;
use trace_wire::{Record, SpanMark, SpanNew, SpanValues};
use tracing_core::span::{Attributes, Id, Record as SpanRecord};
use tracing_core::subscriber::{Interest, Subscriber};
use tracing_core::{Event, LevelFilter, Metadata};

use super::buffers::{BUFFERS, emit};
use super::callsites;
use super::filter::Filter;
use super::values::Values;
use crate::arch::cpu;
use crate::time;

/// Whether records are being made.
pub static ON: AtomicBool = AtomicBool::new(false);
/// The filter in force. Lock rule: written by `trace on` (shell core),
/// read when `tracing` (re)computes a callsite's interest.
pub static FILTER: RwLock<Option<Filter>> = RwLock::new(None);
/// The last span id handed out (ids start at 1; 0 is not a valid id).
static NEXT_SPAN: AtomicU64 = AtomicU64::new(0);

/// The subscriber; all its state is in statics, shared by every core.
pub struct KernelSubscriber;

fn now_ns() -> u64 {
    time::cycles_to_ns(time::uptime_cycles())
}

fn current_span(core: usize) -> Option<u64> {
    BUFFERS[core].spans.lock().last().copied()
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
        let id = NEXT_SPAN.fetch_add(1, Ordering::Relaxed) + 1;
        let core = cpu::core_index();
        if let Some(callsite) = callsites::id_of(span.metadata()) {
            let parent = span
                .parent()
                .map(Id::into_u64)
                .or_else(|| span.is_contextual().then(|| current_span(core)).flatten());
            let mut values = Values::new();
            span.record(&mut values);
            let ts_ns = now_ns();
            values.with_fields(|fields| {
                let record = Record::SpanNew(SpanNew {
                    core: core as u16,
                    ts_ns,
                    span: id,
                    callsite,
                    parent,
                    values: fields,
                });
                emit(core, ts_ns, &record);
            });
        }
        Id::from_u64(id)
    }

    fn record(&self, span: &Id, values: &SpanRecord<'_>) {
        let core = cpu::core_index();
        let mut collected = Values::new();
        values.record(&mut collected);
        let ts_ns = now_ns();
        collected.with_fields(|fields| {
            let record = Record::SpanValues(SpanValues {
                core: core as u16,
                ts_ns,
                span: span.into_u64(),
                values: fields,
            });
            emit(core, ts_ns, &record);
        });
    }

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let core = cpu::core_index();
        let Some(callsite) = callsites::id_of(event.metadata()) else {
            return;
        };
        let parent = event
            .parent()
            .map(Id::into_u64)
            .or_else(|| event.is_contextual().then(|| current_span(core)).flatten());
        let mut values = Values::new();
        event.record(&mut values);
        let ts_ns = now_ns();
        values.with_fields(|fields| {
            let record = Record::Event(trace_wire::Event {
                core: core as u16,
                ts_ns,
                callsite,
                parent,
                values: fields,
            });
            emit(core, ts_ns, &record);
        });
    }

    fn enter(&self, span: &Id) {
        let core = cpu::core_index();
        let _ = BUFFERS[core].spans.lock().try_push(span.into_u64());
        mark(core, span, Record::SpanEnter);
    }

    fn exit(&self, span: &Id) {
        let core = cpu::core_index();
        let mut spans = BUFFERS[core].spans.lock();
        if let Some(at) = spans.iter().rposition(|&s| s == span.into_u64()) {
            spans.remove(at);
        }
        drop(spans);
        mark(core, span, Record::SpanExit);
    }

    fn try_close(&self, span: Id) -> bool {
        mark(cpu::core_index(), &span, Record::SpanClose);
        true
    }
}

/// Emits a span mark (enter, exit or close) for `span` on `core`.
fn mark(core: usize, span: &Id, kind: fn(SpanMark) -> trace_wire::RecordRef<'static>) {
    let ts_ns = now_ns();
    emit(
        core,
        ts_ns,
        &kind(SpanMark {
            core: core as u16,
            ts_ns,
            span: span.into_u64(),
        }),
    );
}
