//! Writes a [`Timeline`] in Chrome's Trace Event JSON format (chrome://tracing,
//! ui.perfetto.dev): B/E slices per core, instants, send/receive as short X
//! slices joined by s/f flow events, and C counters per queue.

use serde_json::{Map, Value as Json, json};

use super::perfetto::{PID, core_tid};
use super::timeline::{Args, Entry, FlowEnd, Mark, Timeline};
use crate::catalog::ValueBuf;

/// Category of the flow events.
const FLOW_CAT: &str = "flow";
/// Name of the flow events.
const FLOW_NAME: &str = "message";

/// The timeline as a Trace Event JSON document.
pub fn document(t: &Timeline) -> Json {
    let mut events = metadata(t);
    for e in &t.entries {
        entry(e, &mut events);
    }
    json!({
        "traceEvents": events,
        "displayTimeUnit": "ns",
        "otherData": { "producer": t.producer, "format": "ringlab trace-viewer export" },
    })
}

/// Process and thread names.
fn metadata(t: &Timeline) -> Vec<Json> {
    let mut v =
        vec![json!({"ph": "M", "name": "process_name", "pid": PID, "args": {"name": t.producer}})];
    for &core in &t.cores {
        let tid = core_tid(core);
        v.push(json!({"ph": "M", "name": "thread_name", "pid": PID, "tid": tid, "args": {"name": format!("core {core}")}}));
        v.push(json!({"ph": "M", "name": "thread_sort_index", "pid": PID, "tid": tid, "args": {"sort_index": core}}));
    }
    v
}

/// Appends the JSON events for one entry.
fn entry(e: &Entry, out: &mut Vec<Json>) {
    let ts = micros(e.ts_ns);
    let tid = e.core.map(core_tid).unwrap_or(0);
    match &e.mark {
        Mark::Begin { name, category, args } => out.push(
            json!({"ph": "B", "name": name, "cat": category, "ts": ts, "pid": PID, "tid": tid, "args": object(args)}),
        ),
        Mark::End => out.push(json!({"ph": "E", "ts": ts, "pid": PID, "tid": tid})),
        Mark::Instant { name, category, args, flow: None, .. } => out.push(json!({
            "ph": "i", "s": "t", "name": name, "cat": category, "ts": ts, "pid": PID, "tid": tid, "args": object(args),
        })),
        Mark::Instant { name, category, args, flow: Some((id, end)), dur_ns } => {
            out.push(json!({
                "ph": "X", "name": name, "cat": category, "ts": ts, "dur": micros(*dur_ns),
                "pid": PID, "tid": tid, "args": object(args),
            }));
            let ph = if *end == FlowEnd::Start { "s" } else { "f" };
            let at = micros(e.ts_ns.saturating_add(dur_ns / 2));
            out.push(json!({"ph": ph, "id": id, "name": FLOW_NAME, "cat": FLOW_CAT, "ts": at, "pid": PID, "tid": tid, "bp": "e"}));
        }
        Mark::Counter { queue, value } => out.push(json!({
            "ph": "C", "name": format!("queue {queue} in flight"), "ts": ts, "pid": PID, "args": {"in_flight": value},
        })),
    }
}

/// Nanoseconds as the format's microseconds.
fn micros(ns: u64) -> f64 {
    ns as f64 / 1_000.0
}

/// Arguments as a JSON object.
fn object(args: &Args) -> Json {
    let map: Map<String, Json> = args.iter().map(|(k, v)| (k.clone(), value(v))).collect();
    Json::Object(map)
}

/// One value as JSON.
fn value(v: &ValueBuf) -> Json {
    match v {
        ValueBuf::U64(x) => json!(x),
        ValueBuf::I64(x) => json!(x),
        ValueBuf::Bool(x) => json!(x),
        ValueBuf::F64(x) => json!(x),
        ValueBuf::Str(s) => json!(s),
    }
}
