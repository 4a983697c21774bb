//! Tests for bad input at the editor: stray control bytes, non-ASCII and
//! invalid UTF-8, unknown escape sequences and over-long lines are each
//! reported once (or ignored, for escapes) and never break the line.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::editor::{EditorEvent, LINE_CAPACITY, LineEditor};
use crate::testing::{Screen, type_keys};

const PROMPT: &str = "> ";
const NO_NAMES: &[&str] = &[];

/// Types `input` into a fresh editor (prompt included in the output).
fn typed(input: &[u8]) -> (String, Vec<EditorEvent>) {
    let mut editor = LineEditor::new(PROMPT);
    let mut out = String::from(PROMPT);
    let (echo, events) = type_keys(&mut editor, input, &NO_NAMES);
    out.push_str(&echo);
    (out, events)
}

/// How many lines of `out` are error reports.
fn errors(out: &str) -> usize {
    out.matches("error: ").count()
}

#[test]
fn control_byte_is_reported_and_the_line_redrawn() {
    let (out, events) = typed(b"ab\x1b[Dc\x07");
    assert_eq!(
        out,
        "> ab\x1b[1Dcb\x1b[1D\r\nerror: ignored control byte 0x07\r\n> acb\x1b[1D"
    );
    assert!(events.is_empty());
    let screen = Screen::render(&out);
    assert_eq!((screen.line(), screen.col()), ("> acb".into(), 4));
}

#[test]
fn a_line_with_ignored_input_is_not_run_but_up_brings_it_back() {
    let (out, events) = typed(b"ab\x07\x1fc\r");
    assert!(events.is_empty(), "{events:?}");
    assert!(out.contains(
        "\r\nerror: line not run: 2 pieces of its input were ignored (above); Up brings it back as it stands\r\n> "
    ));
    // Recalled, it is the line as shown, and runs.
    let (_, events) = typed(b"ab\x07c\r\x1b[A\r");
    assert_eq!(events, [EditorEvent::Line("abc".into())]);
    // The next line starts clean.
    let (_, events) = typed(b"a\x07\rb\r");
    assert_eq!(events, [EditorEvent::Line("b".into())]);
}

#[test]
fn nul_and_other_control_bytes_each_get_one_notice() {
    let (out, _) = typed(&[0x00, 0x1c, 0x1d]);
    assert_eq!(errors(&out), 3);
    assert!(out.contains("error: ignored control byte 0x00\r\n"));
    assert!(out.contains("error: ignored control byte 0x1d\r\n"));
}

#[test]
fn a_utf8_character_is_reported_once_whole() {
    let (out, events) = typed("caf\u{e9}!\r".as_bytes());
    // The character's notice, then Enter's refusal of the line.
    assert_eq!(errors(&out), 2);
    assert!(out.contains(
        "\r\nerror: ignored non-ASCII input (bytes c3 a9); the shell accepts printable ASCII only\r\n> caf"
    ));
    assert!(events.is_empty(), "{events:?}");
}

#[test]
fn four_byte_characters_are_reported_once() {
    let (out, _) = typed("\u{1f600}".as_bytes());
    assert_eq!(errors(&out), 1);
    assert!(out.contains("(bytes f0 9f 98 80)"));
}

#[test]
fn invalid_utf8_bytes_are_reported_likewise() {
    let (out, events) = typed(b"a\xffb\xe2\x82c\r");
    assert_eq!(errors(&out), 3);
    assert!(out.contains(
        "error: ignored invalid UTF-8 input (bytes ff); the shell accepts printable ASCII only\r\n"
    ));
    assert!(out.contains("error: ignored invalid UTF-8 input (bytes e2 82); the shell accepts printable ASCII only\r\n"));
    assert!(events.is_empty(), "{events:?}");
}

#[test]
fn unknown_escape_sequences_are_ignored_silently() {
    let (out, events) = typed(b"a\x1b[Zb\x1b[15~c\x1bOPd\r");
    assert_eq!(out, "> abcd\r\n> ");
    assert_eq!(events, [EditorEvent::Line("abcd".into())]);
}

#[test]
fn an_over_long_line_is_reported_and_discarded() {
    let typed_chars = LINE_CAPACITY + 45;
    let input = [b"y".repeat(typed_chars), b"\r".to_vec()].concat();
    let (out, events) = typed(&input);
    let expected = format!(
        "> {}\r\nerror: line too long ({typed_chars} characters; the limit is {LINE_CAPACITY}), discarded\r\n> ",
        "y".repeat(LINE_CAPACITY)
    );
    assert_eq!(out, expected);
    assert!(events.is_empty());
}

#[test]
fn past_the_limit_nothing_more_is_printed() {
    let full = "y".repeat(LINE_CAPACITY);
    let (at_limit, _) = typed(full.as_bytes());
    let more = [full.as_bytes(), b"zz\x7f\x1b[D\x07\xc3\xa9\t\x0c\x15"].concat();
    assert_eq!(typed(&more).0, at_limit);
}

#[test]
fn one_character_past_the_limit_counts_it() {
    let (out, _) = typed(&[b"y".repeat(LINE_CAPACITY + 1), b"\r".to_vec()].concat());
    assert!(out.contains(&format!("line too long ({} characters;", LINE_CAPACITY + 1)));
}

#[test]
fn a_line_after_an_over_long_one_works() {
    let input = [b"y".repeat(400), b"\rok\r".to_vec()].concat();
    let (_, events) = typed(&input);
    assert_eq!(events, [EditorEvent::Line("ok".into())]);
}

#[test]
fn over_long_lines_stay_out_of_the_history() {
    let input = [b"kept\r".to_vec(), b"y".repeat(300), b"\r\x1b[A\r".to_vec()].concat();
    let (_, events) = typed(&input);
    assert_eq!(
        events,
        [
            EditorEvent::Line("kept".into()),
            EditorEvent::Line("kept".into())
        ]
    );
}

#[test]
fn ctrl_c_still_works_past_the_limit() {
    let input = [b"y".repeat(300), b"\x03ok\r".to_vec()].concat();
    let (out, events) = typed(&input);
    assert_eq!(
        events,
        [EditorEvent::Interrupt, EditorEvent::Line("ok".into())]
    );
    assert_eq!(errors(&out), 0);
}
