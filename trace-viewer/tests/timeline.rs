//! The timeline screen drawn on ratatui's TestBackend from the synthetic
//! reduce: one lane per core, spans as bars, each message a line from its
//! send to its receive; zoom, scroll and selection by key events; the
//! selected message's fields and ring slot. Also the one order across
//! cores: the `Clock` records' offsets put the log and the lanes on core
//! 0's clock.

mod common;

use common::{reduce_items, reduce_records, row_with, screen};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use trace_viewer::item::{Item, decode_all};
use trace_viewer::synth;
use trace_viewer::ui::App;
use trace_viewer::ui::timeline::{RECV_MARK, SEND_MARK};
use trace_wire::{Clock, Record, RecordBuf};

/// Screen size of these tests, and the columns of time it leaves: the
/// borders and the 8-column lane labels off.
const W: u16 = 160;
const H: u16 = 48;
const TIME_COLS: u64 = W as u64 - 2 - 8;
/// The first column of time.
const X0: usize = 1 + 8;

/// Presses `code`.
fn press(app: &mut App, code: KeyCode) {
    app.key(KeyEvent::new(code, KeyModifiers::NONE));
}

/// The app after `items`, on the timeline, fitted to the trace.
fn fitted_with(items: &[Item]) -> App {
    let mut app = App::new("test".into());
    app.apply(items);
    press(&mut app, KeyCode::Char('t'));
    screen(&app, W, H); // the first frame tells the view its width
    press(&mut app, KeyCode::Char('0'));
    app
}

/// The reduce, fitted.
fn fitted() -> App {
    fitted_with(&reduce_items())
}

/// Times of the records the timeline draws, read from the records: the
/// earliest and latest span mark or message end.
fn extent(records: &[RecordBuf]) -> (u64, u64) {
    let sites = message_sites(records);
    let times: Vec<u64> = records
        .iter()
        .filter_map(|r| match r {
            Record::SpanEnter(m) | Record::SpanExit(m) => Some(m.ts_ns),
            Record::Event(e) if sites.contains(&e.callsite) => Some(e.ts_ns),
            _ => None,
        })
        .collect();
    (*times.iter().min().unwrap(), *times.iter().max().unwrap())
}

/// Callsite ids of `bus.send` and `bus.recv`.
fn message_sites(records: &[RecordBuf]) -> Vec<u32> {
    records
        .iter()
        .filter_map(|r| match r {
            Record::Callsite(c) if c.name == "bus.send" || c.name == "bus.recv" => Some(c.id),
            _ => None,
        })
        .collect()
}

/// (core, ts) of every `bus.send` or (`sends` false) `bus.recv`.
fn ends(records: &[RecordBuf], sends: bool) -> Vec<(u16, u64)> {
    let name = if sends { "bus.send" } else { "bus.recv" };
    let site = records
        .iter()
        .find_map(|r| match r {
            Record::Callsite(c) if c.name == name => Some(c.id),
            _ => None,
        })
        .unwrap();
    records
        .iter()
        .filter_map(|r| match r {
            Record::Event(e) if e.callsite == site => Some((e.core, e.ts_ns)),
            _ => None,
        })
        .collect()
}

/// (row, column) of every `mark` on the screen, columns counted in chars.
fn marks(s: &[String], mark: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (y, row) in s.iter().enumerate() {
        for (x, ch) in row.chars().enumerate() {
            if ch.to_string() == mark {
                out.push((y, x));
            }
        }
    }
    out
}

/// The row of `core`'s lane label.
fn lane_row(s: &[String], core: u16) -> usize {
    s.iter()
        .position(|r| r.starts_with(&format!("│core {core} ")))
        .unwrap_or_else(|| panic!("no lane for core {core}:\n{}", s.join("\n")))
}

#[test]
fn each_core_has_a_lane_with_its_spans_as_bars() {
    let s = screen(&fitted(), W, H);
    assert!(row_with(&s, "timeline:").contains("per column"));
    for core in 0..4 {
        let top = lane_row(&s, core);
        let lane = s[top..top + 3].join("\n");
        assert!(lane.contains("mpi.reduce"), "core {core}'s lane:\n{lane}");
        let p2p = if core == 0 { "mpi.recv" } else { "mpi.se" };
        assert!(lane.contains(p2p), "core {core}'s lane:\n{lane}");
    }
    assert!(s[lane_row(&s, 0)].contains("shell.command"));
}

