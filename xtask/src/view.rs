//! `cargo xtask view`: boots ringlab in QEMU and opens trace-viewer on its
//! trace stream, with the serial console in a pane of the viewer, so one
//! terminal holds the shell, the rings and the timeline. The QEMU command
//! is `cargo xtask run --trace`'s, with the console on stdio pipes.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use xtask::qemu::TraceChannel;
use xtask::{cmd, setup};

use crate::run::{Machine, Run, trace_socket};

/// Boot QEMU and open trace-viewer with the serial console in a pane.
#[derive(Debug, Args)]
pub struct View {
    /// Cores, memory, accelerator.
    #[command(flatten)]
    pub machine: Machine,
    /// The device that carries the trace: a virtio console (fast) or COM2.
    #[arg(long, value_enum, default_value_t = TraceChannel::Virtio)]
    pub trace_channel: TraceChannel,
    /// Also write the trace stream to FILE (for replay, stats, export).
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Extra arguments passed to QEMU as they are, after `--`.
    #[arg(last = true)]
    pub qemu_args: Vec<String>,
}

impl View {
    /// Builds, starts QEMU in the viewer's console pane, runs the viewer
    /// until the user quits (which ends QEMU too).
    pub fn run(self) -> Result<ExitCode> {
        setup::ensure()?;
        let machine = Run {
            machine: self.machine,
            nographic: true,
            gdb: false,
            trace: true,
            trace_file: None,
            trace_channel: self.trace_channel,
            qemu_args: self.qemu_args,
        };
        let mut qemu = machine.qemu_command("stdio")?;
        qemu.args(["-display", "none"]);
        eprintln!("{}", cmd::render(&qemu));
        trace_viewer::cmd::live::run_with_console(trace_socket(), self.record.as_deref(), qemu)?;
        Ok(ExitCode::SUCCESS)
    }
}
