//! `CrLf`: a `Write` adapter that turns each bare `\n` into the `\r\n` a serial
//! terminal needs, so command code can use `writeln!` freely.

use core::cell::Cell;
use core::fmt::{self, Write};

/// Wraps a sink and writes every `\n` not already preceded by `\r` as `\r\n`.
///
/// The shell hands commands their output through one of these. It also
/// remembers whether the output ended mid-line, so [`CrLf::end_line`] can put
/// the next prompt on a line of its own.
pub struct CrLf<'a> {
    out: &'a mut dyn Write,
    /// The last byte written, or `\n` before anything was.
    last: u8,
}

impl<'a> CrLf<'a> {
    /// Wraps `out`, which is taken to be at the start of a line.
    pub fn new(out: &'a mut dyn Write) -> Self {
        Self { out, last: b'\n' }
    }

    /// Ends the current line unless the output so far already ended one.
    pub fn end_line(&mut self) -> fmt::Result {
        if self.last == b'\n' {
            return Ok(());
        }
        self.write_str("\n")
    }
}

impl Write for CrLf<'_> {
    /// One `write!`/`writeln!` is one `write_fmt` on the sink, converted on
    /// the way, not a `write_str` per piece: a sink that makes each of its
    /// writes whole (the kernel's console holds its lock for one) keeps
    /// other cores' output out of the middle of a line.
    fn write_fmt(&mut self, args: fmt::Arguments<'_>) -> fmt::Result {
        let last = Cell::new(self.last);
        let result = self
            .out
            .write_fmt(format_args!("{}", Converted { args, last: &last }));
        self.last = last.get();
        result
    }

    fn write_str(&mut self, text: &str) -> fmt::Result {
        for piece in text.split_inclusive('\n') {
            match piece.strip_suffix('\n') {
                Some(body) if !ends_with_cr(body, self.last) => {
                    self.out.write_str(body)?;
                    self.out.write_str("\r\n")?;
                }
                _ => self.out.write_str(piece)?,
            }
            self.last = piece.as_bytes().last().copied().unwrap_or(self.last);
        }
        Ok(())
    }
}

/// Whether `body`, written after a byte `last`, ends with a carriage return.
fn ends_with_cr(body: &str, last: u8) -> bool {
    body.as_bytes().last().copied().unwrap_or(last) == b'\r'
}

/// Formatted text that displays with [`CrLf`]'s conversion, starting after
/// the byte in `last` and leaving the last byte written there.
struct Converted<'a> {
    args: fmt::Arguments<'a>,
    last: &'a Cell<u8>,
}

impl fmt::Display for Converted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut lines = CrLf {
            out: f,
            last: self.last.get(),
        };
        // `fmt::write` feeds `lines` through `write_str` only, so this does
        // not come back to `CrLf::write_fmt`.
        let result = fmt::write(&mut lines, self.args);
        self.last.set(lines.last);
        result
    }
}
