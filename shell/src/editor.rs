//! `LineEditor`: turns terminal input bytes into finished command lines,
//! echoing and editing as a VT100/xterm user expects, and reporting bad input
//! instead of dropping it. It runs nothing; see `shell.rs` for that.

use alloc::string::String;
use core::fmt::Write;
use core::mem;
use core::ops::Range;

use crate::complete::{Completer, Completion, complete};
use crate::crlf::CrLf;
use crate::history::History;
use crate::keys::{Decoder, Key, Unusable};
use crate::term::{CLEAR_SCREEN, Term};

/// The most characters a line can hold. Typing past it discards the line
/// (with a message) when Enter comes.
pub const LINE_CAPACITY: usize = 255;

/// Something the editor's caller must act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditorEvent {
    /// Enter finished this line (possibly empty). The editor has moved to a
    /// new line; the caller runs the line, then calls [`LineEditor::prompt`].
    Line(String),
    /// Ctrl-C: the line was abandoned and a fresh prompt printed. The caller
    /// may also abort whatever it is running.
    Interrupt,
    /// Ctrl-L: [`CLEAR_SCREEN`] and the redrawn prompt and line have been
    /// written. A caller with a display that ignores ANSI may clear it and
    /// call [`LineEditor::redraw`].
    ClearScreen,
}

/// A line editor driven one input byte at a time.
///
/// Holds printable ASCII only, so a byte index is also a screen column.
/// Everything it prints goes to the `out` passed to each call, with `\r\n`
/// line ends; it assumes the line fits on one screen row.
pub struct LineEditor {
    prompt: &'static str,
    line: String,
    /// Position in `line`, `0..=line.len()`.
    cursor: usize,
    decoder: Decoder,
    history: History,
    /// `Some(n)` once typing passed [`LINE_CAPACITY`]: `n` characters were
    /// typed in all, and input is swallowed until Enter.
    overflow: Option<usize>,
    /// The previous key was Tab, so another Tab lists the choices.
    after_tab: bool,
    /// Pieces of input left out of this line (each reported as it came):
    /// such a line is not run, as it is not what was typed or pasted.
    ignored: usize,
}

impl LineEditor {
    /// An editor with an empty line and history, showing `prompt`.
    pub const fn new(prompt: &'static str) -> Self {
        Self {
            prompt,
            line: String::new(),
            cursor: 0,
            decoder: Decoder::new(),
            history: History::new(),
            overflow: None,
            after_tab: false,
            ignored: 0,
        }
    }

    /// Prints the prompt: at start-up, and after running each line.
    pub fn prompt(&self, out: &mut dyn Write) {
        Term::new(out).text(self.prompt);
    }

    /// Prints the prompt and the line so far and puts the cursor back, e.g.
    /// after something else has used the screen.
    pub fn redraw(&self, out: &mut dyn Write) {
        self.draw(&mut Term::new(out));
    }

    /// Prints `text` on its own line(s) in place of the line being edited,
    /// then redraws that line below it: for output that arrives while the
    /// user is typing, such as a background command finishing.
    pub fn print_above(&self, out: &mut dyn Write, text: &str) {
        let mut term = Term::new(out);
        term.text("\r");
        term.clear_to_end();
        let mut lines = CrLf::new(out);
        let _ = lines.write_str(text).and_then(|()| lines.end_line());
        self.redraw(out);
    }

    /// Handles one input byte, echoing to `out`; Tab asks `completer`.
    pub fn feed(
        &mut self,
        byte: u8,
        out: &mut dyn Write,
        completer: &dyn Completer,
    ) -> Option<EditorEvent> {
        let mut term = Term::new(out);
        let mut event = None;
        for key in self.decoder.feed(byte).into_iter().flatten() {
            event = self.apply(key, &mut term, completer).or(event);
        }
        event
    }

