//! `cargo xtask run`: build the kernel, then boot it in QEMU interactively,
//! the serial console (and QEMU's monitor) on this terminal.
//! Exits 0 after `poweroff` (QEMU status 33) or a normal QEMU exit.

use std::env;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

use anyhow::Result;
use clap::Args;
use xtask::qemu::{self, Accel, TraceChannel};
use xtask::{cmd, kernel, setup, workspace};

/// The gdb script `--gdb` points at, relative to the workspace root.
const GDB_SCRIPT: &str = "kernel/ringlab.gdb";

/// The machine QEMU emulates: `run` and `view` take the same options.
#[derive(Clone, Debug, Args)]
pub struct Machine {
    /// Number of cores.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=255))]
    pub smp: u32,
    /// Guest memory, in QEMU's `-m` syntax.
    #[arg(long, default_value = "512M", value_parser = qemu::parse_memory)]
    pub memory: String,
    /// Accelerator: tcg (emulation) or kvm (adds `-cpu host`).
    #[arg(long, value_enum, default_value_t = Accel::Tcg)]
    pub accel: Accel,
}

/// Build the kernel and boot it in QEMU, the serial console on this terminal.
#[derive(Debug, Args)]
pub struct Run {
    /// Cores, memory, accelerator.
    #[command(flatten)]
    pub machine: Machine,
    /// No display window (`-display none`); the serial console stays here.
    #[arg(long)]
    pub nographic: bool,
    /// Wait for gdb on :1234 before the first instruction (`-s -S`).
    #[arg(long)]
    pub gdb: bool,
    /// Put the kernel's trace stream on the Unix socket target/trace.sock
    /// for `trace-viewer live` (then type `trace on`).
    #[arg(long, conflicts_with = "trace_file")]
    pub trace: bool,
    /// Record the kernel's trace stream to FILE instead.
    #[arg(long, value_name = "FILE")]
    pub trace_file: Option<PathBuf>,
    /// The device that carries the trace: a virtio console (fast) or COM2.
    #[arg(long, value_enum, default_value_t = TraceChannel::Virtio)]
    pub trace_channel: TraceChannel,
    /// Extra arguments passed to QEMU as they are, after `--`.
    #[arg(last = true)]
    pub qemu_args: Vec<String>,
}

impl Run {
    /// Builds, prints how to quit (and attach gdb), runs QEMU.
    pub fn run(self) -> Result<ExitCode> {
        setup::ensure()?;
        let mut qemu = self.qemu_command("mon:stdio")?;
        qemu.args(display_args(self.nographic));
        self.print_hints();
        let status = cmd::status(&mut qemu)?;
        let code = qemu::exit_code(status);
        Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
    }

    /// Builds the kernel and its QEMU command: the serial console on
    /// `serial` (a QEMU `-serial` value), gdb, the trace stream and the
    /// extra arguments as asked; the display is the caller's to add.
    pub fn qemu_command(&self, serial: &str) -> Result<Command> {
        let elf = kernel::build(kernel::Profile::Release)?;
        let m = &self.machine;
        let mut qemu = qemu::command(&elf, m.smp, &m.memory, m.accel, true);
        qemu.args(["-serial", serial]);
        if self.gdb {
            qemu.args(["-s", "-S"]);
        }
        qemu.args(self.trace_args());
        qemu.args(&self.qemu_args);
        Ok(qemu)
    }

    /// The QEMU arguments that give the trace stream a device and a
    /// destination.
    fn trace_args(&self) -> Vec<String> {
        let chardev = if self.trace {
            let socket = trace_socket();
            let _ = std::fs::remove_file(&socket); // a stale socket from an earlier run
            format!("socket,path={},server=on,wait=off", socket.display())
        } else if let Some(file) = &self.trace_file {
            format!("file,path={}", file.display())
        } else {
            return Vec::new();
        };
        qemu::trace_args(&chardev, self.trace_channel)
    }

    /// Tells how to quit and, with `--gdb`, how to attach.
    fn print_hints(&self) {
        eprintln!("Quit with Ctrl-A X (Ctrl-A H lists the other keys), or type `poweroff`.");
        if self.trace {
            eprintln!(
                "The trace stream is on {}. In a second terminal run:",
                trace_socket().display()
            );
            eprintln!(
                "    cargo run --release -p trace-viewer -- live {}",
                trace_socket().display()
            );
            eprintln!("then type `trace on` at the ringlab prompt.");
        }
        if let Some(file) = &self.trace_file {
            eprintln!(
                "The trace stream goes to {}; type `trace on` at the prompt,",
                file.display()
            );
            eprintln!(
                "then read it with: cargo run --release -p trace-viewer -- stats {}",
                file.display()
            );
        }
        if self.gdb {
            let root = workspace::root().display();
            eprintln!("QEMU waits for gdb on :1234. In a second terminal run:");
            eprintln!("    cd {root} && gdb -x {GDB_SCRIPT}");
            if !workspace::root().join(GDB_SCRIPT).is_file() {
                eprintln!("warning: {GDB_SCRIPT} does not exist yet");
            }
        }
    }
}

/// The `-display` arguments: none with `--nographic` or without a graphical
/// session, gtk if this QEMU has it, else QEMU's default display.
fn display_args(nographic: bool) -> Vec<&'static str> {
    let session = ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|var| env::var_os(var).is_some_and(|v| !v.is_empty()));
    if !nographic && !session {
        eprintln!("note: no graphical session ($DISPLAY is unset): running as with --nographic");
    }
    let backends = if nographic || !session {
        String::new()
    } else {
        display_backends()
    };
    choose_display(nographic || !session, &backends)
}

/// The display backends `qemu-system-x86_64 -display help` lists.
fn display_backends() -> String {
    cmd::stdout(Command::new(qemu::PROGRAM).args(["-display", "help"])).unwrap_or_default()
}

/// The `-display` arguments for a run with or without a window, given the
/// output of `-display help`.
fn choose_display(no_window: bool, backends: &str) -> Vec<&'static str> {
    if no_window {
        vec!["-display", "none"]
    } else if backends.lines().any(|line| line.trim() == "gtk") {
        vec!["-display", "gtk"]
    } else {
        Vec::new()
    }
}

/// Where `--trace` puts the trace stream's socket.
pub fn trace_socket() -> PathBuf {
    workspace::root().join("target").join("trace.sock")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_none_gtk_or_default() {
        let listed = "Available display backend types:\nnone\ngtk\nsdl\n";
        assert_eq!(choose_display(true, listed), ["-display", "none"]);
        assert_eq!(choose_display(false, listed), ["-display", "gtk"]);
        assert!(choose_display(false, "Available display backend types:\nnone\nsdl\n").is_empty());
    }
}
