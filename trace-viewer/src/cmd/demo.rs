//! `trace-viewer demo-stream -o FILE` (hidden): writes a synthetic trace of
//! reduces, ping-pongs and a stalling burst, to try the UI without a kernel.

use std::path::PathBuf;

use anyhow::Context;

use crate::synth;

/// Write a synthetic trace (no kernel needed).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file to write.
    #[arg(long, short)]
    pub output: PathBuf,
    /// Seconds of trace time.
    #[arg(long, default_value_t = 10)]
    pub seconds: u32,
    /// Cores of the simulated machine (2 to 32).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(2..=32))]
    pub cores: u16,
}

impl Args {
    /// Generates and writes the stream.
    pub fn run(self) -> anyhow::Result<()> {
        let bytes = synth::encode(&synth::demo_trace(self.cores, self.seconds))?;
        std::fs::write(&self.output, &bytes)
            .with_context(|| format!("writing {}", self.output.display()))?;
        eprintln!(
            "wrote {} ({} bytes); try: trace-viewer replay {}",
            self.output.display(),
            bytes.len(),
            self.output.display()
        );
        Ok(())
    }
}
