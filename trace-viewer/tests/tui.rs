//! The terminal UI drawn on ratatui's TestBackend from the synthetic reduce:
//! the matrix counts the messages, the ring shows slots and heads, the
//! status line shows losses, and keys move the selection, pause and filter.

mod common;

use common::{reduce_items, row_with, screen};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use trace_viewer::item::Item;
use trace_viewer::ui::{Action, App, Mode, keys};
use trace_wire::{Dropped, Record};

/// An app that has applied `items`.
fn app_with(items: &[Item]) -> App {
    let mut app = App::new("test".into());
    app.apply(items);
    app
}

/// The items up to and including the first `bus.send` from core `src`.
fn until_send_from(items: &[Item], src: &str) -> Vec<Item> {
    let mut app = App::new("probe".into());
    for (i, item) in items.iter().enumerate() {
        app.apply(std::slice::from_ref(item));
        let last = app.model.log.tail(&Default::default(), 0, 1);
        if last
            .first()
            .is_some_and(|l| l.name == "bus.send" && l.text.starts_with(&format!("src={src} ")))
        {
            return items[..=i].to_vec();
        }
    }
    panic!("no bus.send from core {src}");
}

#[test]
fn matrix_counts_one_message_from_each_core_to_the_root() {
    let s = screen(&app_with(&reduce_items()), 160, 48);
    for src in 0..4 {
        let row = row_with(&s, &format!("{src} →"));
        let cells: Vec<&str> = row
            .split('│')
            .nth(1)
            .unwrap()
            .split_whitespace()
            .skip(2)
            .collect();
        let expected: Vec<&str> = (0..4)
            .map(|dst| match dst {
                d if d == src => "-",
                0 => "1/1",
                _ => "·",
            })
            .collect();
        assert_eq!(cells, expected, "row of core {src}: {row}");
    }
}

#[test]
fn ring_shows_a_filled_slot_before_the_root_consumes_it() {
    let items = until_send_from(&reduce_items(), "1");
    let s = screen(&app_with(&items), 160, 48);
    assert!(row_with(&s, "queue 1->0 ring").contains("16 slots of 1024 B (announced)"));
    assert!(
        row_with(&s, "avail 16").contains("used 1  consumed 0   in flight 1  msgs 1  bytes 256")
    );
    let state = row_with(&s, "state");
    let glyphs: Vec<&str> = state
        .split("state")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .take(16)
        .collect();
    assert_eq!(glyphs[0], "F", "slot 0 holds the message");
    assert!(
        glyphs[1..].iter().all(|g| *g == "P"),
        "the rest stay posted: {state}"
    );
    let marks = &s[s.iter().position(|r| r.contains("state")).unwrap() + 1];
    assert!(
        marks.contains("AC") && marks.contains('U'),
        "avail and consumed at slot 0, used at slot 1: {marks}"
    );
}

#[test]
fn ring_after_the_reduce_is_all_posted_again() {
    let s = screen(&app_with(&reduce_items()), 160, 48);
    assert!(row_with(&s, "avail 17").contains("used 1  consumed 1   in flight 0"));
    let state = row_with(&s, "state");
    assert_eq!(state.matches(" P").count(), 16, "{state}");
    assert!(row_with(&s, "desc").contains("   0   1   2"));
}

#[test]
fn arrow_keys_select_another_queue() {
    let mut app = app_with(&reduce_items());
    app.handle(Action::SrcNext);
    assert_eq!((app.queue.src, app.queue.dst), (2, 0));
    app.handle(Action::DstNext);
    assert_eq!((app.queue.src, app.queue.dst), (2, 1));
    app.handle(Action::SrcPrev);
    assert_eq!((app.queue.src, app.queue.dst), (0, 1));
    app.handle(Action::SrcPrev);
    assert_eq!(
        (app.queue.src, app.queue.dst),
        (3, 1),
        "wraps, skipping src = dst"
    );
    let s = screen(&app, 160, 48);
    assert!(row_with(&s, "queue 3->1 ring").contains("16 slots"));
}

#[test]
fn keys_map_to_actions() {
    let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
    assert_eq!(
        keys::action(key(KeyCode::Char('q')), Mode::Rings),
        Some(Action::Quit)
    );
    assert_eq!(
        keys::action(key(KeyCode::Char(' ')), Mode::Rings),
        Some(Action::Pause)
    );
    assert_eq!(
        keys::action(key(KeyCode::Right), Mode::Rings),
        Some(Action::SrcNext)
    );
    assert_eq!(
        keys::action(key(KeyCode::Char('q')), Mode::Editing),
        Some(Action::FilterChar('q'))
    );
    assert_eq!(
        keys::action(key(KeyCode::Esc), Mode::Editing),
        Some(Action::FilterCancel)
    );
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(keys::action(ctrl_c, Mode::Editing), Some(Action::Quit));
}

