//! `trace-viewer live <socket>`: the terminal UI on the kernel's stream,
//! connecting to QEMU's COM2 socket (and reconnecting) as it appears.

use std::fs::File;
use std::path::PathBuf;

use anyhow::Context;

use crate::input::feed;
use crate::ui::run::run;

/// Show the trace live from QEMU's COM2 socket.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The Unix socket QEMU serves COM2 on (e.g. target/trace.sock).
    pub socket: PathBuf,
    /// Also write every byte received to this file (for replay, stats, export).
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
}

impl Args {
    /// Runs the UI until the user quits.
    pub fn run(self) -> anyhow::Result<()> {
        let tee = match &self.record {
            Some(p) => Some(File::create(p).with_context(|| format!("creating {}", p.display()))?),
            None => None,
        };
        let feed = feed::live(self.socket.clone(), tee);
        run(&feed, format!("live {}", self.socket.display()))
    }
}
