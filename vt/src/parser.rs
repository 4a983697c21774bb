//! Output bytes in, terminal actions out: a byte-at-a-time state machine for
//! the VT100/ANSI escape sequences (after the DEC/ECMA-48 shape: ESC, CSI
//! with parameters, OSC strings). It only splits the stream; `Terminal` acts.

/// Most numeric parameters a control sequence keeps; later ones are dropped.
pub const MAX_PARAMS: usize = 16;

/// A complete control sequence: `ESC [ private? params intermediate? final`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Csi {
    /// The parameters as typed; an empty one is 0.
    params: [u16; MAX_PARAMS],
    /// How many parameters there are.
    len: usize,
    /// A private marker (`?`, `>`, `<` or `=`) right after `ESC [`.
    pub private: Option<u8>,
    /// An intermediate byte (0x20..=0x2F) before the final byte.
    pub intermediate: Option<u8>,
    /// The final byte (0x40..=0x7E), which names the function.
    pub final_byte: u8,
}

impl Csi {
    /// Parameter `index`, or `default` when it is missing or 0 (the ECMA-48
    /// rule for counts such as `ESC [ C`).
    pub fn count(&self, index: usize, default: u16) -> u16 {
        match self.params().get(index) {
            Some(&0) | None => default,
            Some(&value) => value,
        }
    }

    /// The parameters as typed (`ESC [ m` has none, `ESC [ ; m` has two zeros).
    pub fn params(&self) -> &[u16] {
        &self.params[..self.len]
    }
}

/// What one output byte asks the terminal to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Show a character; bytes outside ASCII arrive as `?` (one per character).
    Print(u8),
    /// A C0 control byte: CR, LF, BS, TAB, BEL, ...
    Control(u8),
    /// A control sequence (`ESC [ ...`).
    Csi(Csi),
    /// An escape sequence `ESC intermediate? final` such as `ESC 7` or `ESC ( B`.
    Esc {
        /// The byte between ESC and the final byte, if any.
        intermediate: Option<u8>,
        /// The final byte (0x30..=0x7E).
        final_byte: u8,
    },
}

/// Where the parser is between two bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Plain text.
    Ground,
    /// After ESC, possibly with an intermediate byte.
    Escape(Option<u8>),
    /// Inside `ESC [ ...`.
    Csi,
    /// Inside a malformed control sequence: skip to its final byte.
    CsiIgnore,
    /// Inside a string (`ESC ]`, `ESC P`, `ESC X`, `ESC ^`, `ESC _`): skip to BEL or ST.
    String,
    /// ESC seen inside a string: `ESC \` (ST) ends it.
    StringEscape,
    /// Inside a UTF-8 sequence: `more` continuation bytes to skip.
    Utf8 { more: u8 },
}

/// The escape-sequence splitter. Unknown or malformed sequences are consumed
/// whole; a control byte inside a sequence is acted on at once (as a VT100 does).
#[derive(Clone, Debug)]
pub struct Parser {
    state: State,
    /// The sequence being collected while `state` is `Csi`.
    csi: Csi,
    /// Whether parameters past MAX_PARAMS were dropped from this sequence.
    overflow: bool,
}

impl Default for Parser {
    fn default() -> Self {
        Self::new()
    }
}

impl Parser {
    /// A parser in plain text.
    pub const fn new() -> Self {
        Self {
            state: State::Ground,
            csi: Csi {
                params: [0; MAX_PARAMS],
                len: 0,
                private: None,
                intermediate: None,
                final_byte: 0,
            },
            overflow: false,
        }
    }

    /// Takes one byte; returns the action it completes, if any.
    pub fn feed(&mut self, byte: u8) -> Option<Action> {
        if byte == 0x1b && !matches!(self.state, State::String | State::StringEscape) {
            self.state = State::Escape(None);
            return None;
        }
        if byte == 0x18 || byte == 0x1a {
            self.state = State::Ground; // CAN and SUB abort a sequence
            return None;
        }
        match self.state {
            State::Ground => self.ground(byte),
            State::Escape(intermediate) => self.escape(intermediate, byte),
            State::Csi => self.csi(byte),
            State::CsiIgnore => self.csi_ignore(byte),
            State::String | State::StringEscape => self.string(byte),
            State::Utf8 { more } => self.utf8(more, byte),
        }
    }

