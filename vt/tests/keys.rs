//! Host tests of the keyboard encoder: scancode set 1 in (as the i8042
//! delivers it), the bytes a serial terminal would send out.

use vt::keys::Keyboard;

/// Set 1 make codes of the keys used here; the break code adds 0x80.
const SHIFT: u8 = 0x2a;
const CTRL: u8 = 0x1d;
const CAPS: u8 = 0x3a;
const A: u8 = 0x1e;
const C: u8 = 0x2e;
const L: u8 = 0x26;
const U: u8 = 0x16;
const ONE: u8 = 0x02;
const MINUS: u8 = 0x0c;
const ENTER: u8 = 0x1c;
const BACKSPACE: u8 = 0x0e;

/// Everything `scancodes` send.
fn typed(scancodes: &[u8]) -> Vec<u8> {
    let mut keyboard = Keyboard::new();
    scancodes
        .iter()
        .flat_map(|&code| keyboard.scancode(code).as_slice().to_vec())
        .collect()
}

/// Press and release.
fn tap(code: u8) -> [u8; 2] {
    [code, code | 0x80]
}

#[test]
fn letters_digits_and_shifted_symbols() {
    assert_eq!(typed(&[tap(A), tap(ONE), tap(MINUS)].concat()), b"a1-");
    let shifted = [
        &[SHIFT][..],
        &tap(A),
        &tap(ONE),
        &tap(MINUS),
        &[SHIFT | 0x80],
    ]
    .concat();
    assert_eq!(typed(&shifted), b"A!_");
}

#[test]
fn caps_lock_shifts_letters_only() {
    let keys = [tap(CAPS), tap(A), tap(ONE), tap(CAPS), tap(A)].concat();
    assert_eq!(typed(&keys), b"A1a");
}

#[test]
fn ctrl_letters_are_control_bytes() {
    let keys = [
        &[CTRL][..],
        &tap(C),
        &tap(U),
        &tap(L),
        &[CTRL | 0x80],
        &tap(C),
    ]
    .concat();
    assert_eq!(typed(&keys), b"\x03\x15\x0cc");
}

#[test]
fn enter_and_backspace_send_what_a_terminal_sends() {
    assert_eq!(typed(&[tap(ENTER), tap(BACKSPACE)].concat()), b"\r\x7f");
}

#[test]
fn extended_keys_send_escape_sequences() {
    let e0 = |code: u8| [0xe0, code, 0xe0, code | 0x80];
    let keys = [
        e0(0x48),
        e0(0x50),
        e0(0x4d),
        e0(0x4b),
        e0(0x47),
        e0(0x4f),
        e0(0x53),
    ]
    .concat();
    assert_eq!(typed(&keys), b"\x1b[A\x1b[B\x1b[C\x1b[D\x1b[H\x1b[F\x1b[3~");
}

#[test]
fn controller_replies_and_garbage_send_nothing() {
    assert_eq!(typed(&[0xfa, 0xaa, 0xfe, 0x00, 0xff]), b"");
}
