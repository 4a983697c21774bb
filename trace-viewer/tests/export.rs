//! Export tests: the Chrome JSON and Perfetto exports of the synthetic
//! linear reduce on 4 cores hold exactly its 3 sends and 3 receives, each
//! pair joined by one flow, plus core tracks, slices and queue counters.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use prost::Message;
use serde_json::Value as Json;
use trace_viewer::export::proto::{EventType, Trace};
use trace_viewer::export::{Format, Timeline, chrome, render};
use trace_viewer::item::decode_all;
use trace_viewer::synth::{self, Sim};

/// The Chrome JSON events of the reduce.
fn chrome_events() -> Vec<Json> {
    let doc = chrome::document(&Timeline::build(&common::reduce_items()));
    doc["traceEvents"].as_array().expect("traceEvents").clone()
}

/// Events with phase `ph` and name `name`.
fn named<'a>(events: &'a [Json], ph: &str, name: &str) -> Vec<&'a Json> {
    events
        .iter()
        .filter(|e| e["ph"] == ph && e["name"] == name)
        .collect()
}

#[test]
fn chrome_json_has_three_sends_and_three_receives() {
    let events = chrome_events();
    assert_eq!(named(&events, "X", "bus.send").len(), 3);
    assert_eq!(named(&events, "X", "bus.recv").len(), 3);
    assert_eq!(
        events
            .iter()
            .filter(|e| e["name"] == "bus.send" || e["name"] == "bus.recv")
            .count(),
        6
    );
}

#[test]
fn chrome_json_flows_join_each_send_to_its_receive() {
    let events = chrome_events();
    let starts: BTreeMap<u64, &Json> = named(&events, "s", "message")
        .into_iter()
        .map(|e| (e["id"].as_u64().unwrap(), e))
        .collect();
    let ends: BTreeMap<u64, &Json> = named(&events, "f", "message")
        .into_iter()
        .map(|e| (e["id"].as_u64().unwrap(), e))
        .collect();
    assert_eq!(starts.len(), 3);
    assert_eq!(
        starts.keys().collect::<Vec<_>>(),
        ends.keys().collect::<Vec<_>>()
    );
    let senders: BTreeSet<u64> = starts
        .values()
        .map(|e| e["tid"].as_u64().unwrap())
        .collect();
    assert_eq!(
        senders,
        BTreeSet::from([2, 3, 4]),
        "cores 1-3 send (tid = core + 1)"
    );
    assert!(ends.values().all(|e| e["tid"] == 1), "core 0 receives");
    for (id, s) in &starts {
        assert!(
            s["ts"].as_f64() < ends[id]["ts"].as_f64(),
            "flow {id} goes forward in time"
        );
    }
}

#[test]
fn chrome_json_flow_sits_on_its_send_and_receive() {
    let events = chrome_events();
    for flow in named(&events, "s", "message")
        .into_iter()
        .chain(named(&events, "f", "message"))
    {
        let host = events.iter().find(|e| {
            e["ph"] == "X" && e["tid"] == flow["tid"] && {
                let (ts, dur, at) = (
                    e["ts"].as_f64().unwrap(),
                    e["dur"].as_f64().unwrap(),
                    flow["ts"].as_f64().unwrap(),
                );
                ts <= at && at <= ts + dur
            }
        });
        assert!(
            host.is_some_and(|h| h["name"] == "bus.send" || h["name"] == "bus.recv"),
            "{flow}"
        );
    }
}

