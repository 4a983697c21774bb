//! Tests for `keys::Decoder`: which byte sequences make which keys, and how
//! broken or unknown sequences are consumed.

use alloc::vec::Vec;

use crate::keys::{Decoder, Key, Unusable};

/// Decodes `input` with a fresh decoder.
fn keys(input: &[u8]) -> Vec<Key> {
    let mut decoder = Decoder::new();
    input
        .iter()
        .flat_map(|&byte| decoder.feed(byte))
        .flatten()
        .collect()
}

/// The textual form of the raw bytes a non-ASCII or invalid key carries.
fn bytes_of(key: &Key) -> alloc::string::String {
    match key {
        Key::Unusable(Unusable::NonAscii(raw) | Unusable::Invalid(raw)) => alloc::format!("{raw}"),
        other => panic!("{other:?} carries no bytes"),
    }
}

#[test]
fn printable_ascii_inserts() {
    assert_eq!(
        keys(b" a~"),
        [Key::Insert(b' '), Key::Insert(b'a'), Key::Insert(b'~')]
    );
}

#[test]
fn cr_lf_and_lf_cr_pairs_are_one_enter() {
    assert_eq!(keys(b"\r\n"), [Key::Enter]);
    assert_eq!(keys(b"\n\r"), [Key::Enter]);
    assert_eq!(keys(b"\r\n\r\n"), [Key::Enter, Key::Enter]);
}

#[test]
fn cr_nul_from_telnet_is_one_enter() {
    assert_eq!(keys(b"\r\0"), [Key::Enter]);
    assert_eq!(
        keys(b"\n\0"),
        [Key::Enter, Key::Unusable(Unusable::Control(0))]
    );
    assert_eq!(keys(b"\0"), [Key::Unusable(Unusable::Control(0))]);
}

#[test]
fn lone_and_repeated_line_ends_each_count() {
    assert_eq!(keys(b"\r"), [Key::Enter]);
    assert_eq!(keys(b"\n"), [Key::Enter]);
    assert_eq!(keys(b"\r\r"), [Key::Enter, Key::Enter]);
    assert_eq!(keys(b"\n\n"), [Key::Enter, Key::Enter]);
    assert_eq!(keys(b"\rx\n"), [Key::Enter, Key::Insert(b'x'), Key::Enter]);
}

#[test]
fn every_cursor_escape_variant() {
    let cases: [(&[u8], Key); 24] = [
        (b"\x1b[A", Key::Up),
        (b"\x1b[B", Key::Down),
        (b"\x1b[C", Key::Right),
        (b"\x1b[D", Key::Left),
        (b"\x1b[H", Key::Home),
        (b"\x1b[F", Key::End),
        (b"\x1bOA", Key::Up),
        (b"\x1bOB", Key::Down),
        (b"\x1bOC", Key::Right),
        (b"\x1bOD", Key::Left),
        (b"\x1bOH", Key::Home),
        (b"\x1bOF", Key::End),
        (b"\x1b[1~", Key::Home),
        (b"\x1b[7~", Key::Home),
        (b"\x1b[4~", Key::End),
        (b"\x1b[8~", Key::End),
        (b"\x1b[3~", Key::Delete),
        (b"\x1b[1;5C", Key::Right),
        (b"\x01", Key::Home),
        (b"\x05", Key::End),
        (b"\x02", Key::Left),
        (b"\x06", Key::Right),
        (b"\x10", Key::Up),
        (b"\x0e", Key::Down),
    ];
    for (input, key) in cases {
        assert_eq!(keys(input), [key], "input {input:?}");
    }
}

#[test]
fn editing_control_keys() {
    let cases: [(u8, Key); 10] = [
        (0x7f, Key::Backspace),
        (0x08, Key::Backspace),
        (0x04, Key::Delete),
        (b'\t', Key::Tab),
        (0x15, Key::KillToStart),
        (0x17, Key::KillWord),
        (0x0b, Key::KillToEnd),
        (0x0c, Key::ClearScreen),
        (0x03, Key::Interrupt),
        (0x07, Key::Unusable(Unusable::Control(0x07))),
    ];
    for (byte, key) in cases {
        assert_eq!(keys(&[byte]), [key], "byte {byte:#04x}");
    }
    assert_eq!(
        keys(&[0x00, 0x1f]),
        [
            Key::Unusable(Unusable::Control(0x00)),
            Key::Unusable(Unusable::Control(0x1f))
        ]
    );
}

