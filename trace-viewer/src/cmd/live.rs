//! `trace-viewer live <socket> [-- COMMAND]`: the terminal UI on the
//! kernel's stream, connecting to QEMU's trace socket (and reconnecting) as
//! it appears; with a COMMAND (QEMU, its serial console on stdio), that
//! command runs in a console pane of the viewer.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;

use crate::console::Console;
use crate::input::feed;
use crate::ui::App;
use crate::ui::run::{run, run_app};

/// Show the trace live from QEMU's trace socket.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The Unix socket QEMU serves the trace stream on (e.g. target/trace.sock).
    pub socket: PathBuf,
    /// Also write every byte received to this file (for replay, stats, export).
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// A command to run in a console pane, after `--`: QEMU with its serial
    /// console on stdio (`cargo xtask view` starts it this way).
    #[arg(last = true, value_name = "COMMAND")]
    pub console: Vec<String>,
}

impl Args {
    /// Runs the UI until the user quits.
    pub fn run(self) -> anyhow::Result<()> {
        let Some((program, args)) = self.console.split_first() else {
            let feed = feed::live(self.socket.clone(), tee(self.record.as_deref())?);
            return run(&feed, format!("live {}", self.socket.display()));
        };
        let mut command = Command::new(program);
        command.args(args);
        run_with_console(self.socket, self.record.as_deref(), command)
    }
}

/// Starts `command` in a console pane and runs the UI on the trace stream
/// at `socket` until the user quits; the command ends with the viewer.
pub fn run_with_console(
    socket: PathBuf,
    record: Option<&Path>,
    command: Command,
) -> anyhow::Result<()> {
    let shown = format!("{:?}", command.get_program());
    let console = Console::spawn(command).with_context(|| format!("starting {shown}"))?;
    let source = format!("live {}", socket.display());
    let feed = feed::live(socket, tee(record)?);
    run_app(&feed, App::with_console(source, console))
}

/// The file `--record` writes to, created now.
fn tee(record: Option<&Path>) -> anyhow::Result<Option<File>> {
    record
        .map(|p| File::create(p).with_context(|| format!("creating {}", p.display())))
        .transpose()
}
