//! One lab's machine as the grader drives it: boot the kernel under test,
//! type commands with a timeout, stop a hung command with Ctrl-C, keep what
//! each check typed and read, and read the recorded trace stream. A host
//! lab's session runs programs as threads instead (grade/host.rs).

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::harness::{Config, Failure, Machine, PROMPT};
use crate::qemu::{self, Accel};

use super::lab::{MachineSpec, Miss};
use super::trace::Trace;

/// How long a command may take before the grader presses Ctrl-C. Commands
/// take milliseconds on a correct kernel; this allows a very busy machine.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// The timeout once a command has hung: a kernel that lost one message
/// usually loses the next too, and the grade should not take minutes.
pub const AFTER_A_HANG: Duration = Duration::from_secs(2);

/// How long the first prompt may take.
const BOOT_TIMEOUT: Duration = Duration::from_secs(30);

/// Lines of a command's output a failure shows at most.
pub const SHOWN_LINES: usize = 12;

/// A command typed during a check, and what it printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    /// The command line.
    pub command: String,
    /// Its output (without the echo and the prompt), or what it printed
    /// before it hung.
    pub output: String,
}

/// A booted machine (or the reason there is none) and the current check's
/// transcript.
pub struct Session {
    /// QEMU; `None` after a crash or an exit.
    machine: Option<Machine>,
    /// Why the machine cannot take commands any more.
    dead: Option<String>,
    /// Where COM2 is recorded, for labs that trace.
    trace_file: Option<PathBuf>,
    /// The current check's commands.
    transcript: Vec<Exchange>,
    /// How long the next command may take.
    timeout: Duration,
    /// A host lab's program runner (`programs-threads`); `None` under QEMU.
    runner: Option<PathBuf>,
}

impl Session {
    /// Boots `elf` on the machine `spec` describes, COM2 recorded to
    /// `trace_file` when given, and waits for the prompt. A boot that fails
    /// gives a session whose every command fails with the reason.
    pub fn boot(elf: &Path, spec: MachineSpec, trace_file: Option<PathBuf>) -> Self {
        let mut qemu = qemu::command(elf, spec.smp, "512M", Accel::Tcg, true);
        qemu.args(["-serial", "stdio", "-display", "none"]);
        if let Some(file) = &trace_file {
            let _ = std::fs::remove_file(file);
            let chardev = format!("file,path={}", file.display());
            qemu.args(qemu::trace_args(&chardev, qemu::TraceChannel::Virtio));
        }
        let config = Config {
            boot_timeout: BOOT_TIMEOUT,
            ..Config::smp(spec.smp)
        };
        let mut machine = Machine::spawn_command(qemu, config);
        let mut session = Self {
            machine: None,
            dead: None,
            trace_file,
            transcript: Vec::new(),
            timeout: COMMAND_TIMEOUT,
            runner: None,
        };
        match machine.expect(PROMPT, BOOT_TIMEOUT) {
            Ok(_) => session.machine = Some(machine),
            Err(err) => {
                let tail = last_lines(&err.log, SHOWN_LINES);
                session.dead = Some(format!("the kernel did not boot: {}", err.failure));
                session.transcript.push(Exchange {
                    command: "(boot)".into(),
                    output: tail.join("\n"),
                });
            }
        }
        session
    }

    /// A host lab's session: no machine, programs run by `runner`.
    pub fn host(runner: &Path) -> Self {
        Self {
            machine: None,
            dead: Some("a host lab has no kernel to type commands to".into()),
            trace_file: None,
            transcript: Vec::new(),
            timeout: COMMAND_TIMEOUT,
            runner: Some(runner.to_path_buf()),
        }
    }

    /// Runs the program command line `command` (`NAME ARGS`) on `ranks`
    /// host threads and returns its `[rank] line` output, whether the
    /// program succeeded or not. One that does not finish in time fails.
    pub fn threads(&mut self, ranks: usize, command: &str) -> Result<String, Miss> {
        let runner = self
            .runner
            .clone()
            .ok_or_else(|| Miss::new("this lab runs no host programs"))?;
        let shown = format!("{command}  (on {ranks} ranks)");
        match super::host::run_threads(&runner, ranks, command, self.timeout) {
            Ok(output) => {
                self.record(&shown, &output);
                Ok(output)
            }
            Err((why, output)) => {
                self.timeout = AFTER_A_HANG;
                self.record(&shown, &output);
                Err(Miss::new(why))
            }
        }
    }

