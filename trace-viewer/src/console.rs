//! The console pane's plumbing: a child process (QEMU with the serial
//! console on its stdio) whose output goes through ringlab's own terminal
//! (crate `vt`, the one the framebuffer console uses) and whose input is
//! the keys typed in the pane. Drawing is in ui/console.rs.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use vt::{Cell, Rgb, Surface, Terminal};

/// Output bytes kept to draw the pane again at another size.
const HISTORY: usize = 256 * 1024;

/// What the reader threads send.
enum Output {
    /// Bytes the child wrote.
    Bytes(Vec<u8>),
    /// One of its outputs ended.
    Closed,
}

/// A child process shown in a pane.
pub struct Console {
    /// The screen its output draws.
    term: Terminal,
    /// Its most recent output, to redraw after a resize.
    history: VecDeque<u8>,
    /// Output from the reader threads.
    rx: Receiver<Output>,
    /// Its input.
    stdin: Option<ChildStdin>,
    /// The process, until it has been reaped.
    child: Option<Child>,
    /// Outputs still open (stdout, stderr).
    open: u8,
    /// How it ended, once it has.
    ended: Option<String>,
}

impl std::fmt::Debug for Console {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Console")
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

impl Console {
    /// Starts `command` with its stdin, stdout and stderr on pipes.
    pub fn spawn(mut command: Command) -> io::Result<Self> {
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn()?;
        let (tx, rx) = channel();
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        spawn_reader(stdout, tx.clone());
        spawn_reader(stderr, tx);
        Ok(Self {
            term: Terminal::new(24, 80),
            history: VecDeque::new(),
            rx,
            stdin: child.stdin.take(),
            child: Some(child),
            open: 2,
            ended: None,
        })
    }

    /// Takes in what the child wrote since the last call; returns whether
    /// anything changed.
    pub fn poll(&mut self) -> bool {
        let mut changed = false;
        loop {
            match self.rx.try_recv() {
                Ok(Output::Bytes(b)) => {
                    self.write(&b);
                    changed = true;
                }
                Ok(Output::Closed) => self.open = self.open.saturating_sub(1),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        if self.open == 0 && self.ended.is_none() {
            self.reap();
            changed = true;
        }
        changed
    }

    /// Sends the bytes `key` stands for to the child.
    pub fn type_key(&mut self, key: KeyEvent) {
        if let Some(bytes) = key_bytes(key) {
            self.type_bytes(&bytes);
        }
    }

    /// Sends `bytes` to the child as typed input.
    pub fn type_bytes(&mut self, bytes: &[u8]) {
        let Some(stdin) = self.stdin.as_mut() else {
            return;
        };
        if stdin.write_all(bytes).and_then(|()| stdin.flush()).is_err() {
            self.stdin = None; // the child closed its input; `ended` will say why
        }
    }

    /// Makes the screen `rows` × `cols`, drawing the kept output again.
    pub fn resize(&mut self, rows: u16, cols: u16) {
        let (rows, cols) = (usize::from(rows.max(1)), usize::from(cols.max(1)));
        if (rows, cols) == (self.term.rows(), self.term.cols()) {
            return;
        }
        self.term = Terminal::new(rows, cols);
        let (a, b) = self.history.as_slices();
        self.term.write(a, &mut NoSurface);
        self.term.write(b, &mut NoSurface);
    }

    /// The screen.
    pub fn screen(&self) -> &Terminal {
        &self.term
    }

    /// Screen row `row` as text, trailing blanks removed.
    pub fn row(&self, row: usize) -> String {
        self.term
            .row_text(row)
            .collect::<String>()
            .trim_end()
            .to_string()
    }

    /// How the child ended, once it has (its exit status in words).
    pub fn ended(&self) -> Option<&str> {
        self.ended.as_deref()
    }

    /// Feeds output to the screen and the history.
    fn write(&mut self, bytes: &[u8]) {
        self.term.write(bytes, &mut NoSurface);
        self.history.extend(bytes);
        let extra = self.history.len().saturating_sub(HISTORY);
        self.history.drain(..extra);
    }

    /// Waits for the child that closed its outputs, noting its status.
    fn reap(&mut self) {
        let status = self.child.take().map(|mut c| c.wait());
        self.ended = Some(match status {
            Some(Ok(s)) => format!("exited ({s})"),
            Some(Err(e)) => format!("lost ({e})"),
            None => "exited".to_string(),
        });
        self.stdin = None;
    }
}

impl Drop for Console {
    /// Ends the child with the pane: QEMU must not outlive the viewer.
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Reads `src` on a thread until it ends, sending what it reads.
fn spawn_reader(mut src: impl Read + Send + 'static, tx: Sender<Output>) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        loop {
            match src.read(&mut buf) {
                Ok(0) => break,
                Ok(n) if tx.send(Output::Bytes(buf[..n].to_vec())).is_ok() => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                _ => break,
            }
        }
        let _ = tx.send(Output::Closed);
    });
}

/// The bytes a serial terminal sends for `key`, as the shell's line editor
/// reads them (docs/console.md): characters as UTF-8, Ctrl-letter as its
/// control code, Enter as CR, Backspace as DEL, arrows and the editing keys
/// as xterm escape sequences.
pub fn key_bytes(key: KeyEvent) -> Option<Vec<u8>> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let seq: &[u8] = match key.code {
        KeyCode::Char(c) if ctrl && c.is_ascii_alphabetic() => {
            return Some(vec![c.to_ascii_lowercase() as u8 & 0x1f]);
        }
        KeyCode::Char(c) => return Some(c.to_string().into_bytes()),
        KeyCode::Enter => b"\r",
        KeyCode::Backspace => b"\x7f",
        KeyCode::Tab => b"\t",
        KeyCode::Esc => b"\x1b",
        KeyCode::Up => b"\x1b[A",
        KeyCode::Down => b"\x1b[B",
        KeyCode::Right => b"\x1b[C",
        KeyCode::Left => b"\x1b[D",
        KeyCode::Home => b"\x1b[H",
        KeyCode::End => b"\x1b[F",
        KeyCode::Delete => b"\x1b[3~",
        KeyCode::PageUp => b"\x1b[5~",
        KeyCode::PageDown => b"\x1b[6~",
        _ => return None,
    };
    Some(seq.to_vec())
}

/// A terminal surface that draws nothing: the pane reads the terminal's
/// cells when it draws.
struct NoSurface;

impl Surface for NoSurface {
    fn draw(&mut self, _: usize, _: usize, _: Cell, _: bool) {}
    fn clear(&mut self, _: usize, _: std::ops::Range<usize>, _: Rgb) {}
    fn scroll_up(&mut self, _: usize) {}
}
