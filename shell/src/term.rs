//! Terminal output for the line editor: text, `\r\n` line ends and the few
//! ANSI (VT100) sequences it needs. Not a terminal model; write errors are
//! deliberately dropped here (see `Term`).

use core::cmp::Ordering;
use core::fmt::{self, Write};

/// ANSI sequence that moves the cursor home and clears the whole screen.
pub const CLEAR_SCREEN: &str = "\x1b[H\x1b[2J";

/// A `Write` sink seen as a VT100 terminal.
///
/// Errors from the sink are ignored: a terminal that cannot be written has
/// nowhere to show a complaint, and the editor's state must never depend on
/// whether its echo arrived.
pub(crate) struct Term<'a> {
    out: &'a mut dyn Write,
}

impl<'a> Term<'a> {
    /// Wraps a sink.
    pub(crate) fn new(out: &'a mut dyn Write) -> Self {
        Self { out }
    }

    /// Writes text as is.
    pub(crate) fn text(&mut self, text: &str) {
        let _ = self.out.write_str(text);
    }

    /// Writes formatted text and ends the line.
    pub(crate) fn line(&mut self, args: fmt::Arguments<'_>) {
        let _ = self.out.write_fmt(args);
        self.newline();
    }

    /// Moves to the start of the next line.
    pub(crate) fn newline(&mut self) {
        self.text("\r\n");
    }

    /// Erases from the cursor to the end of the screen line (`ESC [ K`).
    pub(crate) fn clear_to_end(&mut self) {
        self.text("\x1b[K");
    }

    /// Moves the cursor from column `from` to column `to` of the same line
    /// (`ESC [ n D` or `ESC [ n C`); writes nothing when they are equal.
    pub(crate) fn shift(&mut self, from: usize, to: usize) {
        let _ = match to.cmp(&from) {
            Ordering::Less => write!(self.out, "\x1b[{}D", from - to),
            Ordering::Greater => write!(self.out, "\x1b[{}C", to - from),
            Ordering::Equal => Ok(()),
        };
    }
}
