//! Test support (built for tests only): drivers that feed a byte string to an
//! editor or shell and collect what it printed, a sink that always fails, and
//! `Screen`, a tiny terminal model that shows what a user would see.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Write};

use crate::complete::Completer;
use crate::editor::{EditorEvent, LineEditor};
use crate::shell::{Shell, ShellEvent};

/// Feeds `input` to `editor` byte by byte, printing the prompt after each
/// finished line as a caller would; returns the output and the events.
pub(crate) fn type_keys(
    editor: &mut LineEditor,
    input: &[u8],
    completer: &dyn Completer,
) -> (String, Vec<EditorEvent>) {
    let mut out = String::new();
    let mut events = Vec::new();
    for &byte in input {
        let Some(event) = editor.feed(byte, &mut out, completer) else {
            continue;
        };
        if let EditorEvent::Line(_) = event {
            editor.prompt(&mut out);
        }
        events.push(event);
    }
    (out, events)
}

/// Feeds `input` to `shell` byte by byte; returns the output and the events.
pub(crate) fn type_shell<C>(
    shell: &mut Shell<C>,
    ctx: &mut C,
    input: &[u8],
) -> (String, Vec<ShellEvent>) {
    let mut out = String::new();
    let events = input
        .iter()
        .filter_map(|&byte| shell.feed(ctx, byte, &mut out))
        .collect();
    (out, events)
}

/// An output sink that refuses every write.
pub(crate) struct Broken;

impl Write for Broken {
    fn write_str(&mut self, _: &str) -> fmt::Result {
        Err(fmt::Error)
    }
}

/// A terminal of unlimited width that understands exactly the output the
/// shell produces: printable ASCII, CR, LF, and `ESC [` with `n D`, `n C`,
/// `K`, `H` and `2 J`. Anything else panics, so a test notices.
#[derive(Debug, Default)]
pub(crate) struct Screen {
    rows: Vec<Vec<u8>>,
    row: usize,
    col: usize,
}

impl Screen {
    /// The screen after showing `output` on a blank terminal.
    pub(crate) fn render(output: &str) -> Self {
        let mut screen = Self::default();
        let mut bytes = output.bytes();
        while let Some(byte) = bytes.next() {
            match byte {
                b'\r' => screen.col = 0,
                b'\n' => screen.row += 1,
                0x1b => screen.escape(&mut bytes),
                b' '..=b'~' => screen.put(byte),
                _ => panic!("the screen model got byte {byte:#04x}"),
            }
        }
        screen
    }

    /// The text of the row the cursor is on.
    pub(crate) fn line(&self) -> String {
        self.row_text(self.row)
    }

    /// The cursor's column.
    pub(crate) fn col(&self) -> usize {
        self.col
    }

    /// Every row, trailing spaces trimmed, one per line.
    pub(crate) fn text(&self) -> String {
        let rows: Vec<String> = (0..self.rows.len().max(self.row + 1))
            .map(|row| self.row_text(row))
            .collect();
        rows.join("\n").trim_end().into()
    }

    /// The line of row `row`, trailing spaces trimmed.
    fn row_text(&self, row: usize) -> String {
        let text = self.rows.get(row).map_or(&[][..], Vec::as_slice);
        String::from_utf8_lossy(text).trim_end().into()
    }

    /// Interprets the rest of an escape sequence.
    fn escape(&mut self, bytes: &mut core::str::Bytes<'_>) {
        assert_eq!(bytes.next(), Some(b'['), "only CSI sequences are modelled");
        let mut param = String::new();
        let last = loop {
            match bytes.next() {
                Some(digit @ b'0'..=b'9') => param.push(char::from(digit)),
                other => break other,
            }
        };
        let n: usize = param.parse().unwrap_or(1);
        match last {
            Some(b'D') => {
                self.col = self
                    .col
                    .checked_sub(n)
                    .expect("cursor moved left of column 0")
            }
            Some(b'C') => self.col += n,
            Some(b'K') => {
                let col = self.col;
                self.row_mut().truncate(col);
            }
            Some(b'H') => (self.row, self.col) = (0, 0),
            Some(b'J') if n == 2 => self.rows.clear(),
            other => panic!("the screen model got ESC [ {param} {other:?}"),
        }
    }

    /// Writes one character at the cursor and moves right.
    fn put(&mut self, byte: u8) {
        let col = self.col;
        let row = self.row_mut();
        if row.len() <= col {
            row.resize(col + 1, b' ');
        }
        row[col] = byte;
        self.col += 1;
    }

    /// The cursor's row, created if needed.
    fn row_mut(&mut self) -> &mut Vec<u8> {
        if self.rows.len() <= self.row {
            self.rows.resize(self.row + 1, Vec::new());
        }
        &mut self.rows[self.row]
    }
}