    /// Types `command`, waits for the prompt and returns what the command
    /// printed. A command that does not finish in time is stopped with
    /// Ctrl-C and fails; so does every command once the kernel crashed.
    pub fn run(&mut self, command: &str) -> Result<String, Miss> {
        if let Some(why) = &self.dead {
            return Err(Miss::new(format!("`{command}` was not run: {why}")));
        }
        let timeout = self.timeout;
        let machine = self.machine.as_mut().expect("a live session has a machine");
        machine.send(&format!("{command}\r"));
        match machine.expect(PROMPT, timeout) {
            Ok(text) => {
                let output = strip_echo(&text, command);
                self.record(command, &output);
                Ok(output)
            }
            Err(err) if matches!(err.failure, Failure::Timeout { .. }) => {
                self.timeout = AFTER_A_HANG;
                let partial = self.interrupt();
                self.record(command, &partial);
                Err(Miss::new(format!(
                    "`{command}` did not finish within {timeout:?}; Ctrl-C stopped it"
                )))
            }
            Err(err) => {
                let why = err.failure.to_string();
                self.record(command, &last_lines(&err.log, SHOWN_LINES).join("\n"));
                self.abandon(&why);
                Err(Miss::new(format!("`{command}` failed: {why}")))
            }
        }
    }

    /// Presses Ctrl-C (twice if need be) after a command hung, and returns
    /// everything printed since the command was typed.
    fn interrupt(&mut self) -> String {
        let machine = self.machine.as_mut().expect("a live session has a machine");
        let mut seen = String::new();
        for wait in [Duration::from_secs(3), Duration::from_secs(5)] {
            machine.send("\x03");
            match machine.expect(PROMPT, wait) {
                Ok(text) => {
                    seen.push_str(&text);
                    return seen.trim_end_matches(PROMPT).to_string();
                }
                Err(err) if matches!(err.failure, Failure::Timeout { .. }) => {}
                Err(err) => {
                    self.abandon(&err.failure.to_string());
                    return last_lines(&err.log, SHOWN_LINES).join("\n");
                }
            }
        }
        self.abandon("the shell did not come back after Ctrl-C");
        seen
    }

    /// Stops QEMU: every later command fails with `why`.
    pub fn abandon(&mut self, why: &str) {
        self.dead = Some(why.into());
        self.machine = None;
    }

    /// Appends a command and its output to the transcript.
    fn record(&mut self, command: &str, output: &str) {
        self.transcript.push(Exchange {
            command: command.into(),
            output: output.into(),
        });
    }

    /// The current check's commands, leaving the transcript empty for the
    /// next check.
    pub fn take_transcript(&mut self) -> Vec<Exchange> {
        std::mem::take(&mut self.transcript)
    }

    /// Decodes what COM2 recorded so far (after `trace off`, everything the
    /// kernel traced).
    pub fn trace(&self) -> Result<Trace, Miss> {
        let file = self
            .trace_file
            .as_ref()
            .ok_or_else(|| Miss::new("this lab's machine records no trace"))?;
        Trace::read(file)
    }

    /// Runs `trace on <filter>` (everything when `filter` is empty), then
    /// `command`, then `trace off`, and returns `command`'s output with the
    /// decoded trace.
    pub fn traced(&mut self, filter: &str, command: &str) -> Result<(String, Trace), Miss> {
        let on = self.run(format!("trace on {filter}").trim_end())?;
        if !on.starts_with("trace on") {
            return Err(Miss::new("`trace on` failed").with_lines(on.lines()));
        }
        let output = self.run(command)?;
        self.run("trace off")?;
        Ok((output, self.trace()?))
    }
}

/// `text` (an echoed command, its output and the prompt) without the echo
/// line and the prompt, with `\n` line ends.
fn strip_echo(text: &str, command: &str) -> String {
    let text = text.strip_suffix(PROMPT).unwrap_or(text).replace('\r', "");
    let after_echo = text
        .find(command)
        .and_then(|at| text[at..].find('\n').map(|eol| at + eol + 1));
    match after_echo {
        Some(start) => text[start..].to_string(),
        None => text,
    }
}

/// The last `n` lines of `text`.
pub fn last_lines(text: &str, n: usize) -> Vec<String> {
    let lines: Vec<&str> = text.trim_end().lines().collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|line| line.to_string())
        .collect()
}

/// At most [`SHOWN_LINES`] lines of `output`, with a note of what was cut.
pub fn shown(output: &str) -> Vec<String> {
    let lines: Vec<&str> = output.trim_end().lines().collect();
    let mut shown: Vec<String> = lines
        .iter()
        .take(SHOWN_LINES)
        .map(|l| l.to_string())
        .collect();
    if lines.len() > SHOWN_LINES {
        shown.push(format!("... ({} more lines)", lines.len() - SHOWN_LINES));
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_echo_and_the_prompt_are_stripped() {
        let text = "[late line]\nvq dump 0 1\nvq 0->1 size=4\n  row\nringlab> ";
        assert_eq!(strip_echo(text, "vq dump 0 1"), "vq 0->1 size=4\n  row\n");
        assert_eq!(strip_echo("hello\nringlab> ", "hello"), "");
        assert_eq!(strip_echo("odd\nringlab> ", "nothing"), "odd\n");
    }

    #[test]
    fn long_output_is_cut_with_a_note() {
        let text: String = (0..20).map(|i| format!("line {i}\n")).collect();
        let lines = shown(&text);
        assert_eq!(lines.len(), SHOWN_LINES + 1);
        assert_eq!(lines.last().unwrap(), "... (8 more lines)");
        assert_eq!(last_lines(&text, 2), ["line 18", "line 19"]);
    }
}
