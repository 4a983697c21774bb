//! Input decoding for the line editor: raw terminal bytes in, `Key`s out.
//! Knows VT100/xterm escape sequences, CR/LF pairs and UTF-8 framing; it
//! edits nothing and prints nothing.

use core::{fmt, mem};

/// One decoded keypress, or one piece of input the editor cannot use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Key {
    /// A printable ASCII character (0x20..=0x7E).
    Insert(u8),
    /// CR or LF; a CR LF, LF CR or CR NUL pair is one `Enter`.
    Enter,
    /// Tab: complete the word before the cursor.
    Tab,
    /// DEL (0x7F) or BS (0x08): delete left of the cursor.
    Backspace,
    /// `ESC [ 3 ~` or Ctrl-D: delete under the cursor.
    Delete,
    /// Cursor left: `ESC [ D`, `ESC O D`, Ctrl-B.
    Left,
    /// Cursor right: `ESC [ C`, `ESC O C`, Ctrl-F.
    Right,
    /// Start of line: `ESC [ H`, `ESC O H`, `ESC [ 1 ~`, `ESC [ 7 ~`, Ctrl-A.
    Home,
    /// End of line: `ESC [ F`, `ESC O F`, `ESC [ 4 ~`, `ESC [ 8 ~`, Ctrl-E.
    End,
    /// Older history entry: `ESC [ A`, `ESC O A`, Ctrl-P.
    Up,
    /// Newer history entry: `ESC [ B`, `ESC O B`, Ctrl-N.
    Down,
    /// Ctrl-U: delete from the start of the line to the cursor.
    KillToStart,
    /// Ctrl-W: delete the word before the cursor.
    KillWord,
    /// Ctrl-K: delete from the cursor to the end of the line.
    KillToEnd,
    /// Ctrl-L: clear the screen and redraw.
    ClearScreen,
    /// Ctrl-C: abandon the line.
    Interrupt,
    /// Input the editor cannot use and must report.
    Unusable(Unusable),
}

/// Input bytes that make no key; displays as the end of an "ignored ..." notice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unusable {
    /// A control byte with no editing meaning.
    Control(u8),
    /// One whole, valid UTF-8 character outside ASCII.
    NonAscii(RawBytes),
    /// Bytes that are not valid UTF-8.
    Invalid(RawBytes),
}

impl fmt::Display for Unusable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const ASCII_ONLY: &str = "the shell accepts printable ASCII only";
        match self {
            Self::Control(byte) => write!(f, "control byte 0x{byte:02x}"),
            Self::NonAscii(raw) => write!(f, "non-ASCII input (bytes {raw}); {ASCII_ONLY}"),
            Self::Invalid(raw) => write!(f, "invalid UTF-8 input (bytes {raw}); {ASCII_ONLY}"),
        }
    }
}

/// Up to four raw input bytes of one UTF-8 sequence; displays as hex.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RawBytes {
    bytes: [u8; 4],
    len: usize,
}

impl RawBytes {
    /// A sequence of one byte.
    fn one(byte: u8) -> Self {
        Self {
            bytes: [byte, 0, 0, 0],
            len: 1,
        }
    }

    /// This sequence with `byte` appended (the caller keeps it within four).
    fn with(mut self, byte: u8) -> Self {
        self.bytes[self.len] = byte;
        self.len += 1;
        self
    }

    /// The bytes held.
    fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

impl fmt::Display for RawBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, byte) in self.as_slice().iter().enumerate() {
            let gap = if i == 0 { "" } else { " " };
            write!(f, "{gap}{byte:02x}")?;
        }
        Ok(())
    }
}

/// Where the decoder is inside a multi-byte sequence.
#[derive(Clone, Copy)]
enum State {
    /// Between sequences.
    Ground,
    /// After ESC.
    Escape,
    /// After `ESC [`. `param` is the first numeric parameter so far; `more`
    /// is set once any other parameter byte (such as `;`) has ended it.
    Csi { param: u16, more: bool },
    /// After `ESC O`.
    Ss3,
    /// Inside a UTF-8 sequence of `need` bytes, `raw` holding those seen so far.
    Utf8 { raw: RawBytes, need: usize },
}

/// Turns input bytes into [`Key`]s, one byte at a time.
///
/// Unknown escape sequences are consumed whole and produce nothing. A byte
/// that cannot continue the current sequence (a control byte inside an
/// escape, ASCII inside UTF-8) ends it and is then decoded on its own, which
/// is why one byte can yield two keys.
pub(crate) struct Decoder {
    state: State,
    /// The CR or LF that produced the last `Enter`, while its partner may
    /// still follow as the next byte.
    newline: Option<u8>,
}

impl Decoder {
    /// A decoder between sequences.
    pub(crate) const fn new() -> Self {
        Self {
            state: State::Ground,
            newline: None,
        }
    }

    /// Decodes one byte into at most two keys.
    pub(crate) fn feed(&mut self, byte: u8) -> [Option<Key>; 2] {
        if self
            .newline
            .take()
            .is_some_and(|first| completes_newline(first, byte))
        {
            return [None, None];
        }
        match mem::replace(&mut self.state, State::Ground) {
            State::Ground => [self.ground(byte), None],
            State::Escape => self.escape(byte),
            State::Csi { param, more } => self.csi(param, more, byte),
            State::Ss3 => self.ss3(byte),
            State::Utf8 { raw, need } => self.utf8(raw, need, byte),
        }
    }

