//! The captured serial console: bytes from QEMU, cleaned of ANSI escapes and
//! with `\r\n` turned into `\n`, plus a read cursor and crash detection.
//! Pure data, no threads or processes (those are in `harness`).

/// Lines that mean the kernel crashed: a panic, or a CPU exception report.
pub const CRASH_MARKERS: [&str; 2] = ["KERNEL PANIC", "EXCEPTION"];

/// Where the escape-sequence filter is, between two bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Escape {
    /// Plain text.
    #[default]
    None,
    /// After ESC, or ESC and intermediates (0x20..=0x2f) such as `ESC ( B`.
    Start,
    /// In a control sequence `ESC [ ...`, until a final byte 0x40..=0x7e.
    Csi,
    /// In a string `ESC ] ...` (also `P`, `X`, `^`, `_`), until BEL or ST.
    String,
    /// ESC seen inside a string: the start of ST (`ESC \`).
    StringEsc,
}

/// Turns terminal output into plain text, a byte at a time, so sequences and
/// `\r\n` pairs split across reads are handled.
#[derive(Debug, Default)]
pub struct Cleaner {
    /// The escape-sequence state.
    escape: Escape,
    /// A `\r` held back until we know whether `\n` follows.
    pending_cr: bool,
}

impl Cleaner {
    /// Appends the plain text of `input` to `out`.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        for &byte in input {
            self.escape = match self.escape {
                Escape::None if byte == 0x1b => Escape::Start,
                Escape::None => {
                    self.plain(byte, out);
                    Escape::None
                }
                Escape::Start => match byte {
                    b'[' => Escape::Csi,
                    b']' | b'P' | b'X' | b'^' | b'_' => Escape::String,
                    0x20..=0x2f => Escape::Start,
                    _ => Escape::None,
                },
                Escape::Csi if (0x40..=0x7e).contains(&byte) => Escape::None,
                Escape::Csi => Escape::Csi,
                Escape::String if byte == 0x07 => Escape::None,
                Escape::String | Escape::StringEsc if byte == 0x1b => Escape::StringEsc,
                Escape::String => Escape::String,
                Escape::StringEsc => Escape::None,
            };
        }
    }

    /// Handles `byte` outside any sequence. Sequences are invisible here, so
    /// a `\r` stays pending across them.
    fn plain(&mut self, byte: u8, out: &mut Vec<u8>) {
        if std::mem::take(&mut self.pending_cr) && byte != b'\n' {
            out.push(b'\r');
        }
        match byte {
            b'\r' => self.pending_cr = true,
            b'\n' | b'\t' | 0x20..=0x7e | 0x80.. => out.push(byte),
            _ => {} // other controls (BEL, backspace, DEL) carry no text
        }
    }
}

/// Everything the console printed, and how far the test has read.
#[derive(Debug, Default)]
pub struct Console {
    /// The cleaned text so far (see [`Cleaner`]).
    text: Vec<u8>,
    /// Every byte as it arrived, escape sequences included.
    raw: Vec<u8>,
    /// Where the next `take_*` starts looking: text before it was consumed.
    cursor: usize,
    /// The first crash marker seen, if any.
    crash: Option<&'static str>,
    /// The filter raw bytes go through.
    cleaner: Cleaner,
}

impl Console {
    /// Adds raw bytes read from the console.
    pub fn push(&mut self, raw: &[u8]) {
        let old_len = self.text.len();
        self.raw.extend_from_slice(raw);
        self.cleaner.feed(raw, &mut self.text);
        if self.crash.is_none() {
            self.crash = self.find_crash(old_len);
        }
    }

    /// Looks for a crash marker in text that arrived at or after `from`,
    /// including markers that straddle `from`.
    fn find_crash(&self, from: usize) -> Option<&'static str> {
        CRASH_MARKERS.into_iter().find(|marker| {
            let start = from.saturating_sub(marker.len() - 1);
            find(&self.text[start..], marker.as_bytes()).is_some()
        })
    }

    /// The first crash marker printed so far.
    pub fn crash(&self) -> Option<&'static str> {
        self.crash
    }

    /// If `needle` appears after the cursor, consumes and returns the text up
    /// to and including it.
    pub fn take_through(&mut self, needle: &str) -> Option<String> {
        let at = find(&self.text[self.cursor..], needle.as_bytes())?;
        Some(self.consume(self.cursor + at + needle.len()))
    }

    /// If a line containing `needle` has ended after the cursor, consumes and
    /// returns the text through that line's `\n`.
    pub fn take_line_with(&mut self, needle: &str) -> Option<String> {
        let at = self.cursor + find(&self.text[self.cursor..], needle.as_bytes())?;
        let eol = find(&self.text[at + needle.len()..], b"\n")?;
        Some(self.consume(at + needle.len() + eol + 1))
    }

    /// Moves the cursor to `end`, returning the text it passed over.
    fn consume(&mut self, end: usize) -> String {
        let taken = String::from_utf8_lossy(&self.text[self.cursor..end]).into_owned();
        self.cursor = end;
        taken
    }

    /// How many bytes of text there are so far.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    /// Whether nothing was printed yet.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The whole text, consumed or not.
    pub fn log(&self) -> String {
        String::from_utf8_lossy(&self.text).into_owned()
    }

    /// Every byte received, uncleaned: for checking escape sequences.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }
}

/// The offset of the first `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(chunks: &[&[u8]]) -> String {
        let (mut cleaner, mut out) = (Cleaner::default(), Vec::new());
        for chunk in chunks {
            cleaner.feed(chunk, &mut out);
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn strips_csi_osc_and_charset_sequences() {
        let raw = b"\x1b[1;32mok\x1b[0m \x1b]0;title\x07t\x1b]2;x\x1b\\i\x1b(Bt\x1b7le\x07";
        assert_eq!(clean(&[raw]), "ok title");
    }

    #[test]
    fn sequences_and_crlf_may_split_across_reads() {
        assert_eq!(
            clean(&[b"a\x1b", b"[2", b"Kb\r", b"\nc\r", b"d"]),
            "ab\nc\rd"
        );
    }

    #[test]
    fn take_through_consumes_up_to_the_match() {
        let mut console = Console::default();
        console.push(b"boot\r\nringlab> ");
        assert_eq!(
            console.take_through("ringlab> ").as_deref(),
            Some("boot\nringlab> ")
        );
        assert_eq!(console.take_through("ringlab> "), None);
        console.push(b"x\r\nringlab> ");
        assert_eq!(
            console.take_through("ringlab> ").as_deref(),
            Some("x\nringlab> ")
        );
    }

    #[test]
    fn take_line_with_waits_for_the_end_of_the_line() {
        let mut console = Console::default();
        console.push(b"[cpu 3 up]\r\nhel");
        assert_eq!(console.take_line_with("help"), None);
        console.push(b"p\r");
        assert_eq!(console.take_line_with("help"), None);
        console.push(b"\ncommands:\r\n");
        assert_eq!(
            console.take_line_with("help").as_deref(),
            Some("[cpu 3 up]\nhelp\n")
        );
        assert_eq!(console.log(), "[cpu 3 up]\nhelp\ncommands:\n");
    }

    #[test]
    fn crash_markers_are_found_across_reads() {
        let mut console = Console::default();
        console.push(b"fine\r\nKERNEL PA");
        assert_eq!(console.crash(), None);
        console.push(b"NIC at x.rs:1");
        assert_eq!(console.crash(), Some("KERNEL PANIC"));
        let mut console = Console::default();
        console.push(b"\x1b[31mEXCEPTION\x1b[0m: page fault");
        assert_eq!(console.crash(), Some("EXCEPTION"));
    }
}
