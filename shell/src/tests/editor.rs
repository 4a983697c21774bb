//! Tests for `LineEditor` editing keys: insertion, deletion, cursor moves,
//! history, kill keys, Ctrl-L/Ctrl-C, Enter and Tab completion. Most check
//! what the screen shows, through `testing::Screen`.

use alloc::string::String;
use alloc::vec::Vec;

use crate::editor::{EditorEvent, LINE_CAPACITY, LineEditor};
use crate::term::CLEAR_SCREEN;
use crate::testing::{Broken, Screen, type_keys};

const PROMPT: &str = "> ";
const NAMES: &[&str] = &["echo", "exit", "help", "ping", "pingall", "ps"];

/// Starts an editor, prints its prompt and types `input`.
fn typed(input: &[u8]) -> (LineEditor, String, Vec<EditorEvent>) {
    let mut editor = LineEditor::new(PROMPT);
    let mut out = String::new();
    editor.prompt(&mut out);
    let (echo, events) = type_keys(&mut editor, input, &NAMES);
    out.push_str(&echo);
    (editor, out, events)
}

/// The cursor's screen row and column after typing `input` at a fresh prompt.
fn screen(input: &[u8]) -> (String, usize) {
    let screen = Screen::render(&typed(input).1);
    (screen.line(), screen.col())
}

/// The line that `input` followed by Enter hands over.
fn line_after(input: &[u8]) -> String {
    let mut input = input.to_vec();
    input.push(b'\r');
    match typed(&input).2.pop() {
        Some(EditorEvent::Line(line)) => line,
        other => panic!("expected a line, got {other:?}"),
    }
}

/// Joins pieces of input.
fn cat(pieces: &[&[u8]]) -> Vec<u8> {
    pieces.concat()
}

const LEFT: &[u8] = b"\x1b[D";
const RIGHT: &[u8] = b"\x1b[C";
const UP: &[u8] = b"\x1b[A";
const DOWN: &[u8] = b"\x1b[B";
const HOME: &[u8] = b"\x1b[H";

#[test]
fn typing_echoes_each_character() {
    assert_eq!(typed(b"abc").1, "> abc");
    assert_eq!(line_after(b"abc"), "abc");
}

#[test]
fn insert_mid_line_redraws_the_tail() {
    let input = cat(&[b"abd", LEFT, b"c"]);
    assert_eq!(typed(&input).1, "> abd\x1b[1Dcd\x1b[1D");
    assert_eq!(screen(&input), ("> abcd".into(), 5));
    assert_eq!(line_after(&input), "abcd");
}

#[test]
fn backspace_deletes_left_with_both_codes() {
    for backspace in [0x7f, 0x08] {
        assert_eq!(screen(&[b'a', b'b', b'c', backspace]), ("> ab".into(), 4));
        assert_eq!(line_after(&[b'a', b'b', b'c', backspace]), "ab");
    }
}

#[test]
fn backspace_mid_line_closes_the_gap() {
    let input = cat(&[b"abcd", LEFT, LEFT, b"\x7f"]);
    assert_eq!(screen(&input), ("> acd".into(), 3));
    assert_eq!(line_after(&input), "acd");
}

#[test]
fn backspace_at_column_zero_does_nothing() {
    let at_home = typed(&cat(&[b"abc", HOME])).1;
    assert_eq!(typed(&cat(&[b"abc", HOME, b"\x7f"])).1, at_home);
    assert_eq!(typed(b"\x7f").1, PROMPT);
    assert_eq!(line_after(&cat(&[b"abc", HOME, b"\x7f"])), "abc");
}

#[test]
fn delete_removes_under_the_cursor() {
    let input = cat(&[b"abc", HOME, b"\x1b[3~"]);
    assert_eq!(screen(&input), ("> bc".into(), 2));
    assert_eq!(line_after(&input), "bc");
    assert_eq!(line_after(&cat(&[b"abc", HOME, b"\x04"])), "bc");
}

#[test]
fn delete_at_the_end_does_nothing() {
    assert_eq!(typed(b"abc\x1b[3~").1, "> abc");
}

#[test]
fn left_and_right_stop_at_the_ends() {
    assert_eq!(typed(&cat(&[LEFT, RIGHT])).1, PROMPT);
    assert_eq!(screen(&cat(&[b"ab", LEFT, LEFT, LEFT])), ("> ab".into(), 2));
    assert_eq!(
        screen(&cat(&[b"ab", LEFT, RIGHT, RIGHT])),
        ("> ab".into(), 4)
    );
    assert_eq!(line_after(&cat(&[b"ac", LEFT, b"\x02\x06", b"b"])), "abc");
}