#[test]
fn chrome_json_has_tracks_slices_and_counters() {
    let events = chrome_events();
    let threads: BTreeSet<&str> = named(&events, "M", "thread_name")
        .iter()
        .map(|e| e["args"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        threads,
        BTreeSet::from(["core 0", "core 1", "core 2", "core 3"])
    );
    let begins = events.iter().filter(|e| e["ph"] == "B").count();
    assert_eq!(begins, events.iter().filter(|e| e["ph"] == "E").count());
    assert_eq!(named(&events, "B", "mpi.reduce").len(), 4);
    assert_eq!(named(&events, "B", "mpi.send").len(), 3);
    assert_eq!(named(&events, "B", "mpi.recv").len(), 3);
    assert_eq!(named(&events, "B", "shell.command").len(), 1);
    let reduce = named(&events, "B", "mpi.reduce")[0];
    assert_eq!(reduce["args"]["algorithm"], "linear");
    assert!(
        named(&events, "C", "queue 1->0 in flight")
            .iter()
            .any(|c| c["args"]["in_flight"] == 1)
    );
}

/// The Perfetto export of the reduce, decoded back.
fn perfetto_trace() -> Trace {
    let bytes = render(&Timeline::build(&common::reduce_items()), Format::Perfetto);
    Trace::decode(bytes.as_slice()).expect("perfetto bytes decode")
}

#[test]
fn perfetto_has_a_track_per_core_and_a_counter_per_queue() {
    let trace = perfetto_trace();
    let descs: Vec<_> = trace
        .packet
        .iter()
        .filter_map(|p| p.track_descriptor.as_ref())
        .collect();
    let threads: BTreeSet<i32> = descs
        .iter()
        .filter_map(|d| d.thread.as_ref()?.tid)
        .collect();
    assert_eq!(threads, BTreeSet::from([1, 2, 3, 4]));
    let counters = descs.iter().filter(|d| d.counter.is_some()).count();
    assert_eq!(counters, 12, "one per ordered pair of 4 cores");
    assert!(
        descs
            .iter()
            .any(|d| d.process.as_ref().is_some_and(|p| p.pid == Some(1)))
    );
}

#[test]
fn perfetto_flows_pair_three_sends_with_three_receives() {
    let trace = perfetto_trace();
    let events: Vec<_> = trace
        .packet
        .iter()
        .filter_map(|p| p.track_event.as_ref())
        .collect();
    let name = |e: &&trace_viewer::export::proto::TrackEvent| e.name.clone().unwrap_or_default();
    let out: BTreeSet<u64> = events
        .iter()
        .filter(|e| name(e) == "bus.send")
        .flat_map(|e| e.flow_ids.clone())
        .collect();
    let into: BTreeSet<u64> = events
        .iter()
        .filter(|e| name(e) == "bus.recv")
        .flat_map(|e| e.terminating_flow_ids.clone())
        .collect();
    assert_eq!(out.len(), 3);
    assert_eq!(out, into);
    let begins = events
        .iter()
        .filter(|e| e.r#type == Some(EventType::SliceBegin as i32))
        .count();
    let ends = events
        .iter()
        .filter(|e| e.r#type == Some(EventType::SliceEnd as i32))
        .count();
    assert_eq!(
        (begins, ends),
        (11, 11),
        "4 reduces, 3 sends, 3 receives, 1 shell command"
    );
    assert!(
        trace
            .packet
            .iter()
            .all(|p| p.trusted_packet_sequence_id == Some(1))
    );
}

#[test]
fn flow_ids_are_written_unpacked() {
    // Perfetto's reader wants one field 47 (fixed64, wire type 1) per id:
    // tag byte 47 << 3 | 1 = 0x79, 0x02 (varint of 377).
    let bytes = render(&Timeline::build(&common::reduce_items()), Format::Perfetto);
    let unpacked = bytes.windows(2).filter(|w| w == &[0xF9, 0x02]).count();
    assert_eq!(unpacked, 3);
}

#[test]
fn drained_order_gives_the_same_flows() {
    let mut sim = Sim::new(4);
    let start = sim.start_ns + 10_000;
    synth::linear_reduce(&mut sim, 0, start);
    let bytes = synth::encode(&sim.finish_drained(500)).unwrap();
    let t = Timeline::build(&decode_all(&bytes));
    assert_eq!(t.flows.len(), 3);
    assert_eq!((t.notes.unmatched_sends, t.notes.unmatched_recvs), (0, 0));
}

#[test]
fn damaged_input_still_exports_what_is_good() {
    let mut bytes = common::reduce_bytes();
    let cut = bytes.len() * 2 / 3;
    for b in &mut bytes[cut..cut + 40] {
        *b ^= 0x5a;
    }
    bytes.truncate(bytes.len() - 3);
    let t = Timeline::build(&decode_all(&bytes));
    assert!(
        t.notes.damaged.0 >= 2,
        "corruption and truncation are both reported"
    );
    let json = chrome::document(&t);
    assert!(json["traceEvents"].as_array().unwrap().len() > 100);
    Trace::decode(render(&t, Format::Perfetto).as_slice()).expect("still valid protobuf");
}
