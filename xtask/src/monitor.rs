//! QEMU's human monitor (HMP) on a Unix socket, for tests: run a command and
//! read its output, and turn text into `sendkey` key names so a test types
//! on the emulated PS/2 keyboard. Used through [`crate::harness::Machine`].

use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use crate::console::Cleaner;

/// What the monitor prints when it is ready for the next command.
const PROMPT: &str = "(qemu) ";

/// A connection to QEMU's monitor (`-monitor unix:PATH,server=on,wait=off`).
pub struct Monitor {
    stream: UnixStream,
}

impl Monitor {
    /// Connects to the socket at `path`, waiting up to `timeout` for QEMU to
    /// create it, and reads the greeting up to the first prompt.
    pub fn connect(path: &Path, timeout: Duration) -> io::Result<Self> {
        let deadline = Instant::now() + timeout;
        let stream = loop {
            match UnixStream::connect(path) {
                Ok(stream) => break stream,
                Err(_) if Instant::now() < deadline => thread::sleep(Duration::from_millis(20)),
                Err(err) => return Err(err),
            }
        };
        let mut monitor = Self { stream };
        monitor.read_to_prompt(deadline)?;
        Ok(monitor)
    }

    /// Runs `command` and returns what it printed, without the echo of the
    /// command line, escape sequences or `\r`.
    pub fn command(&mut self, command: &str, timeout: Duration) -> io::Result<String> {
        self.stream.write_all(format!("{command}\n").as_bytes())?;
        let raw = self.read_to_prompt(Instant::now() + timeout)?;
        Ok(command_output(&raw))
    }

    /// Reads until the output ends with the prompt; returns it all.
    fn read_to_prompt(&mut self, deadline: Instant) -> io::Result<Vec<u8>> {
        let mut raw = Vec::new();
        let mut buf = [0; 4096];
        while !raw.ends_with(PROMPT.as_bytes()) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                let seen = String::from_utf8_lossy(&raw);
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("no monitor prompt; got {seen:?}"),
                ));
            }
            self.stream.set_read_timeout(Some(left))?;
            match self.stream.read(&mut buf) {
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => raw.extend_from_slice(&buf[..n]),
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(err),
            }
        }
        Ok(raw)
    }
}

/// The output in a monitor reply: after the echoed command line (which the
/// monitor redraws with escape sequences while "typing" it), before the prompt.
fn command_output(raw: &[u8]) -> String {
    let body = &raw[..raw.len() - PROMPT.len()];
    let after_echo = body
        .iter()
        .position(|&b| b == b'\n')
        .map_or(&[][..], |at| &body[at + 1..]);
    let mut text = Vec::new();
    Cleaner::default().feed(after_echo, &mut text);
    String::from_utf8_lossy(&text).into_owned()
}

/// A fresh path for a monitor socket in the temporary directory.
pub fn socket_path() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("ringlab-monitor-{}-{n}.sock", std::process::id()))
}

/// The `sendkey` name of each character of `text` (US layout), e.g. `a`,
/// `shift-a`, `spc`, `minus`, `ret` for `\n` or `\r`. `Err` names the first
/// character that has no key.
pub fn key_names(text: &str) -> Result<Vec<String>, char> {
    text.chars().map(|ch| key_name(ch).ok_or(ch)).collect()
}

fn key_name(ch: char) -> Option<String> {
    const SHIFTED: &str = "~!@#$%^&*()_+{}|:\"<>?";
    const UNSHIFTED: &str = "`1234567890-=[]\\;',./";
    if ch.is_ascii_lowercase() || ch.is_ascii_digit() {
        return Some(ch.to_string());
    }
    if ch.is_ascii_uppercase() {
        return Some(format!("shift-{}", ch.to_ascii_lowercase()));
    }
    if let Some(at) = SHIFTED.find(ch) {
        let base = UNSHIFTED[at..].chars().next()?;
        return Some(format!("shift-{}", key_name(base)?));
    }
    let name = match ch {
        ' ' => "spc",
        '\n' | '\r' => "ret",
        '\t' => "tab",
        '\x08' | '\x7f' => "backspace",
        '`' => "grave_accent",
        '-' => "minus",
        '=' => "equal",
        '[' => "bracket_left",
        ']' => "bracket_right",
        '\\' => "backslash",
        ';' => "semicolon",
        '\'' => "apostrophe",
        ',' => "comma",
        '.' => "dot",
        '/' => "slash",
        _ => return None,
    };
    Some(name.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_map_to_sendkey_names() {
        assert_eq!(
            key_names("reduce 64 sum\n").unwrap().join(" "),
            "r e d u c e spc 6 4 spc s u m ret"
        );
        assert_eq!(
            key_names("A_b,-!?").unwrap(),
            [
                "shift-a",
                "shift-minus",
                "b",
                "comma",
                "minus",
                "shift-1",
                "shift-slash"
            ]
        );
        assert_eq!(key_names("caf\u{e9}"), Err('\u{e9}'));
    }

    #[test]
    fn a_command_round_trip_through_a_fake_monitor() {
        use std::io::{BufRead, BufReader};
        use std::os::unix::net::UnixListener;
        let path = socket_path();
        let listener = UnixListener::bind(&path).unwrap();
        let server = thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            stream.write_all(b"QEMU 7.2 monitor\r\n(qemu) ").unwrap();
            let mut line = String::new();
            BufReader::new(stream.try_clone().unwrap())
                .read_line(&mut line)
                .unwrap();
            let reply = format!("{}\r\n7.2.22\r\n(qemu) ", line.trim_end());
            stream.write_all(reply.as_bytes()).unwrap();
        });
        let timeout = Duration::from_secs(5);
        let mut monitor = Monitor::connect(&path, timeout).unwrap();
        assert_eq!(
            monitor.command("info version", timeout).unwrap(),
            "7.2.22\n"
        );
        server.join().unwrap();
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn the_echo_and_prompt_are_not_output() {
        let raw = b"i\x1b[K\x1b[Din\x1b[K\x1b[D\x1b[Dinfo\r\nVNC server active\r\n(qemu) ";
        assert_eq!(command_output(raw), "VNC server active\n");
        assert_eq!(command_output(b"sendkey a\r\n(qemu) "), "");
    }
}