#[test]
fn every_home_variant_goes_to_column_zero() {
    for home in [&b"\x1b[H"[..], b"\x1bOH", b"\x1b[1~", b"\x1b[7~", b"\x01"] {
        assert_eq!(
            line_after(&cat(&[b"abc", home, b"X"])),
            "Xabc",
            "home {home:?}"
        );
    }
}

#[test]
fn every_end_variant_goes_past_the_last_character() {
    for end in [&b"\x1b[F"[..], b"\x1bOF", b"\x1b[4~", b"\x1b[8~", b"\x05"] {
        assert_eq!(
            line_after(&cat(&[b"abc", HOME, end, b"Y"])),
            "abcY",
            "end {end:?}"
        );
        assert_eq!(screen(&cat(&[b"abc", HOME, end])).1, 5);
    }
}

#[test]
fn up_and_down_walk_the_history() {
    assert_eq!(line_after(&cat(&[b"one\rtwo\r", UP])), "two");
    assert_eq!(line_after(&cat(&[b"one\rtwo\r", UP, UP])), "one");
    assert_eq!(line_after(&cat(&[b"one\rtwo\r", UP, UP, UP])), "one");
    assert_eq!(line_after(&cat(&[b"one\rtwo\r", UP, UP, DOWN])), "two");
    assert_eq!(line_after(&cat(&[b"one\rtwo\r", b"\x10"])), "two");
    assert_eq!(
        screen(&cat(&[b"longer\rx\r", UP, UP, UP, DOWN])),
        ("> x".into(), 3)
    );
}

#[test]
fn coming_back_down_restores_the_edited_line() {
    let input = cat(&[b"one\rdraft", LEFT, UP, UP, DOWN, DOWN]);
    assert_eq!(screen(&input), ("> draft".into(), 7));
    assert_eq!(line_after(&input), "draft");
    assert_eq!(line_after(&cat(&[b"one\rdra", UP, b"\x0e"])), "dra");
}

#[test]
fn down_without_a_walk_does_nothing() {
    assert_eq!(typed(&cat(&[b"one\rab", DOWN])).1, typed(b"one\rab").1);
}

#[test]
fn a_recalled_line_can_be_edited() {
    assert_eq!(line_after(&cat(&[b"ping 1\r", UP, b"\x7f2"])), "ping 2");
}

#[test]
fn history_skips_consecutive_duplicates() {
    assert_eq!(line_after(&cat(&[b"a\rb\rb\r", UP, UP])), "a");
}

#[test]
fn ctrl_u_kills_before_the_cursor() {
    let input = cat(&[b"abc def", LEFT, LEFT, LEFT, b"\x15"]);
    assert_eq!(screen(&input), ("> def".into(), 2));
    assert_eq!(line_after(&input), "def");
}

#[test]
fn ctrl_w_deletes_the_word_before_the_cursor() {
    assert_eq!(line_after(b"echo hello\x17"), "echo ");
    assert_eq!(line_after(b"echo hello  \x17"), "echo ");
    assert_eq!(line_after(b"echo hello\x17\x17"), "");
    assert_eq!(
        line_after(&cat(&[b"echo hello", LEFT, LEFT, b"\x17"])),
        "echo lo"
    );
    assert_eq!(
        screen(&cat(&[b"echo hello", LEFT, LEFT, b"\x17"])),
        ("> echo lo".into(), 7)
    );
    assert_eq!(line_after(&cat(&[b"abc", HOME, b"\x17"])), "abc");
}

#[test]
fn ctrl_k_kills_to_the_end() {
    let input = cat(&[b"abcdef", HOME, RIGHT, RIGHT, b"\x0b"]);
    assert_eq!(screen(&input), ("> ab".into(), 4));
    assert_eq!(line_after(&input), "ab");
}

#[test]
fn ctrl_l_clears_and_redraws_keeping_the_line() {
    let (_, out, events) = typed(&cat(&[b"abc", LEFT, b"\x0c"]));
    assert_eq!(events, [EditorEvent::ClearScreen]);
    assert!(
        out.ends_with(&alloc::format!("{CLEAR_SCREEN}> abc\x1b[1D")),
        "{out:?}"
    );
    let screen = Screen::render(&out);
    assert_eq!((screen.text(), screen.col()), ("> abc".into(), 4));
    assert_eq!(line_after(&cat(&[b"abc", LEFT, b"\x0cX"])), "abXc");
}

#[test]
fn ctrl_c_abandons_the_line() {
    let (_, out, events) = typed(b"abc\x03");
    assert_eq!(events, [EditorEvent::Interrupt]);
    assert_eq!(out, "> abc^C\r\n> ");
    assert_eq!(line_after(b"abc\x03"), "");
    assert_eq!(line_after(b"abc\x03x"), "x");
}