    /// Acts on one key.
    fn apply(
        &mut self,
        key: Key,
        term: &mut Term<'_>,
        completer: &dyn Completer,
    ) -> Option<EditorEvent> {
        let second_tab = mem::replace(&mut self.after_tab, key == Key::Tab);
        if self.overflow.is_some() {
            return self.swallow(key, term);
        }
        let (cursor, len) = (self.cursor, self.line.len());
        match key {
            Key::Insert(byte) => self.insert_char(byte, term),
            Key::Enter => return self.enter(term),
            Key::Tab => self.complete(second_tab, term, completer),
            Key::Backspace => self.delete(cursor.saturating_sub(1)..cursor, term),
            Key::Delete => self.delete(cursor..len.min(cursor + 1), term),
            Key::Left => self.move_to(cursor.saturating_sub(1), term),
            Key::Right => self.move_to(len.min(cursor + 1), term),
            Key::Home => self.move_to(0, term),
            Key::End => self.move_to(len, term),
            Key::Up => self.recall(Walk::Older, term),
            Key::Down => self.recall(Walk::Newer, term),
            Key::KillToStart => self.delete(0..cursor, term),
            Key::KillWord => self.delete(self.word_start()..cursor, term),
            Key::KillToEnd => self.delete(cursor..len, term),
            Key::ClearScreen => return Some(self.clear_screen(term)),
            Key::Interrupt => return Some(self.interrupt(term)),
            Key::Unusable(what) => self.notice(what, term),
        }
        None
    }

    /// Handles a key after the line grew too long: counts characters, and on
    /// Enter reports and discards the line. Ctrl-C still interrupts.
    fn swallow(&mut self, key: Key, term: &mut Term<'_>) -> Option<EditorEvent> {
        match (key, self.overflow.as_mut()) {
            (Key::Insert(_), Some(typed)) => *typed += 1,
            (Key::Enter, Some(&mut typed)) => {
                term.newline();
                term.line(format_args!(
                    "error: line too long ({typed} characters; the limit is {LINE_CAPACITY}), discarded"
                ));
                self.fresh_prompt(term);
            }
            (Key::Interrupt, _) => return Some(self.interrupt(term)),
            _ => {}
        }
        None
    }

    /// Inserts a typed character, or starts swallowing if the line is full.
    fn insert_char(&mut self, byte: u8, term: &mut Term<'_>) {
        if self.line.len() == LINE_CAPACITY {
            self.overflow = Some(LINE_CAPACITY + 1);
            return;
        }
        self.insert(char::from(byte).encode_utf8(&mut [0; 4]), term);
    }

    /// Inserts printable ASCII at the cursor (the caller checks it fits).
    fn insert(&mut self, text: &str, term: &mut Term<'_>) {
        let (at, old_len) = (self.cursor, self.line.len());
        self.line.insert_str(at, text);
        self.cursor += text.len();
        self.repaint(at, at, old_len, term);
    }

    /// Removes `range` from the line and leaves the cursor at its start.
    fn delete(&mut self, range: Range<usize>, term: &mut Term<'_>) {
        if range.is_empty() {
            return;
        }
        let (old_cursor, old_len) = (self.cursor, self.line.len());
        self.line.replace_range(range.clone(), "");
        self.cursor = range.start;
        self.repaint(range.start, old_cursor, old_len, term);
    }

    /// Moves the cursor within the line.
    fn move_to(&mut self, to: usize, term: &mut Term<'_>) {
        term.shift(self.cursor, to);
        self.cursor = to;
    }

    /// Redraws the line from column `from` on, after an edit that left the
    /// screen correct before `from`, the screen cursor at `screen_cursor` and
    /// `old_len` characters showing.
    fn repaint(&self, from: usize, screen_cursor: usize, old_len: usize, term: &mut Term<'_>) {
        term.shift(screen_cursor, from);
        term.text(&self.line[from..]);
        if self.line.len() < old_len {
            term.clear_to_end();
        }
        term.shift(self.line.len(), self.cursor);
    }

