//! The Perfetto export checked against Perfetto's own published schema
//! (`perfetto_trace_pb2` from the `perfetto` Python package, which
//! `cargo xtask test` installs), not only against the viewer's prost copy.

mod common;

use std::path::PathBuf;
use std::process::Command;

use trace_viewer::export::{Format, Timeline, render};
use trace_viewer::item::{Item, decode_all};
use trace_viewer::synth;
use trace_wire::Record;

/// Writes `bytes` to a file named after `name` and runs Perfetto's schema
/// check on it: (success, its output).
fn run_checker(name: &str, bytes: &[u8]) -> (bool, String) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let file = dir.join(format!("{name}.perfetto-trace"));
    std::fs::write(&file, bytes).expect("write the export");
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/perfetto/check_schema.py"
    );
    let out = Command::new("python3")
        .arg(script)
        .arg(&file)
        .output()
        .expect("python3 runs (install it, or run `cargo xtask test`, which sets up)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// Runs the schema check on `bytes`; returns its output, or panics with it.
fn check_with_perfettos_schema(name: &str, bytes: &[u8]) -> String {
    let (ok, text) = run_checker(name, bytes);
    assert!(
        ok,
        "{name}: Perfetto's schema rejects the export (if the `perfetto` module is \
         missing: `python3 -m pip install perfetto protobuf`, or run `cargo xtask test`):\n{text}"
    );
    text
}

#[test]
fn the_reduce_export_is_valid_by_perfettos_schema() {
    let bytes = render(&Timeline::build(&common::reduce_items()), Format::Perfetto);
    let out = check_with_perfettos_schema("reduce", &bytes);
    assert!(out.contains("0 problems"), "{out}");
}

#[test]
fn a_long_demo_export_is_valid_by_perfettos_schema() {
    let records = synth::demo_trace(4, 2);
    let items = decode_all(&synth::encode(&records).expect("encode"));
    let bytes = render(&Timeline::build(&items), Format::Perfetto);
    let out = check_with_perfettos_schema("demo", &bytes);
    assert!(out.contains("0 problems"), "{out}");
}

/// The checker itself catches what it is for: a counter event pointing at a
/// track nobody declared.
#[test]
fn the_checker_catches_an_undeclared_track() {
    use prost::Message;
    use trace_viewer::export::proto::{EventType, Trace, TracePacket, TrackEvent};
    let stray = TracePacket {
        timestamp: Some(1),
        trusted_packet_sequence_id: Some(1),
        track_event: Some(TrackEvent {
            r#type: Some(EventType::Counter as i32),
            track_uuid: Some(424_242),
            counter_value: Some(1),
            ..Default::default()
        }),
        ..Default::default()
    };
    let bytes = Trace {
        packet: vec![stray],
    }
    .encode_to_vec();
    let (ok, text) = run_checker("stray", &bytes);
    assert!(!ok, "{text}");
    assert!(text.contains("event on undeclared track 424242"), "{text}");
}

/// A stream filtered to the message events (`bus.send`/`bus.publish`, as
/// `trace on bus=info`-style filters give) shows no `bus.init`, post or
/// fill: a queue's every event then moves its in-flight count, and its
/// counter track must still be declared.
#[test]
fn a_queue_seen_only_in_publishes_has_its_counter_track_declared() {
    let mut sim = synth::Sim::new(3);
    let booted = sim.start_ns;
    for i in 0..3 {
        sim.send(1, 2, booted + 1_000 * (i + 1), 64);
    }
    let items = decode_all(&synth::encode(&sim.finish()).expect("encode"));
    let hidden: Vec<u32> = items
        .iter()
        .filter_map(|item| match item {
            Item::Record(Record::Callsite(c))
                if !["bus.send", "bus.publish"].contains(&c.name.as_str()) =>
            {
                Some(c.id)
            }
            _ => None,
        })
        .collect();
    let shown: Vec<Item> = items
        .into_iter()
        .filter(
            |item| !matches!(item, Item::Record(Record::Event(e)) if hidden.contains(&e.callsite)),
        )
        .collect();
    let bytes = render(&Timeline::build(&shown), Format::Perfetto);
    let out = check_with_perfettos_schema("publishes-only", &bytes);
    assert!(out.contains("0 problems"), "{out}");
}

/// A version 2 stream's extra records (clock offsets, queue sizes) and a
/// drop report from a core that recorded nothing else: every track an
/// event names is still declared, and the clock-aligned flows still run
/// forward.
#[test]
fn clock_offsets_queue_sizes_and_a_lone_drop_export_valid_by_perfettos_schema() {
    use trace_wire::{Clock, Dropped, Queue, RecordBuf};
    let offsets = [0i64, 30_000, 500, 90_000];
    let mut stream: Vec<RecordBuf> = offsets
        .iter()
        .enumerate()
        .map(|(core, &offset_ns)| {
            Record::Clock(Clock {
                core: core as u16,
                tsc_offset: offset_ns * 2,
                offset_ns,
                uncertainty_ns: 20,
            })
        })
        .collect();
    stream.push(Record::Queue(Queue {
        src: 1,
        dst: 0,
        size: 64,
        buf_size: 1024,
    }));
    for mut r in synth::linear_reduce_trace(4) {
        if let Some(core) = r.core() {
            let by = offsets[usize::from(core)];
            match &mut r {
                Record::Event(e) => e.ts_ns = e.ts_ns.checked_add_signed(by).unwrap(),
                Record::SpanEnter(m) | Record::SpanExit(m) => {
                    m.ts_ns = m.ts_ns.checked_add_signed(by).unwrap()
                }
                _ => {}
            }
        }
        stream.push(r);
    }
    stream.push(Record::Dropped(Dropped {
        core: 6,
        ts_ns: 50_000,
        count: 3,
    }));
    let items = decode_all(&synth::encode(&stream).expect("encode"));
    let timeline = Timeline::build(&items);
    for &(_, send, recv) in &timeline.flows {
        assert!(timeline.entries[send].ts_ns < timeline.entries[recv].ts_ns);
    }
    let bytes = render(&timeline, Format::Perfetto);
    let out = check_with_perfettos_schema("v2-extras", &bytes);
    assert!(out.contains("0 problems"), "{out}");
}