#[test]
fn ctrl_c_lines_stay_out_of_the_history() {
    assert_eq!(line_after(&cat(&[b"kept\rdropped\x03", UP])), "kept");
}

#[test]
fn enter_moves_to_a_new_line_and_hands_over_the_line() {
    let (_, out, events) = typed(b"ab\r");
    assert_eq!(out, "> ab\r\n> ");
    assert_eq!(events, [EditorEvent::Line("ab".into())]);
    assert_eq!(line_after(&cat(&[b"ab", HOME])), "ab");
    assert_eq!(typed(b"\r").2, [EditorEvent::Line(String::new())]);
}

#[test]
fn crlf_and_lfcr_count_once() {
    let (_, out, events) = typed(b"a\r\nb\n\rc\n");
    let lines: Vec<EditorEvent> = ["a", "b", "c"]
        .map(|line| EditorEvent::Line(line.into()))
        .into();
    assert_eq!(events, lines);
    assert_eq!(out, "> a\r\n> b\r\n> c\r\n> ");
}

#[test]
fn a_line_of_exactly_the_capacity_is_accepted() {
    let full = "x".repeat(LINE_CAPACITY);
    assert_eq!(line_after(full.as_bytes()), full);
}

#[test]
fn tab_completes_a_unique_prefix_with_a_space() {
    assert_eq!(typed(b"ec\t").1, "> echo ");
    assert_eq!(line_after(b"ex\tnow"), "exit now");
    assert_eq!(line_after(b"  ec\t"), "  echo ");
    assert_eq!(line_after(b"echo\t"), "echo ");
}

#[test]
fn tab_completes_the_common_prefix_of_several() {
    let (_, out, _) = typed(b"pi\t");
    assert_eq!(out, "> ping");
    assert_eq!(line_after(b"pi\t"), "ping");
}

#[test]
fn second_tab_lists_the_candidates_and_redraws() {
    let out = typed(b"p\t\t").1;
    assert_eq!(out, "> p\r\nping  pingall  ps\r\n> p");
    let screen = Screen::render(&typed(b"pi\t\t").1);
    assert_eq!(screen.text(), "> ping\nping  pingall\n> ping");
    assert_eq!(screen.col(), 6);
}

#[test]
fn one_tab_without_an_extension_shows_nothing() {
    assert_eq!(typed(b"p\t").1, "> p");
    assert_eq!(typed(b"p\tx\t").1, "> px");
}

#[test]
fn tab_mid_line_inserts_at_the_cursor() {
    let input = cat(&[b"ec world", HOME, RIGHT, RIGHT, b"\t"]);
    assert_eq!(line_after(&input), "echo  world");
    assert_eq!(screen(&input), ("> echo  world".into(), 7));
}

#[test]
fn tab_outside_the_first_word_or_without_a_match_does_nothing() {
    assert_eq!(typed(b"echo ec\t").1, "> echo ec");
    assert_eq!(typed(b"zz\t\t").1, "> zz");
}

#[test]
fn tab_does_not_complete_past_the_capacity() {
    // Completing "ec" at column 2 inserts "ho ": 3 more characters.
    let line = |filler: usize| alloc::format!("ec {}", "x".repeat(filler));
    let too_long = line(LINE_CAPACITY - 5);
    assert_eq!(
        line_after(&cat(&[too_long.as_bytes(), HOME, RIGHT, RIGHT, b"\t"])),
        too_long
    );
    let fits = line(LINE_CAPACITY - 6);
    let completed = line_after(&cat(&[fits.as_bytes(), HOME, RIGHT, RIGHT, b"\t"]));
    assert_eq!(
        (completed.len(), &completed[..6]),
        (LINE_CAPACITY, "echo  ")
    );
}

#[test]
fn redraw_and_print_above_keep_the_line_and_cursor() {
    let (editor, mut out, _) = typed(&cat(&[b"abc", LEFT]));
    editor.print_above(&mut out, "job 1 done\nresult: 7");
    let screen = Screen::render(&out);
    assert_eq!(screen.text(), "job 1 done\nresult: 7\n> abc");
    assert_eq!(screen.col(), 4);
    let mut again = String::new();
    editor.redraw(&mut again);
    assert_eq!(again, "> abc\x1b[1D");
}

#[test]
fn a_failing_sink_does_not_disturb_editing() {
    let mut editor = LineEditor::new(PROMPT);
    // The line with the bell in it is refused, the next one runs.
    let input = cat(&[b"abd", LEFT, b"c\x07", HOME, b"\x0b", b"xy\t\r", b"xy\t\r"]);
    let events: Vec<EditorEvent> = input
        .iter()
        .filter_map(|&byte| editor.feed(byte, &mut Broken, &NAMES))
        .collect();
    assert_eq!(events, [EditorEvent::Line("xy".into())]);
}
