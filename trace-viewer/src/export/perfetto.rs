//! Writes a [`Timeline`] as a native Perfetto trace (protobuf TrackEvent):
//! a process, one thread track per core, a counter track per queue, slices,
//! instants and flows. Open it at ui.perfetto.dev.

use prost::Message;

use super::proto::{
    AnnotationValue, CounterDescriptor, CounterUnit, DebugAnnotation, EventType, ProcessDescriptor,
    SEQ_INCREMENTAL_STATE_CLEARED, ThreadDescriptor, Trace, TracePacket, TrackDescriptor,
    TrackEvent,
};
use super::timeline::{Args, Entry, FlowEnd, Mark, Timeline};
use crate::bus::QueueId;
use crate::catalog::ValueBuf;

/// The one process: the ringlab machine.
pub const PID: i32 = 1;
/// Its track.
pub const PROCESS_UUID: u64 = 1;
/// Packet sequence every packet is written on.
const SEQUENCE: u32 = 1;

/// The track of core `core`.
pub fn core_uuid(core: u16) -> u64 {
    100 + u64::from(core)
}

/// The thread id core `core` is shown as (never 0, which Perfetto reserves).
pub fn core_tid(core: u16) -> i32 {
    i32::from(core) + 1
}

/// The counter track of queue `q`.
pub fn queue_uuid(q: QueueId) -> u64 {
    1_000_000 + u64::from(q.src) * 1024 + u64::from(q.dst)
}

/// The timeline as a Perfetto `Trace` message.
pub fn trace(t: &Timeline) -> Trace {
    let mut packet = vec![process(t)];
    packet.extend(t.cores.iter().map(|&c| core_track(c)));
    packet.extend(t.queues.iter().map(|&q| queue_track(q)));
    packet.extend(t.entries.iter().map(event));
    Trace { packet }
}

/// The timeline as the bytes of a `.perfetto-trace` file.
pub fn encode(t: &Timeline) -> Vec<u8> {
    trace(t).encode_to_vec()
}

/// The process track (first packet: it also starts the sequence).
fn process(t: &Timeline) -> TracePacket {
    let process = ProcessDescriptor {
        pid: Some(PID),
        process_name: Some(t.producer.clone()),
    };
    let desc = TrackDescriptor {
        uuid: Some(PROCESS_UUID),
        process: Some(process),
        ..Default::default()
    };
    TracePacket {
        sequence_flags: Some(SEQ_INCREMENTAL_STATE_CLEARED),
        ..descriptor(desc)
    }
}

/// Core `core`'s track.
fn core_track(core: u16) -> TracePacket {
    let thread = ThreadDescriptor {
        pid: Some(PID),
        tid: Some(core_tid(core)),
        thread_name: Some(format!("core {core}")),
    };
    descriptor(TrackDescriptor {
        uuid: Some(core_uuid(core)),
        parent_uuid: Some(PROCESS_UUID),
        thread: Some(thread),
        ..Default::default()
    })
}

/// Queue `q`'s occupancy counter track.
fn queue_track(q: QueueId) -> TracePacket {
    descriptor(TrackDescriptor {
        uuid: Some(queue_uuid(q)),
        parent_uuid: Some(PROCESS_UUID),
        name: Some(format!("queue {q} in flight")),
        counter: Some(CounterDescriptor {
            unit: Some(CounterUnit::Count as i32),
        }),
        ..Default::default()
    })
}

/// A packet carrying a track descriptor.
fn descriptor(desc: TrackDescriptor) -> TracePacket {
    TracePacket {
        trusted_packet_sequence_id: Some(SEQUENCE),
        track_descriptor: Some(desc),
        ..Default::default()
    }
}

/// One timeline entry as a track event packet.
fn event(e: &Entry) -> TracePacket {
    let ev = track_event(&e.mark);
    let ev = TrackEvent {
        track_uuid: ev.track_uuid.or(e.core.map(core_uuid)),
        ..ev
    };
    TracePacket {
        timestamp: Some(e.ts_ns),
        trusted_packet_sequence_id: Some(SEQUENCE),
        track_event: Some(ev),
        ..Default::default()
    }
}

/// The track event for a mark; counters name their own track.
fn track_event(mark: &Mark) -> TrackEvent {
    match mark {
        Mark::Begin {
            name,
            category,
            args,
        } => named(EventType::SliceBegin, name, category, args),
        Mark::End => TrackEvent {
            r#type: Some(EventType::SliceEnd as i32),
            ..Default::default()
        },
        Mark::Instant {
            name,
            category,
            args,
            flow,
            ..
        } => {
            let mut ev = named(EventType::Instant, name, category, args);
            match flow {
                Some((id, FlowEnd::Start)) => ev.flow_ids.push(*id),
                Some((id, FlowEnd::Finish)) => ev.terminating_flow_ids.push(*id),
                None => {}
            }
            ev
        }
        Mark::Counter { queue, value } => TrackEvent {
            r#type: Some(EventType::Counter as i32),
            track_uuid: Some(queue_uuid(*queue)),
            counter_value: Some(i64::try_from(*value).unwrap_or(i64::MAX)),
            ..Default::default()
        },
    }
}

/// A slice begin or instant with its name, category and arguments.
fn named(ty: EventType, name: &str, category: &str, args: &Args) -> TrackEvent {
    TrackEvent {
        r#type: Some(ty as i32),
        name: Some(name.to_string()),
        categories: if category.is_empty() {
            Vec::new()
        } else {
            vec![category.to_string()]
        },
        debug_annotations: args.iter().map(|(k, v)| annotation(k, v)).collect(),
        ..Default::default()
    }
}

/// One argument as a debug annotation.
fn annotation(name: &str, v: &ValueBuf) -> DebugAnnotation {
    let value = match v {
        ValueBuf::U64(x) => AnnotationValue::UintValue(*x),
        ValueBuf::I64(x) => AnnotationValue::IntValue(*x),
        ValueBuf::Bool(x) => AnnotationValue::BoolValue(*x),
        ValueBuf::F64(x) => AnnotationValue::DoubleValue(*x),
        ValueBuf::Str(s) => AnnotationValue::StringValue(s.clone()),
    };
    DebugAnnotation {
        name: Some(name.to_string()),
        value: Some(value),
    }
}