#[test]
fn each_message_is_a_line_from_its_send_to_its_receive() {
    let records = reduce_records();
    let (lo, hi) = extent(&records);
    let ns_per_col = (hi - lo + 1).div_ceil(TIME_COLS);
    let col = |ts: u64| X0 + ((ts - lo) / ns_per_col) as usize;
    let s = screen(&fitted(), W, H);
    let mut sends = marks(&s, SEND_MARK);
    sends.sort();
    let mut expected: Vec<(usize, usize)> = ends(&records, true)
        .into_iter()
        .map(|(core, ts)| (lane_row(&s, core) + 2, col(ts)))
        .collect();
    expected.sort();
    assert_eq!(sends, expected, "a send mark where each core sent");
    let recvs = marks(&s, RECV_MARK);
    let expected: Vec<(usize, usize)> = ends(&records, false)
        .into_iter()
        .map(|(core, ts)| (lane_row(&s, core) + 2, col(ts)))
        .collect();
    assert_eq!(recvs, expected, "core 0 received all three");
    let between = &s[lane_row(&s, 0) + 3];
    assert!(
        between.contains('╱'),
        "the lines rise from the senders' lanes to core 0's: {between}"
    );
}

#[test]
fn zoom_keys_halve_and_double_the_time_per_column_about_the_middle() {
    let mut app = fitted();
    let before = app.timeline.ns_per_col;
    let middle = app.timeline.start_ns.unwrap() + TIME_COLS / 2 * before;
    press(&mut app, KeyCode::Char('+'));
    assert_eq!(app.timeline.ns_per_col, before / 2);
    let after = app.timeline.start_ns.unwrap() + TIME_COLS / 2 * app.timeline.ns_per_col;
    assert!(after.abs_diff(middle) <= before, "{after} vs {middle}");
    let s = screen(&app, W, H);
    let title = row_with(&s, "timeline:");
    assert!(
        title.contains(&format!("{}ns per column", before / 2)),
        "{title}"
    );
    press(&mut app, KeyCode::Char('-'));
    press(&mut app, KeyCode::Char('-'));
    assert_eq!(app.timeline.ns_per_col, before / 2 * 4);
}

#[test]
fn arrow_keys_scroll_the_timeline() {
    let mut app = fitted();
    let s = screen(&app, W, H);
    let before = marks(&s, RECV_MARK);
    press(&mut app, KeyCode::Right);
    let after = marks(&screen(&app, W, H), RECV_MARK);
    let moved: Vec<(usize, usize)> = before.iter().map(|&(y, x)| (y, x - 16)).collect();
    assert_eq!(after, moved, "→ moves the view 16 columns later");
    press(&mut app, KeyCode::Left);
    assert_eq!(marks(&screen(&app, W, H), RECV_MARK), before);
}

#[test]
fn selecting_a_message_shows_its_fields_and_ring_slot() {
    let mut app = fitted();
    let s = screen(&app, W, H);
    assert!(row_with(&s, "n/N select a message").contains("ring slot"));
    press(&mut app, KeyCode::Char('n'));
    let s = screen(&app, W, H);
    let head = row_with(&s, "message 1->0:");
    assert!(
        head.contains("sent by core 1 at") && head.contains("received by core 0 at"),
        "{head}"
    );
    let fields = row_with(&s, "fields:");
    assert!(
        fields.contains("src=1 dst=0 len=256 frags=1 desc=0 used_idx=0 seq=0"),
        "{fields}"
    );
    let slot = row_with(&s, "ring slot");
    assert!(
        slot.contains("ring slot 0 of 16 slots of 1024 B (announced) (used_idx 0, desc 0)"),
        "{slot}"
    );
    assert!(slot.contains("■□□□"), "slot 0 marked in the strip: {slot}");
    press(&mut app, KeyCode::Char('n'));
    assert!(row_with(&screen(&app, W, H), "message 2->0:").contains("sent by core 2"));
    press(&mut app, KeyCode::Char('N'));
    assert!(row_with(&screen(&app, W, H), "message 1->0:").contains("sent by core 1"));
}

#[test]
fn selecting_brings_the_message_into_view() {
    let mut app = fitted();
    for _ in 0..6 {
        press(&mut app, KeyCode::Char('+'));
    }
    for _ in 0..200 {
        press(&mut app, KeyCode::Left);
    }
    assert!(
        marks(&screen(&app, W, H), SEND_MARK).is_empty(),
        "scrolled away"
    );
    press(&mut app, KeyCode::Char('n'));
    let s = screen(&app, W, H);
    assert!(row_with(&s, "message 1->0:").contains("sent by core 1"));
    assert!(
        !marks(&s, SEND_MARK).is_empty(),
        "its send is in view again"
    );
}