#[test]
fn unknown_escape_sequences_are_consumed_whole() {
    for input in [
        &b"\x1b[Z"[..],
        b"\x1b[15~",
        b"\x1b[200~",
        b"\x1b[?1;2c",
        b"\x1bOP",
        b"\x1bO5Q",
        b"\x1b\x1b[Q",
    ] {
        assert_eq!(keys(input), [], "input {input:?}");
        let mut then_text = input.to_vec();
        then_text.push(b'k');
        assert_eq!(
            keys(&then_text),
            [Key::Insert(b'k')],
            "input {input:?} then k"
        );
    }
}

#[test]
fn a_lone_escape_keeps_the_text_after_it() {
    assert_eq!(
        keys(b"\x1bcores"),
        b"cores".map(Key::Insert),
        "ESC then a printable byte is that byte"
    );
}

#[test]
fn alt_arrow_keeps_the_arrow() {
    assert_eq!(keys(b"\x1b\x1b[A"), [Key::Up]);
}

#[test]
fn control_byte_inside_an_escape_ends_it_and_counts() {
    assert_eq!(keys(b"\x1b\r"), [Key::Enter]);
    assert_eq!(keys(b"\x1b[1\x03"), [Key::Interrupt]);
    assert_eq!(keys(b"\x1bO\x7f"), [Key::Backspace]);
}

#[test]
fn utf8_characters_come_out_whole() {
    for (input, hex) in [
        ("é".as_bytes(), "c3 a9"),
        ("€".as_bytes(), "e2 82 ac"),
        ("😀".as_bytes(), "f0 9f 98 80"),
    ] {
        let decoded = keys(input);
        assert!(
            matches!(decoded[..], [Key::Unusable(Unusable::NonAscii(_))]),
            "{decoded:?}"
        );
        assert_eq!(bytes_of(&decoded[0]), hex);
    }
}

#[test]
fn invalid_utf8_bytes_are_reported() {
    for (input, hex) in [
        (&[0x80u8][..], "80"),
        (&[0xff], "ff"),
        (&[0xc0], "c0"),
        (&[0xf5], "f5"),
    ] {
        let decoded = keys(input);
        assert!(
            matches!(decoded[..], [Key::Unusable(Unusable::Invalid(_))]),
            "{decoded:?}"
        );
        assert_eq!(bytes_of(&decoded[0]), hex);
    }
}

#[test]
fn overlong_and_surrogate_sequences_are_invalid() {
    for (input, hex) in [
        (&[0xe0u8, 0x80, 0x80][..], "e0 80 80"),
        (&[0xed, 0xa0, 0x80], "ed a0 80"),
    ] {
        let decoded = keys(input);
        assert!(
            matches!(decoded[..], [Key::Unusable(Unusable::Invalid(_))]),
            "{decoded:?}"
        );
        assert_eq!(bytes_of(&decoded[0]), hex);
    }
}

#[test]
fn truncated_utf8_reports_its_bytes_then_decodes_the_next() {
    let decoded = keys(&[0xe2, 0x82, b'a']);
    assert_eq!(decoded.len(), 2);
    assert_eq!(bytes_of(&decoded[0]), "e2 82");
    assert_eq!(decoded[1], Key::Insert(b'a'));
    let decoded = keys(&[0xc3, 0xc3, 0xa9]);
    assert_eq!(decoded.len(), 2);
    assert_eq!(
        (bytes_of(&decoded[0]), bytes_of(&decoded[1])),
        ("c3".into(), "c3 a9".into())
    );
    assert!(matches!(decoded[1], Key::Unusable(Unusable::NonAscii(_))));
}
