//! The keyboard side of the terminal: PS/2 scancodes (set 1, US layout,
//! decoded by `pc-keyboard`) turned into the bytes an xterm on a serial
//! line sends, so the shell cannot tell the two consoles apart.

use pc_keyboard::layouts::Us104Key;
use pc_keyboard::{DecodedKey, HandleControl, KeyCode, PS2Keyboard, ScancodeSet1};

/// The bytes one key press sends: at most a few (`ESC [ 1 5 ~`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeyBytes {
    bytes: [u8; 6],
    len: usize,
}

impl KeyBytes {
    /// Nothing (a modifier, a key release, an unmapped key).
    pub const NONE: KeyBytes = KeyBytes {
        bytes: [0; 6],
        len: 0,
    };

    fn one(byte: u8) -> Self {
        Self::from_slice(&[byte])
    }

    fn from_slice(slice: &[u8]) -> Self {
        let mut key = Self::NONE;
        key.bytes[..slice.len()].copy_from_slice(slice);
        key.len = slice.len();
        key
    }

    /// The bytes, in the order to send them.
    pub fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// A US-layout PS/2 keyboard sending scancode set 1 (what the i8042
/// delivers with translation on). Ctrl plus a letter gives 0x01-0x1A.
pub struct Keyboard {
    decoder: PS2Keyboard<Us104Key, ScancodeSet1>,
}

impl Default for Keyboard {
    fn default() -> Self {
        Self::new()
    }
}

impl Keyboard {
    /// A keyboard with no key down, Num Lock on.
    pub const fn new() -> Self {
        Self {
            decoder: PS2Keyboard::new(
                ScancodeSet1::new(),
                Us104Key,
                HandleControl::MapLettersToUnicode,
            ),
        }
    }

    /// Takes one scancode byte; returns what the key sends, if this byte
    /// completed a key press. Bad bytes are dropped.
    pub fn scancode(&mut self, byte: u8) -> KeyBytes {
        let Ok(Some(event)) = self.decoder.add_byte(byte) else {
            return KeyBytes::NONE;
        };
        let code = event.code;
        match self.decoder.process_keyevent(event) {
            Some(key) => encode(code, key),
            None => KeyBytes::NONE,
        }
    }
}

/// The bytes an xterm sends for `key`, which `pc-keyboard` decoded from a
/// press of `code`.
pub fn encode(code: KeyCode, key: DecodedKey) -> KeyBytes {
    match key {
        DecodedKey::Unicode(ch) => encode_char(code, ch),
        DecodedKey::RawKey(raw) => encode_raw(raw),
    }
}

fn encode_char(code: KeyCode, ch: char) -> KeyBytes {
    match (code, ch) {
        // The layout maps Delete (and keypad Delete without Num Lock) to DEL,
        // which a terminal sends for Backspace.
        (KeyCode::Delete | KeyCode::NumpadPeriod, '\x7f') => KeyBytes::from_slice(b"\x1b[3~"),
        (_, '\x08') => KeyBytes::one(0x7f),
        (_, '\n') => KeyBytes::one(b'\r'),
        (_, ch) if ch.is_ascii() => KeyBytes::one(ch as u8),
        (_, ch) => {
            let mut utf8 = [0; 4];
            KeyBytes::from_slice(ch.encode_utf8(&mut utf8).as_bytes())
        }
    }
}

fn encode_raw(code: KeyCode) -> KeyBytes {
    let bytes: &[u8] = match code {
        KeyCode::ArrowUp => b"\x1b[A",
        KeyCode::ArrowDown => b"\x1b[B",
        KeyCode::ArrowRight => b"\x1b[C",
        KeyCode::ArrowLeft => b"\x1b[D",
        KeyCode::Home => b"\x1b[H",
        KeyCode::End => b"\x1b[F",
        KeyCode::Insert => b"\x1b[2~",
        KeyCode::Delete => b"\x1b[3~",
        KeyCode::PageUp => b"\x1b[5~",
        KeyCode::PageDown => b"\x1b[6~",
        KeyCode::F1 => b"\x1bOP",
        KeyCode::F2 => b"\x1bOQ",
        KeyCode::F3 => b"\x1bOR",
        KeyCode::F4 => b"\x1bOS",
        KeyCode::F5 => b"\x1b[15~",
        KeyCode::F6 => b"\x1b[17~",
        KeyCode::F7 => b"\x1b[18~",
        KeyCode::F8 => b"\x1b[19~",
        KeyCode::F9 => b"\x1b[20~",
        KeyCode::F10 => b"\x1b[21~",
        KeyCode::F11 => b"\x1b[23~",
        KeyCode::F12 => b"\x1b[24~",
        _ => b"", // modifiers, lock keys and keys a terminal does not send
    };
    KeyBytes::from_slice(bytes)
}