/// The reduce with core `c`'s clock `offsets[c]` ahead of core 0's, as
/// the kernel would stamp it, drained per core.
fn skewed(offsets: &[i64; 4]) -> Vec<RecordBuf> {
    let mut sim = synth::Sim::new(4);
    let start = sim.start_ns + 10_000;
    synth::linear_reduce(&mut sim, 0, start);
    sim.finish_drained(synth::DRAIN_NS)
        .into_iter()
        .map(|mut r| {
            shift(&mut r, offsets);
            r
        })
        .collect()
}

/// Moves a record's time by its core's offset.
fn shift(r: &mut RecordBuf, offsets: &[i64; 4]) {
    let Some(core) = r.core() else { return };
    let by = offsets[usize::from(core)];
    match r {
        Record::Event(e) => e.ts_ns = e.ts_ns.checked_add_signed(by).unwrap(),
        Record::SpanNew(s) => s.ts_ns = s.ts_ns.checked_add_signed(by).unwrap(),
        Record::SpanEnter(m) | Record::SpanExit(m) | Record::SpanClose(m) => {
            m.ts_ns = m.ts_ns.checked_add_signed(by).unwrap()
        }
        _ => {}
    }
}

/// An app that applied `records`, after a `Clock` record per core when
/// `announce` (as the kernel sends them with its header).
fn app_with_offsets(records: &[RecordBuf], offsets: &[i64; 4], announce: bool) -> App {
    let clocks = offsets.iter().enumerate().map(|(core, &offset_ns)| {
        Record::Clock(Clock {
            core: core as u16,
            tsc_offset: offset_ns * 2,
            offset_ns,
            uncertainty_ns: 10,
        })
    });
    let stream: Vec<RecordBuf> = match announce {
        true => clocks.chain(records.iter().cloned()).collect(),
        false => records.to_vec(),
    };
    let mut app = App::new("test".into());
    app.apply(&decode_all(&synth::encode(&stream).unwrap()));
    app
}

#[test]
fn the_log_merges_every_core_by_time_on_core_0s_clock() {
    let offsets = [0, 40_000, -500, 1_000_000];
    let app = app_with_offsets(&skewed(&offsets), &offsets, true);
    let lines = app.model.log.tail(&Default::default(), 0, usize::MAX);
    let times: Vec<u64> = lines.iter().map(|l| l.ts_ns).collect();
    assert!(times.is_sorted(), "log in time order: {times:?}");
    let truth = app_with_offsets(&skewed(&[0; 4]), &[0; 4], false);
    let plain = truth.model.log.tail(&Default::default(), 0, usize::MAX);
    let names = |ls: &[&trace_viewer::model::LogLine]| -> Vec<String> {
        ls.iter()
            .map(|l| format!("{} {}", l.ts_ns, l.name))
            .collect()
    };
    assert_eq!(
        names(&lines),
        names(&plain),
        "same lines, same times as with no skew"
    );
}

#[test]
fn without_the_offsets_the_skew_shows() {
    let offsets = [0, 40_000, -500, 1_000_000];
    let app = app_with_offsets(&skewed(&offsets), &offsets, false);
    let recv_before_send = app.model.lanes.messages().any(|(_, m)| {
        let (s, r) = (m.send.as_ref().unwrap(), m.recv.as_ref().unwrap());
        r.ts_ns < s.ts_ns
    });
    assert!(
        recv_before_send,
        "core 3's sends seem to arrive before they leave"
    );
    let aligned = app_with_offsets(&skewed(&offsets), &offsets, true);
    assert!(
        aligned
            .model
            .lanes
            .messages()
            .all(|(_, m)| { m.send.as_ref().unwrap().ts_ns < m.recv.as_ref().unwrap().ts_ns })
    );
}

#[test]
fn an_offset_within_its_uncertainty_is_not_applied() {
    let offsets = [0, 0, 0, 1_000_000];
    let noisy = |offset_ns: i64, uncertainty_ns: u64| {
        Record::Clock(Clock {
            core: 3,
            tsc_offset: 0,
            offset_ns,
            uncertainty_ns,
        })
    };
    let stream = |clock: RecordBuf| -> Vec<RecordBuf> {
        std::iter::once(clock).chain(skewed(&offsets)).collect()
    };
    let sure = app_with_offsets(&stream(noisy(1_000_000, 900_000)), &[0; 4], false);
    let unsure = app_with_offsets(&stream(noisy(1_000_000, 1_000_000)), &[0; 4], false);
    let latest_send = |app: &App| {
        app.model
            .lanes
            .messages()
            .filter_map(|(_, m)| m.send.as_ref())
            .map(|e| e.ts_ns)
            .max()
    };
    assert!(
        latest_send(&sure) < latest_send(&unsure),
        "only the sure offset moves core 3"
    );
}
