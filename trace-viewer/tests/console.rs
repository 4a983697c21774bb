//! The console pane's plumbing with a fake shell on the host (a Python
//! script standing in for QEMU's serial console): keys typed in the viewer
//! reach the child as a serial terminal sends them, its output is drawn in
//! the pane, F2 moves typing between the pane and the viewer, and the pane
//! says how the child ended.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{row_with, screen};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use trace_viewer::console::{Console, key_bytes};
use trace_viewer::ui::{App, Screen};

const W: u16 = 120;
const H: u16 = 40;

/// An app whose console pane runs the fake shell.
fn app() -> App {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/console/fake_shell.py");
    let mut fake = Command::new("python3");
    fake.arg("-u").arg(script);
    let console = Console::spawn(fake).expect("python3 runs the fake shell");
    App::with_console("test".into(), console)
}

/// Types `text` key by key, each character a key press.
fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        let code = match c {
            '\r' => KeyCode::Enter,
            c => KeyCode::Char(c),
        };
        app.key(KeyEvent::new(code, KeyModifiers::NONE));
    }
}

/// Polls the console until the screen has a row containing `needle`;
/// returns the screen.
fn wait_for(app: &mut App, needle: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        app.poll_console(Rect::new(0, 0, W, H));
        let s = screen(app, W, H);
        if s.iter().any(|r| r.contains(needle)) {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "no {needle:?} on the screen:\n{}",
            s.join("\n")
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Fails unless a row of `s` contains `needle`.
fn assert_shows(s: &[String], needle: &str) {
    assert!(
        s.iter().any(|r| r.contains(needle)),
        "no {needle:?} on the screen:\n{}",
        s.join("\n")
    );
}

#[test]
fn typed_lines_reach_the_child_and_its_answers_show_in_the_pane() {
    let mut app = app();
    wait_for(&mut app, "fake>");
    type_text(&mut app, "cores\r");
    let s = wait_for(&mut app, "you typed: cores");
    assert!(row_with(&s, "console ·").contains("typing goes to the machine"));
    assert_shows(&s, "fake> cores");
}

#[test]
fn backspace_and_ctrl_c_are_sent_as_a_serial_terminal_sends_them() {
    let mut app = app();
    wait_for(&mut app, "fake>");
    type_text(&mut app, "pinx");
    app.key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
    type_text(&mut app, "g\r");
    wait_for(&mut app, "you typed: ping");
    app.key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    wait_for(&mut app, "^C");
    assert!(
        !app.quit,
        "Ctrl-C in the pane goes to the machine, not the viewer"
    );
}

#[test]
fn f2_moves_typing_between_the_pane_and_the_viewer() {
    let mut app = app();
    wait_for(&mut app, "fake>");
    app.key(KeyEvent::new(KeyCode::F(2), KeyModifiers::NONE));
    type_text(&mut app, "t");
    assert_eq!(app.screen, Screen::Timeline, "t went to the viewer");
    let s = screen(&app, W, H);
    assert!(row_with(&s, "console ·").contains("F2: type here"));
    app.key(KeyEvent::new(KeyCode::F(2), KeyModifiers::NONE));
    type_text(&mut app, "t\r");
    wait_for(&mut app, "you typed: t");
    assert_eq!(app.screen, Screen::Timeline, "t went to the machine");
}

#[test]
fn the_pane_says_how_the_child_ended_and_the_viewer_stays() {
    let mut app = app();
    wait_for(&mut app, "fake>");
    type_text(&mut app, "exit\r");
    let s = wait_for(&mut app, "the machine exited");
    assert!(
        row_with(&s, "the machine exited").contains("7"),
        "its status"
    );
    assert_shows(&s, "bye");
    assert!(!app.quit);
    type_text(&mut app, "t");
    assert_eq!(
        app.screen,
        Screen::Timeline,
        "with the machine gone, keys go to the viewer"
    );
}

#[test]
fn a_resized_pane_draws_the_output_again() {
    let mut app = app();
    wait_for(&mut app, "fake>");
    type_text(&mut app, "hello\r");
    wait_for(&mut app, "you typed: hello");
    let (w, h) = (80, 30);
    app.poll_console(Rect::new(0, 0, w, h));
    let s = screen(&app, w, h);
    assert_shows(&s, "you typed: hello");
}

#[test]
fn keys_become_the_bytes_of_a_serial_terminal() {
    let key = |code, mods| key_bytes(KeyEvent::new(code, mods)).unwrap();
    let none = KeyModifiers::NONE;
    assert_eq!(key(KeyCode::Enter, none), b"\r");
    assert_eq!(key(KeyCode::Backspace, none), b"\x7f");
    assert_eq!(key(KeyCode::Up, none), b"\x1b[A");
    assert_eq!(key(KeyCode::Left, none), b"\x1b[D");
    assert_eq!(key(KeyCode::Tab, none), b"\t");
    assert_eq!(key(KeyCode::Char('c'), KeyModifiers::CONTROL), b"\x03");
    assert_eq!(key(KeyCode::Char('é'), none), "é".as_bytes());
    assert!(key_bytes(KeyEvent::new(KeyCode::F(5), none)).is_none());
}

#[test]
fn live_takes_the_console_command_after_a_double_dash() {
    use clap::Parser;
    use trace_viewer::cli::{Cli, Command};
    let args = [
        "trace-viewer",
        "live",
        "t.sock",
        "--",
        "qemu-system-x86_64",
        "-smp",
        "4",
    ];
    let Command::Live(live) = Cli::try_parse_from(args).unwrap().command else {
        panic!("not live")
    };
    assert_eq!(live.socket, std::path::Path::new("t.sock"));
    assert_eq!(live.console, ["qemu-system-x86_64", "-smp", "4"]);
    let Command::Live(plain) = Cli::try_parse_from(["trace-viewer", "live", "t.sock"])
        .unwrap()
        .command
    else {
        panic!("not live")
    };
    assert!(plain.console.is_empty(), "no pane without a command");
}

#[test]
fn a_console_command_that_cannot_start_is_one_clear_error() {
    let err = trace_viewer::cmd::live::run_with_console(
        "missing.sock".into(),
        None,
        Command::new("/nonexistent/qemu"),
    )
    .unwrap_err();
    assert!(
        format!("{err:#}").contains("starting \"/nonexistent/qemu\""),
        "{err:#}"
    );
}