    /// Decodes a byte that starts something new.
    fn ground(&mut self, byte: u8) -> Option<Key> {
        match byte {
            b' '..=b'~' => Some(Key::Insert(byte)),
            b'\r' | b'\n' => {
                self.newline = Some(byte);
                Some(Key::Enter)
            }
            0x1b => {
                self.state = State::Escape;
                None
            }
            0x80..=0xff => self.utf8_start(byte),
            _ => Some(control_key(byte)),
        }
    }

    /// Decodes the byte after ESC.
    fn escape(&mut self, byte: u8) -> [Option<Key>; 2] {
        match byte {
            b'[' => {
                self.state = State::Csi {
                    param: 0,
                    more: false,
                }
            }
            b'O' => self.state = State::Ss3,
            0x1b => self.state = State::Escape,
            // Anything else ends a lone ESC, which means nothing here, and is
            // a key of its own: a stray ESC before `cores` must not eat the
            // `c` (Alt+key, ESC plus a printable byte, is not used).
            _ => return [None, self.ground(byte)],
        }
        [None, None]
    }

    /// Decodes a byte inside `ESC [ ...`.
    fn csi(&mut self, param: u16, more: bool, byte: u8) -> [Option<Key>; 2] {
        match byte {
            b'0'..=b'9' if !more => {
                let param = param
                    .saturating_mul(10)
                    .saturating_add(u16::from(byte - b'0'));
                self.state = State::Csi { param, more };
            }
            0x20..=0x3f => self.state = State::Csi { param, more: true },
            0x40..=0x7e => return [csi_key(param, byte), None],
            _ => return [None, self.ground(byte)],
        }
        [None, None]
    }

    /// Decodes a byte after `ESC O`.
    fn ss3(&mut self, byte: u8) -> [Option<Key>; 2] {
        match byte {
            // Some terminals put modifier digits here; skip them.
            0x20..=0x3f => self.state = State::Ss3,
            0x40..=0x7e => return [cursor_key(byte), None],
            _ => return [None, self.ground(byte)],
        }
        [None, None]
    }

    /// Starts a UTF-8 sequence at a byte of 0x80 or more.
    fn utf8_start(&mut self, byte: u8) -> Option<Key> {
        let need = match byte {
            0xc2..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf4 => 4,
            _ => return Some(Key::Unusable(Unusable::Invalid(RawBytes::one(byte)))),
        };
        self.state = State::Utf8 {
            raw: RawBytes::one(byte),
            need,
        };
        None
    }

    /// Continues a UTF-8 sequence; reports it once it is complete or broken.
    fn utf8(&mut self, raw: RawBytes, need: usize, byte: u8) -> [Option<Key>; 2] {
        if !(0x80..=0xbf).contains(&byte) {
            return [
                Some(Key::Unusable(Unusable::Invalid(raw))),
                self.ground(byte),
            ];
        }
        let raw = raw.with(byte);
        if raw.len < need {
            self.state = State::Utf8 { raw, need };
            return [None, None];
        }
        // Catches overlong forms and surrogates, which the lead byte alone cannot.
        let valid = core::str::from_utf8(raw.as_slice()).is_ok();
        let what = if valid {
            Unusable::NonAscii(raw)
        } else {
            Unusable::Invalid(raw)
        };
        [Some(Key::Unusable(what)), None]
    }
}

/// Whether `byte` is the second half of a line end begun by `first`: CR LF,
/// LF CR, or CR NUL (how a telnet client sends a bare CR).
fn completes_newline(first: u8, byte: u8) -> bool {
    matches!((first, byte), (b'\r', b'\n' | 0) | (b'\n', b'\r'))
}

/// The key for a control byte (below 0x20, or DEL) other than CR, LF and ESC.
fn control_key(byte: u8) -> Key {
    match byte {
        0x7f | 0x08 => Key::Backspace,
        b'\t' => Key::Tab,
        0x01 => Key::Home,
        0x02 => Key::Left,
        0x03 => Key::Interrupt,
        0x04 => Key::Delete,
        0x05 => Key::End,
        0x06 => Key::Right,
        0x0b => Key::KillToEnd,
        0x0c => Key::ClearScreen,
        0x0e => Key::Down,
        0x10 => Key::Up,
        0x15 => Key::KillToStart,
        0x17 => Key::KillWord,
        _ => Key::Unusable(Unusable::Control(byte)),
    }
}

/// The key for `ESC [ param final`; modifiers after a `;` are ignored.
fn csi_key(param: u16, last: u8) -> Option<Key> {
    match (last, param) {
        (b'~', 1 | 7) => Some(Key::Home),
        (b'~', 4 | 8) => Some(Key::End),
        (b'~', 3) => Some(Key::Delete),
        (b'~', _) => None,
        _ => cursor_key(last),
    }
}

/// The key for the final byte of a cursor sequence (`ESC [ A`, `ESC O H`, ...).
fn cursor_key(last: u8) -> Option<Key> {
    match last {
        b'A' => Some(Key::Up),
        b'B' => Some(Key::Down),
        b'C' => Some(Key::Right),
        b'D' => Some(Key::Left),
        b'H' => Some(Key::Home),
        b'F' => Some(Key::End),
        _ => None,
    }
}
