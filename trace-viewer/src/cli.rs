//! The command line: one clap subcommand per file in cmd/.

use clap::{Parser, Subcommand};

use crate::cmd;

/// Reads ringlab's trace stream (COM2): live terminal UI, record, replay,
/// statistics and export to Perfetto / Chrome JSON.
#[derive(Debug, Parser)]
#[command(name = "trace-viewer", version)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the trace live from QEMU's COM2 socket.
    Live(cmd::live::Args),
    /// Record the raw stream from QEMU's COM2 socket to a file.
    Record(cmd::record::Args),
    /// Show a recorded trace in the live UI.
    Replay(cmd::replay::Args),
    /// Print statistics of a recorded trace.
    Stats(cmd::stats::Args),
    /// Export a recorded trace for Perfetto or chrome://tracing.
    Export(cmd::export::Args),
    /// Write a synthetic trace (no kernel needed).
    #[command(hide = true)]
    DemoStream(cmd::demo::Args),
}

impl Cli {
    /// Runs the chosen subcommand.
    pub fn run(self) -> anyhow::Result<()> {
        match self.command {
            Command::Live(a) => a.run(),
            Command::Record(a) => a.run(),
            Command::Replay(a) => a.run(),
            Command::Stats(a) => a.run(),
            Command::Export(a) => a.run(),
            Command::DemoStream(a) => a.run(),
        }
    }
}
