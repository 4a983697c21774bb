//! QEMU tests of the trace stream: COM2 recorded to a file, decoded and
//! exported by trace-viewer's library, checked against what the demo did.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value as Json;
use trace_viewer::export::{Timeline, chrome};
use trace_viewer::item::{Item, decode_all};
use trace_viewer::stats::Stats;
use trace_wire::Record;
use trace_wire::raw::SLOT_BYTES;
use xtask::harness::{Config, Machine};
use xtask::qemu::TraceChannel;

/// A machine whose trace stream (on a virtio console) goes to a fresh file
/// under target/.
fn traced(smp: u32, name: &str) -> (Machine, PathBuf) {
    traced_over(smp, name, TraceChannel::Virtio)
}

/// A machine whose trace stream goes to a fresh file over `channel`.
fn traced_over(smp: u32, name: &str, channel: TraceChannel) -> (Machine, PathBuf) {
    traced_with(Config::smp(smp), name, channel)
}

/// A machine booted with `config` whose trace stream goes to a fresh file.
fn traced_with(config: Config, name: &str, channel: TraceChannel) -> (Machine, PathBuf) {
    let dir = xtask::workspace::root().join("target").join("trace-tests");
    std::fs::create_dir_all(&dir).expect("create target/trace-tests");
    let file = dir.join(format!("{name}.trace"));
    let _ = std::fs::remove_file(&file);
    let extra_args = xtask::qemu::trace_args(&format!("file,path={}", file.display()), channel);
    (
        Machine::boot(Config {
            extra_args,
            ..config
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

/// `trace status`' per-core rows: core -> [events, spans, marks, dropped, buffered].
fn status_rows(status: &str) -> Vec<(u16, [u64; 5])> {
    status
        .lines()
        .skip_while(|l| !l.starts_with("core "))
        .skip(1)
        .map(|l| {
            let n: Vec<u64> = l.split_whitespace().map(|w| w.parse().unwrap()).collect();
            (n[0] as u16, [n[1], n[2], n[3], n[4], n[5]])
        })
        .collect()
}

/// How many events named `name` the stream holds.
fn count_named(stats: &Stats, name: &str) -> u64 {
    stats.sites.get(name).map_or(0, |s| s.count)
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
    let reduces = named(events, "B", "mpi.reduce");
    assert_eq!(reduces.len(), 4, "one reduce span per core");
    for reduce in reduces {
        let args = &reduce["args"];
        assert_eq!(
            (
                &args["algorithm"],
                &args["op"],
                &args["root"],
                &args["count"]
            ),
            (
                &Json::from("linear"),
                &Json::from("sum"),
                &Json::from(0),
                &Json::from(64)
            ),
            "the collective probe's interned names and integers: {reduce}"
        );
    }
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
            "unknown trace target 'bogus' (valid targets: bus, mpi, shell, core;",
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
        status.starts_with(
            "trace off, filter -, channel no channel (QEMU has no virtio console and no COM2)\n"
        ),
        "no byte count without a channel:\n{status}"
    );
}

/// `bench trace`, what `cargo xtask bench` runs on 3 cores, prints every
/// result that bench reads, as a number (values are not checked: they are
/// timings), and each workload's ratios beside the worse of the two; a
/// second run in the same boot is refused, since its no-subscriber
/// baseline needs a boot that never traced.
#[test]
fn bench_trace_prints_every_result_and_needs_a_fresh_boot() {
    let (mut machine, _) = traced(3, "bench-trace");
    let out = machine.run_checked("bench trace --rounds 10");
    for name in [
        "trace_off_overhead_ratio",
        "trace_off_overhead_spread",
        "trace_on_overhead_ratio",
        "trace_on_overhead_spread",
        "trace_record_cycles",
        "trace_record_cycles_tracing",
        "trace_record_cycles_floor",
        "trace_record_cycles_clock",
        "trace_records_per_s",
        "trace_dropped_records",
    ] {
        let value = (out.lines())
            .filter_map(|l| l.strip_prefix("BENCH "))
            .filter_map(|json| serde_json::from_str::<Json>(json).ok())
            .find(|result| result["name"] == name)
            .and_then(|result| result["value"].as_f64());
        assert!(
            value.is_some_and(f64::is_finite),
            "no number for {name}:\n{out}"
        );
    }
    for setting in ["off", "on"] {
        let line = (out.lines())
            .find(|l| l.starts_with(&format!("trace {setting}/none, worse of the two")))
            .unwrap_or_else(|| panic!("no {setting} line:\n{out}"));
        assert!(line.contains("(medians: ping "), "{line}");
        assert!(line.contains(", reduce "), "{line}");
    }
    let again = machine.run("bench trace --rounds 10");
    assert!(
        again.starts_with("error: tracing was on earlier in this boot"),
        "{again}"
    );
}

/// `ping 1 2 --count N` makes exactly 2N `bus.send` and 2N `bus.recv`
/// records, every one in the stream (the issue's lab workload, N =
/// 100,000); `trace status` and `trace-viewer stats` agree core by core on
/// events, spans and drops; nothing is left buffered after `trace off`;
/// each bus record takes one 64-byte slot (its probe is narrow).
#[test]
fn a_traced_ping_reaches_the_stream_exactly_and_status_agrees_with_stats() {
    const N: u64 = 100_000;
    let config = Config {
        command_timeout: Duration::from_secs(300),
        ..Config::smp(3)
    };
    let (mut machine, file) = traced_with(config, "ping-count", TraceChannel::Virtio);
    machine.run("trace on");
    let out = machine.run(&format!("ping 1 2 --count {N}"));
    assert!(out.contains(&format!("{N} round trips")), "{out}");
    machine.run("trace off");
    let status = machine.run("trace status");
    assert!(status.contains("channel virtio console at "), "{status}");
    assert!(
        status.contains(" port 1, "),
        "the throttled port:\n{status}"
    );
    let stream = finish(machine, &file);
    let stats = stream_agrees_with_status(&status, &stream);
    assert_eq!(stats.dropped, 0, "{status}");
    assert_eq!(count_named(&stats, "bus.send"), 2 * N);
    assert_eq!(count_named(&stats, "bus.recv"), 2 * N);
    // Two slots a bus record would make the stream twice this; a quarter
    // more leaves room for the headers and callsites sent each second.
    let one_slot_each = 4 * N * SLOT_BYTES as u64;
    assert!(
        (stream.len() as u64) < one_slot_each * 5 / 4,
        "{} bytes for {} bus records of one 64-byte slot each",
        stream.len(),
        4 * N
    );
}

/// Checks `trace status` against the stream core by core (events, spans,
/// drops) and that nothing stayed buffered; returns the stream's stats.
fn stream_agrees_with_status(status: &str, stream: &[u8]) -> Stats {
    let rows = status_rows(status);
    assert!(!rows.is_empty(), "{status}");
    let stats = Stats::from_items(&decode_all(stream), stream.len() as u64);
    assert!(stats.damaged.is_empty(), "{:?}", stats.damaged);
    assert_eq!(stats.unknown_callsite, 0);
    for (core, [events, spans, _, dropped, buffered]) in rows {
        let seen = stats.cores.get(&core).copied().unwrap_or_default();
        assert_eq!(
            (seen.events, seen.spans, seen.dropped),
            (events, spans, dropped),
            "core {core}: stream vs trace status\n{status}"
        );
        assert_eq!(
            buffered, 0,
            "core {core} still buffers after trace off\n{status}"
        );
    }
    stats
}

/// A record written in a handler lands in the core's interrupt lane, one
/// written by task code in its task lane: the breakpoints' `core.exception` events
/// (written by the exception handler) are what `trace status` counts as
/// the handlers' records, on the core that took each, while the ping's
/// messages (task code) are not; the stream holds them all.
#[test]
fn records_written_in_a_handler_go_to_the_interrupt_lane() {
    let config = Config {
        crash_ok: true, // the breakpoints' reports say EXCEPTION
        ..Config::smp(3)
    };
    let (mut machine, file) = traced_with(config, "handler-lane", TraceChannel::Virtio);
    machine.run("trace on");
    for core in [1, 2, 2] {
        let out = machine.run(&format!("fault {core} breakpoint"));
        assert!(out.contains(&format!("EXCEPTION on core {core}")), "{out}");
    }
    let out = machine.run("ping 1 2 --count 10");
    assert!(out.contains("10 round trips"), "{out}");
    machine.run("trace off");
    let status = machine.run("trace status");
    assert!(
        status.contains("\nrecords written in interrupt and exception handlers, by core: 0 1 2\n"),
        "{status}"
    );
    let stats = stream_agrees_with_status(&status, &finish(machine, &file));
    assert_eq!(count_named(&stats, "core.exception"), 3, "{status}");
    assert_eq!(count_named(&stats, "bus.send"), 20, "{status}");
}

/// Without a virtio console the trace falls back to COM2, says so, and its
/// accounting still agrees with the stream (drops included: COM2 is slow).
/// While tracing is on, core 0's APIC timer ticks for the drain, so the
/// C stop hook arms no one-shot there: those ticks must bring its next
/// look. A soft-float loop with no call on core 0 (even ranks, `errors
/// spin`) stops at the first Ctrl-C with tracing on too.
#[test]
fn with_tracing_on_ctrl_c_stops_a_c_loop_on_core_0() {
    let (mut machine, file) = traced(4, "c-spin");
    machine.run("trace on");
    for _ in 0..3 {
        machine.send("run errors spin --cores 0-3\r");
        std::thread::sleep(Duration::from_millis(500));
        let out = machine.ctrl_c(Duration::from_secs(30));
        assert!(out.contains("errors stopped by Ctrl-C"), "{out}");
        assert!(!machine.run("cores").contains("running"));
    }
    machine.run("trace off");
    let stream = finish(machine, &file);
    assert!(!stream.is_empty(), "nothing was traced");
}

#[test]
fn without_a_virtio_console_the_trace_goes_to_com2_and_still_adds_up() {
    let (mut machine, file) = traced_over(3, "com2", TraceChannel::Com2);
    machine.run("trace on");
    machine.run("reduce 64 sum");
    machine.run("ping 1 2 --count 3000");
    machine.run("trace off");
    let status = machine.run("trace status");
    assert!(
        status.starts_with("trace off, filter debug, channel COM2 (no virtio console; slow fallback) [no virtio console on PCI], "),
        "{status}"
    );
    let stats = stream_agrees_with_status(&status, &finish(machine, &file));
    assert!(count_named(&stats, "bus.send") > 0, "{status}");
}

/// On fresh boots the stream never names a callsite before describing it:
/// every event, read in stream order, finds its callsite.
#[test]
fn fresh_boots_describe_every_callsite_before_its_first_use() {
    for boot in 0..3 {
        let (mut machine, file) = traced(4, &format!("fresh-{boot}"));
        machine.run("trace on");
        machine.run("reduce 64 sum");
        machine.run("ping 0 all");
        machine.run("trace off");
        let items = decode_all(&finish(machine, &file));
        let mut described = std::collections::HashSet::new();
        let mut events = 0;
        for item in &items {
            let Item::Record(rec) = item else { continue };
            match rec {
                Record::Callsite(c) => {
                    described.insert(c.id);
                }
                Record::Event(e) => {
                    events += 1;
                    assert!(
                        described.contains(&e.callsite),
                        "boot {boot}: event before callsite {}",
                        e.callsite
                    );
                }
                Record::SpanNew(s) => {
                    assert!(
                        described.contains(&s.callsite),
                        "boot {boot}: span before callsite {}",
                        s.callsite
                    );
                }
                _ => {}
            }
        }
        assert!(events >= 12, "boot {boot}: {events} events");
        let dropped: u64 = items
            .iter()
            .filter_map(|i| match i {
                Item::Record(Record::Dropped(d)) => Some(d.count),
                _ => None,
            })
            .sum();
        assert_eq!(dropped, 0, "boot {boot}: a lab workload lost records");
    }
}

/// The stream announces every queue's size and each core's clock offset.
#[test]
fn the_stream_announces_queue_sizes_and_clock_offsets() {
    let (mut machine, file) = traced(3, "announce");
    let dump = machine.run("vq dump 0 1");
    machine.run("trace on");
    machine.run("ping 0 1");
    machine.run("trace off");
    let items = decode_all(&finish(machine, &file));
    let records = || {
        items.iter().filter_map(|i| match i {
            Item::Record(r) => Some(r),
            Item::Damaged(_) => None,
        })
    };
    let announced: Vec<_> = records()
        .filter_map(|r| match r {
            Record::Queue(q) => Some(*q),
            _ => None,
        })
        .collect();
    assert_eq!(announced.len(), 6, "one per ordered pair of 3 cores");
    let q = announced
        .iter()
        .find(|q| (q.src, q.dst) == (0, 1))
        .expect("queue 0->1");
    assert!(
        dump.contains(&format!("size={} buf={}", q.size, q.buf_size)),
        "{q:?} vs\n{dump}"
    );
    let clocks: Vec<_> = records()
        .filter_map(|r| match r {
            Record::Clock(c) => Some(*c),
            _ => None,
        })
        .collect();
    assert_eq!(clocks.iter().map(|c| c.core).collect::<Vec<_>>(), [0, 1, 2]);
    assert_eq!(clocks[0].tsc_offset, 0);
    assert!(
        clocks[1].uncertainty_ns > 0,
        "core 1 was measured: {:?}",
        clocks[1]
    );
}

/// Polls `app`'s console and trace feed until `done` holds for its
/// console rows and the app (model, feed status); panics with the pane
/// after 60 s.
fn wait_in_pane(
    app: &mut trace_viewer::ui::App,
    feed: &trace_viewer::input::Feed,
    what: &str,
    done: impl Fn(&[String], &trace_viewer::ui::App) -> bool,
) {
    let screen = ratatui::layout::Rect::new(0, 0, 120, 50);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        trace_viewer::ui::run::take(app, feed, Duration::from_millis(25));
        app.poll_console(screen);
        let console = app.console.as_ref().expect("a console pane");
        let rows: Vec<String> = (0..console.screen().rows())
            .map(|r| console.row(r))
            .collect();
        if done(&rows, app) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "waited 60 s for {what}; the feed is {:?}; the pane shows:\n{}",
            app.status,
            rows.join("\n")
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Types `line` and Enter into the console pane, key by key.
fn type_in_pane(app: &mut trace_viewer::ui::App, line: &str) {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let keys = line.chars().map(KeyCode::Char).chain([KeyCode::Enter]);
    for code in keys {
        app.key(KeyEvent::new(code, KeyModifiers::NONE));
    }
}

/// `cargo xtask view`'s arrangement: QEMU in the viewer's console pane, its
/// trace stream on a socket the viewer reads. `reduce 64 sum` typed in the
/// pane prints its result there, and its 3 messages reach the timeline.
#[test]
fn a_reduce_typed_in_the_viewers_console_pane_shows_its_result_and_its_messages() {
    let dir = xtask::workspace::root().join("target").join("trace-tests");
    std::fs::create_dir_all(&dir).expect("create target/trace-tests");
    let socket = dir.join("view.sock");
    let _ = std::fs::remove_file(&socket);
    let _slot = xtask::harness::Slot::acquire();
    let elf = xtask::harness::kernel_elf();
    let mut qemu = xtask::qemu::command(elf, 4, "512M", xtask::qemu::Accel::Tcg, true);
    let chardev = format!("socket,path={},server=on,wait=off", socket.display());
    let channel = xtask::qemu::TraceChannel::Virtio; // as `cargo xtask view` by default
    qemu.args(["-serial", "stdio", "-display", "none"])
        .args(xtask::qemu::trace_args(&chardev, channel));
    let console = trace_viewer::console::Console::spawn(qemu).expect("QEMU starts");
    let feed = trace_viewer::input::feed::live(socket, None);
    let mut app = trace_viewer::ui::App::with_console("test".into(), console);
    let prompt_last = |rows: &[String]| {
        rows.iter()
            .rev()
            .find(|r| !r.is_empty())
            .is_some_and(|r| r == "ringlab>")
    };
    // QEMU's socket drops what the kernel writes while no viewer is
    // connected, and the boot can beat the viewer's first retry: a `trace
    // on` typed before the feed connects loses the reduce's records.
    let connected = trace_viewer::input::Status::Connected;
    wait_in_pane(
        &mut app,
        &feed,
        "the first prompt and the stream",
        |rows, app| prompt_last(rows) && app.status == connected,
    );
    type_in_pane(&mut app, "trace on");
    wait_in_pane(&mut app, &feed, "trace on", |rows, _| {
        rows.iter().any(|r| r.starts_with("trace on (")) && prompt_last(rows)
    });
    type_in_pane(&mut app, "reduce 64 sum");
    wait_in_pane(&mut app, &feed, "the reduce's summary", |rows, _| {
        rows.iter().any(|r| r.contains("success! value: 6"))
            && rows.iter().any(|r| r.starts_with("reduce 64 x i32 (sum"))
            && prompt_last(rows)
    });
    type_in_pane(&mut app, "trace off");
    wait_in_pane(
        &mut app,
        &feed,
        "three messages with both ends",
        |rows, app| {
            let whole = app
                .model
                .lanes
                .messages()
                .filter(|(_, l)| l.send.is_some() && l.recv.is_some())
                .count();
            rows.iter().any(|r| r == "trace off") && whole == 3
        },
    );
    let sends = app
        .model
        .lanes
        .messages()
        .filter(|(_, l)| l.send.is_some())
        .count();
    assert_eq!(sends, 3, "exactly the reduce's three messages");
    assert!(app.model.lanes.bars().any(|b| b.name == "mpi.reduce"));
    let rings = viewer_screen(&app);
    assert!(
        rings
            .iter()
            .any(|r| r.contains("queue 1->0 ring: 64 slots of 1024 B (announced)")),
        "the ring the kernel announced:\n{}",
        rings.join("\n")
    );
    app.console_focus = false;
    for key in ['t', '0', 'n'] {
        use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        app.key(KeyEvent::new(KeyCode::Char(key), KeyModifiers::NONE));
        viewer_screen(&app);
    }
    let timeline = viewer_screen(&app);
    assert!(
        timeline
            .iter()
            .any(|r| r.contains("of 64 slots of 1024 B (announced)")),
        "the selected message's ring slot:\n{}",
        timeline.join("\n")
    );
}

/// The viewer drawn on a 160×60 test terminal, one string per row.
fn viewer_screen(app: &trace_viewer::ui::App) -> Vec<String> {
    use ratatui::backend::TestBackend;
    let mut term = ratatui::Terminal::new(TestBackend::new(160, 60)).expect("test terminal");
    term.draw(|f| trace_viewer::ui::draw(f, app)).expect("draw");
    let buf = term.backend().buffer();
    (0..60)
        .map(|y| (0..160).map(|x| buf[(x, y)].symbol().to_string()).collect())
        .collect()
}
