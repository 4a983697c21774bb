//! Host tests of the escape-sequence splitter: parameters, private markers,
//! strings, malformed and over-long input.

use vt::{Action, Csi, MAX_PARAMS, Parser};

/// Every action `bytes` produces.
fn actions(bytes: &[u8]) -> Vec<Action> {
    let mut parser = Parser::new();
    bytes.iter().filter_map(|&b| parser.feed(b)).collect()
}

/// The single control sequence `bytes` must produce.
fn csi(bytes: &[u8]) -> Csi {
    match actions(bytes).as_slice() {
        [Action::Csi(csi)] => *csi,
        other => panic!("{bytes:?} gave {other:?}"),
    }
}

#[test]
fn text_and_controls_pass_through() {
    assert_eq!(
        actions(b"a\r\n"),
        [
            Action::Print(b'a'),
            Action::Control(b'\r'),
            Action::Control(b'\n')
        ]
    );
}

#[test]
fn csi_parameters_and_defaults() {
    let c = csi(b"\x1b[12;34H");
    assert_eq!((c.params(), c.final_byte), (&[12, 34][..], b'H'));
    let c = csi(b"\x1b[C");
    assert!(c.params().is_empty());
    assert_eq!(c.count(0, 1), 1);
    let c = csi(b"\x1b[;5H");
    assert_eq!(c.params(), [0, 5]);
    assert_eq!((c.count(0, 1), c.count(1, 1)), (1, 5));
    assert_eq!(csi(b"\x1b[0K").count(0, 0), 0);
}

#[test]
fn private_marker_and_intermediate() {
    let c = csi(b"\x1b[?25l");
    assert_eq!(
        (c.private, c.params(), c.final_byte),
        (Some(b'?'), &[25][..], b'l')
    );
    let c = csi(b"\x1b[2 q");
    assert_eq!(c.intermediate, Some(b' '));
}

#[test]
fn huge_numbers_saturate_and_extra_params_are_dropped() {
    assert_eq!(csi(b"\x1b[99999999C").params(), [u16::MAX]);
    let many = format!("\x1b[{}m", vec!["1"; 40].join(";"));
    assert_eq!(csi(many.as_bytes()).params().len(), MAX_PARAMS);
}

#[test]
fn malformed_sequences_are_swallowed_whole() {
    assert_eq!(actions(b"\x1b[1?2hX"), [Action::Print(b'X')]);
    assert_eq!(actions(b"\x1b]0;title\x07X"), [Action::Print(b'X')]);
    assert_eq!(actions(b"\x1b]0;title\x1b\\X"), [Action::Print(b'X')]);
    assert_eq!(actions(b"\x1b[12\x18X"), [Action::Print(b'X')]);
    assert_eq!(actions(b"\x1b]0;t\x1b[1CX").len(), 2, "ESC ends a string");
}

#[test]
fn a_control_inside_a_sequence_acts_and_the_sequence_goes_on() {
    assert_eq!(
        actions(b"\x1b[1\r2C"),
        [Action::Control(b'\r'), Action::Csi(csi(b"\x1b[12C"))]
    );
}

#[test]
fn esc_sequences_with_and_without_intermediate() {
    assert_eq!(
        actions(b"\x1b7\x1b(B"),
        [
            Action::Esc {
                intermediate: None,
                final_byte: b'7'
            },
            Action::Esc {
                intermediate: Some(b'('),
                final_byte: b'B'
            }
        ]
    );
}

#[test]
fn non_ascii_shows_one_placeholder_per_character() {
    assert_eq!(
        actions("é€x".as_bytes()),
        [
            Action::Print(b'?'),
            Action::Print(b'?'),
            Action::Print(b'x')
        ]
    );
    assert_eq!(
        actions(b"\xffx"),
        [Action::Print(b'?'), Action::Print(b'x')]
    );
}