    /// Prints the prompt and the line, leaving the cursor where it belongs.
    fn draw(&self, term: &mut Term<'_>) {
        term.text(self.prompt);
        term.text(&self.line);
        term.shift(self.line.len(), self.cursor);
    }

    /// Where the word before the cursor starts (spaces before it are part of it).
    fn word_start(&self) -> usize {
        let before = self.line[..self.cursor].trim_end_matches(' ');
        before.rfind(' ').map_or(0, |space| space + 1)
    }

    /// Replaces the line with an older or newer history entry.
    fn recall(&mut self, walk: Walk, term: &mut Term<'_>) {
        let entry = match walk {
            Walk::Older => self.history.older(&self.line),
            Walk::Newer => self.history.newer(),
        };
        let Some(entry) = entry else { return };
        // The line is now the entry, whole: nothing of it was left out.
        self.ignored = 0;
        let (old_cursor, old_len) = (self.cursor, self.line.len());
        self.line.clear();
        self.line.push_str(entry);
        self.cursor = self.line.len();
        self.repaint(0, old_cursor, old_len, term);
    }

    /// Tab: completes the word before the cursor, or on a second Tab in a
    /// row lists the choices and redraws.
    fn complete(&mut self, second_tab: bool, term: &mut Term<'_>, completer: &dyn Completer) {
        let start = self.line[..self.cursor]
            .rfind(' ')
            .map_or(0, |space| space + 1);
        match complete(
            completer,
            &self.line[..start],
            &self.line[start..self.cursor],
        ) {
            Completion::Extend(text) if self.line.len() + text.len() <= LINE_CAPACITY => {
                self.insert(&text, term);
            }
            Completion::Choices(words) if second_tab => {
                term.newline();
                term.text(&words.join("  "));
                term.newline();
                self.draw(term);
            }
            _ => {}
        }
    }

    /// Enter: finishes the line and hands it over, unless input was left
    /// out of it: then it is refused, and kept in the history, so that Up
    /// brings it back to look at (and Enter runs it as shown).
    fn enter(&mut self, term: &mut Term<'_>) -> Option<EditorEvent> {
        term.newline();
        let line = mem::take(&mut self.line);
        self.cursor = 0;
        self.history.push(&line);
        if self.ignored > 0 {
            let n = self.ignored;
            let (pieces, were) = if n == 1 {
                ("piece", "was")
            } else {
                ("pieces", "were")
            };
            term.line(format_args!(
                "error: line not run: {n} {pieces} of its input {were} ignored (above); Up brings it back as it stands"
            ));
            self.fresh_prompt(term);
            return None;
        }
        Some(EditorEvent::Line(line))
    }

    /// Ctrl-L: clears the screen and redraws.
    fn clear_screen(&self, term: &mut Term<'_>) -> EditorEvent {
        term.text(CLEAR_SCREEN);
        self.draw(term);
        EditorEvent::ClearScreen
    }

    /// Ctrl-C: abandons the line.
    fn interrupt(&mut self, term: &mut Term<'_>) -> EditorEvent {
        term.text("^C");
        term.newline();
        self.fresh_prompt(term);
        EditorEvent::Interrupt
    }

    /// Prints a one-line complaint about ignored input below the line, then
    /// redraws the line, which is kept (but not run: see `enter`).
    fn notice(&mut self, what: Unusable, term: &mut Term<'_>) {
        self.ignored += 1;
        term.newline();
        term.line(format_args!("error: ignored {what}"));
        self.draw(term);
    }

    /// Empties the line, ends any history walk and prints the prompt.
    fn fresh_prompt(&mut self, term: &mut Term<'_>) {
        self.line.clear();
        self.cursor = 0;
        self.overflow = None;
        self.ignored = 0;
        self.history.reset();
        term.text(self.prompt);
    }
}

/// Which way Up/Down walks the history.
enum Walk {
    Older,
    Newer,
}
