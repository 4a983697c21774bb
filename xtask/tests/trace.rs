//! QEMU tests of the trace stream: COM2 recorded to a file, decoded and
//! exported by trace-viewer's library, checked against what the demo did.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value as Json;
use trace_viewer::export::{Timeline, chrome};
use trace_viewer::item::decode_all;
use xtask::harness::{Config, Machine};

/// A machine with COM2 written to a fresh file under target/.
fn traced(smp: u32, name: &str) -> (Machine, PathBuf) {
    let dir = xtask::workspace::root().join("target").join("trace-tests");
    std::fs::create_dir_all(&dir).expect("create target/trace-tests");
    let file = dir.join(format!("{name}.trace"));
    let _ = std::fs::remove_file(&file);
    let extra_args = vec!["-serial".into(), format!("file:{}", file.display())];
    (
        Machine::boot(Config {
            extra_args,
            ..Config::smp(smp)
        }),
        file,
    )
}

/// Powers off (so QEMU has written everything) and returns the stream.
fn finish(mut machine: Machine, file: &PathBuf) -> Vec<u8> {
    machine.send("poweroff\r");
    machine.wait_exit(Duration::from_secs(10));
    std::fs::read(file).expect("the trace file exists")
}

fn named<'a>(events: &'a [Json], ph: &str, name: &str) -> Vec<&'a Json> {
    events
        .iter()
        .filter(|e| e["ph"] == ph && e["name"] == name)
        .collect()
}

/// The issue's check: `reduce 64 sum` on 4 cores (linear) makes exactly 3
/// sends and 3 receives, each pair joined by a flow.
#[test]
fn a_traced_reduce_exports_three_sends_three_receives_and_their_flows() {
    let (mut machine, file) = traced(4, "reduce");
    assert_eq!(
        machine.run("trace on"),
        "trace on (debug: every message and span)\n"
    );
    assert!(machine.run("reduce 64 sum").contains("success! value: 6"));
    assert_eq!(machine.run("trace off"), "trace off\n");
    let status = machine.run("trace status");
    assert!(status.starts_with("trace off, filter debug, "), "{status}");
    let bytes = finish(machine, &file);
    let items = decode_all(&bytes);
    let doc = chrome::document(&Timeline::build(&items));
    let events = doc["traceEvents"].as_array().expect("traceEvents");
    assert_eq!(named(events, "X", "bus.send").len(), 3, "sends");
    assert_eq!(named(events, "X", "bus.recv").len(), 3, "receives");
    let starts = named(events, "s", "message");
    let ends = named(events, "f", "message");
    assert_eq!(starts.len(), 3, "one flow per message");
    for start in &starts {
        assert!(
            ends.iter().any(|end| end["id"] == start["id"]),
            "flow {} has no end",
            start["id"]
        );
    }
    assert_eq!(
        named(events, "B", "mpi.reduce").len(),
        4,
        "one reduce span per core"
    );
}

#[test]
fn trace_status_counts_records_and_the_filter_keeps_other_targets_out() {
    let (mut machine, file) = traced(2, "filter");
    assert_eq!(machine.run("trace on mpi"), "trace on (mpi)\n");
    machine.run("ping 0 1");
    machine.run("reduce 8 sum");
    let status = machine.run("trace status");
    assert!(status.starts_with("trace on, filter mpi, "), "{status}");
    let core1 = status
        .lines()
        .find(|l| l.trim_start().starts_with("1 "))
        .expect("a row for core 1");
    let spans: u64 = core1.split_whitespace().nth(2).unwrap().parse().unwrap();
    assert!(spans > 0, "core 1 recorded its reduce spans:\n{status}");
    machine.run("trace off");
    let items = decode_all(&finish(machine, &file));
    let doc = chrome::document(&Timeline::build(&items));
    let events = doc["traceEvents"].as_array().expect("traceEvents");
    assert!(!named(events, "B", "mpi.reduce").is_empty());
    assert!(
        named(events, "X", "bus.send").is_empty(),
        "the bus was filtered out"
    );
    assert!(
        named(events, "B", "shell.command").is_empty(),
        "the shell was filtered out"
    );
}

#[test]
fn trace_rejects_bad_input() {
    let mut machine = Machine::boot(Config::smp(1));
    let no_port = machine.run("trace on");
    assert!(
        no_port.starts_with("error: there is no channel"),
        "QEMU gave this machine one serial port:\n{no_port}"
    );
    for (line, expected) in [
        ("trace on bus=loud", "bad filter directive 'bus=loud'"),
        ("trace on =debug", "bad filter directive '=debug'"),
        (
            "trace on bogus",
            "unknown trace target 'bogus' (valid targets: bus, mpi, shell;",
        ),
        ("trace on mpi,bogus=info", "unknown trace target 'bogus'"),
        ("trace sideways", "unknown trace subcommand 'sideways'"),
        ("trace off extra", "unexpected argument 'extra'"),
    ] {
        let out = machine.run(line);
        assert!(
            out.starts_with("error: ") && out.contains(expected),
            "`{line}`:\n{out}"
        );
    }
    let status = machine.run("trace status");
    assert!(
        status.starts_with("trace off, filter -, channel no channel (QEMU has no virtio console and no COM2)\n"),
        "no byte count without a channel:\n{status}"
    );
}