#[test]
fn filter_narrows_the_log() {
    let mut app = app_with(&reduce_items());
    for a in [
        Action::FilterStart,
        Action::FilterChar('r'),
        Action::FilterChar('e'),
        Action::FilterChar('d'),
    ] {
        app.handle(a);
    }
    assert!(row_with(&screen(&app, 160, 48), "filter text: red").contains("Enter apply"));
    app.handle(Action::FilterApply);
    app.handle(Action::CoreNext);
    app.handle(Action::CoreNext);
    let s = screen(&app, 160, 48);
    assert!(row_with(&s, "events: \"red\", core 1").contains("events"));
    let log: Vec<&String> = s.iter().filter(|r| r.contains(" c1 ")).collect();
    assert_eq!(log.len(), 2, "core 1 enters and leaves one reduce: {log:?}");
    assert!(log.iter().all(|r| r.contains("mpi.reduce")));
}

#[test]
fn pause_freezes_the_display_but_not_the_model() {
    let items = reduce_items();
    let (first, rest) = items.split_at(items.len() / 2);
    let mut app = app_with(first);
    app.handle(Action::Pause);
    let frozen = screen(&app, 160, 48);
    app.apply(rest);
    let paused = screen(&app, 160, 48);
    assert!(row_with(&paused, "PAUSED").contains(&format!("(+{} items)", rest.len())));
    assert_eq!(
        frozen[1..],
        paused[1..],
        "everything below the status line is frozen"
    );
    app.handle(Action::Pause);
    assert_eq!(
        row_with(&screen(&app, 160, 48), "1 →")
            .matches("1/1")
            .count(),
        1
    );
}

#[test]
fn status_line_reports_lag_drops_and_damage() {
    let mut bytes = common::reduce_bytes();
    bytes[100] ^= 0xff;
    let mut items = trace_viewer::item::decode_all(&bytes);
    items.push(Item::Record(Record::Dropped(Dropped {
        core: 2,
        ts_ns: 99_000,
        count: 5,
    })));
    let mut app = app_with(&items);
    app.decoded = app.model.counts.items + 42;
    let status = screen(&app, 200, 48)[0].clone();
    assert!(status.contains("behind by 42 events"), "{status}");
    assert!(status.contains("dropped 5"), "{status}");
    assert!(status.contains("damaged 1 ("), "{status}");
    let cores = screen(&app, 200, 48);
    assert!(row_with(&cores, "core 2 ").contains("drops 5"));
}

#[test]
fn a_small_terminal_does_not_panic() {
    let app = app_with(&reduce_items());
    for (w, h) in [(20, 5), (80, 24), (1, 1)] {
        screen(&app, w, h);
    }
}

/// The reduce without its `bus.init` events, and with a `Queue` record
/// announcing 1->0 as 64 entries of 2048 bytes.
fn reduce_with_only_1_to_0_announced() -> Vec<Item> {
    let records = common::reduce_records();
    let init = records
        .iter()
        .find_map(|r| match r {
            Record::Callsite(c) if c.name == "bus.init" => Some(c.id),
            _ => None,
        })
        .unwrap();
    let queue = Record::Queue(trace_wire::Queue {
        src: 1,
        dst: 0,
        size: 64,
        buf_size: 2048,
    });
    let kept = records
        .into_iter()
        .filter(|r| !matches!(r, Record::Event(e) if e.callsite == init));
    let stream: Vec<_> = std::iter::once(queue).chain(kept).collect();
    trace_viewer::item::decode_all(&trace_viewer::synth::encode(&stream).unwrap())
}

#[test]
fn the_ring_has_the_announced_size_and_says_guessed_only_without_one() {
    let mut app = app_with(&reduce_with_only_1_to_0_announced());
    let s = screen(&app, 160, 60);
    assert!(row_with(&s, "queue 1->0 ring").contains("64 slots of 2048 B (announced)"));
    let numbers: Vec<&str> = s
        .iter()
        .filter_map(|r| r.split("│slot").nth(1))
        .flat_map(|r| r.split_whitespace())
        .filter(|w| *w != "│")
        .collect();
    let expected: Vec<String> = (0..64).map(|n| n.to_string()).collect();
    assert_eq!(numbers, expected, "64 slots drawn");
    app.handle(Action::SrcNext);
    let s = screen(&app, 160, 60);
    assert!(row_with(&s, "queue 2->0 ring").contains("slots (guessed)"));
}