    fn ground(&mut self, byte: u8) -> Option<Action> {
        match byte {
            0x20..=0x7e => Some(Action::Print(byte)),
            0x7f => None, // DEL is padding on output
            0x00..=0x1f => Some(Action::Control(byte)),
            0xc2..=0xdf => self.utf8_start(1),
            0xe0..=0xef => self.utf8_start(2),
            0xf0..=0xf4 => self.utf8_start(3),
            _ => Some(Action::Print(b'?')), // a stray continuation or invalid byte
        }
    }

    fn utf8_start(&mut self, more: u8) -> Option<Action> {
        self.state = State::Utf8 { more };
        Some(Action::Print(b'?'))
    }

    fn utf8(&mut self, more: u8, byte: u8) -> Option<Action> {
        if (0x80..=0xbf).contains(&byte) {
            self.state = match more {
                1 => State::Ground,
                _ => State::Utf8 { more: more - 1 },
            };
            return None;
        }
        self.state = State::Ground;
        self.ground(byte)
    }

    fn escape(&mut self, intermediate: Option<u8>, byte: u8) -> Option<Action> {
        match byte {
            0x00..=0x1f => return Some(Action::Control(byte)),
            b'[' if intermediate.is_none() => {
                self.start_csi();
                return None;
            }
            b']' | b'P' | b'X' | b'^' | b'_' if intermediate.is_none() => {
                self.state = State::String;
                return None;
            }
            0x20..=0x2f => {
                self.state = State::Escape(Some(byte));
                return None;
            }
            _ => {}
        }
        self.state = State::Ground;
        (0x30..=0x7e).contains(&byte).then_some(Action::Esc {
            intermediate,
            final_byte: byte,
        })
    }

    fn start_csi(&mut self) {
        self.state = State::Csi;
        self.csi.len = 0;
        self.csi.private = None;
        self.csi.intermediate = None;
        self.overflow = false;
    }

    fn csi(&mut self, byte: u8) -> Option<Action> {
        match byte {
            0x00..=0x1f => return Some(Action::Control(byte)),
            b'0'..=b'9' if self.csi.intermediate.is_none() => self.digit(byte - b'0'),
            b';' | b':' if self.csi.intermediate.is_none() => self.separator(),
            b'<'..=b'?' if self.csi.len == 0 && self.csi.private.is_none() => {
                self.csi.private = Some(byte);
            }
            0x20..=0x2f if self.csi.intermediate.is_none() => self.csi.intermediate = Some(byte),
            0x40..=0x7e => {
                self.state = State::Ground;
                self.csi.final_byte = byte;
                return Some(Action::Csi(self.csi));
            }
            0x7f => {}
            _ => self.state = State::CsiIgnore,
        }
        None
    }

    fn digit(&mut self, digit: u8) {
        if self.csi.len == 0 {
            self.open_param();
        }
        if !self.overflow {
            let param = &mut self.csi.params[self.csi.len - 1];
            *param = param.saturating_mul(10).saturating_add(u16::from(digit));
        }
    }

    fn separator(&mut self) {
        if self.csi.len == 0 {
            self.open_param(); // an empty first parameter is 0
        }
        self.open_param();
    }

    /// Starts a new parameter at 0; past MAX_PARAMS the rest are dropped.
    fn open_param(&mut self) {
        if self.csi.len < MAX_PARAMS {
            self.csi.params[self.csi.len] = 0;
            self.csi.len += 1;
        } else {
            self.overflow = true;
        }
    }

    fn csi_ignore(&mut self, byte: u8) -> Option<Action> {
        match byte {
            0x00..=0x1f => return Some(Action::Control(byte)),
            0x40..=0x7e => self.state = State::Ground,
            _ => {}
        }
        None
    }

    /// Skips a string to its end: BEL, or ST (`ESC \\`). An ESC followed by
    /// anything else ends the string too and starts a new sequence.
    fn string(&mut self, byte: u8) -> Option<Action> {
        match (self.state, byte) {
            (_, 0x07) => self.state = State::Ground,
            (State::String, 0x1b) => self.state = State::StringEscape,
            (State::StringEscape, b'\\') => self.state = State::Ground,
            (State::StringEscape, _) => return self.escape(None, byte),
            _ => {}
        }
        None
    }
}
