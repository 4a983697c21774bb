//! `trace-viewer stats FILE`: prints counts per callsite, core and queue,
//! drops, damaged stretches and the time span of a recorded trace.

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
        print!("{}", Stats::from_items(&items, len));
        Ok(())
    }
}
