//! `trace-viewer stats FILE`: prints counts per callsite, core and queue,
//! drops, damaged stretches and the time span of a recorded trace.

use std::io::Write;
use std::path::PathBuf;

use crate::stats::Stats;

/// Print statistics of a recorded trace.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The recorded trace.
    pub file: PathBuf,
}

impl Args {
    /// Prints the statistics to stdout.
    pub fn run(self) -> anyhow::Result<()> {
        let (items, len) = super::load(&self.file)?;
        let text = Stats::from_items(&items, len).to_string();
        match std::io::stdout().lock().write_all(text.as_bytes()) {
            // A reader that stopped early (`| head`) wanted no more.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            written => Ok(written?),
        }
    }
}
