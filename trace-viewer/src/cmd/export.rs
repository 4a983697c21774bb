//! `trace-viewer export`: a recorded trace as a Perfetto protobuf or Chrome
//! JSON file, with a summary (and every skipped stretch) on stderr.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use crate::export::{self, Format, Mark, Timeline};

/// Output format of `export`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// Native Perfetto protobuf (TrackEvent); open at ui.perfetto.dev.
    Perfetto,
    /// Chrome Trace Event JSON; open in chrome://tracing or ui.perfetto.dev.
    ChromeJson,
}

/// Export a recorded trace for Perfetto or chrome://tracing.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum)]
    pub format: FormatArg,
    /// Where to write the result.
    #[arg(long, short)]
    pub output: PathBuf,
    /// The recorded trace.
    pub input: PathBuf,
}

impl Args {
    /// Writes the export and reports what it contains.
    pub fn run(self) -> anyhow::Result<()> {
        if super::same_file(&self.input, &self.output) {
            anyhow::bail!(
                "{} is the trace being exported: writing the export there would destroy it; choose another -o",
                self.output.display()
            );
        }
        let (items, _) = super::load(&self.input)?;
        let timeline = Timeline::build(&items);
        let format = match self.format {
            FormatArg::Perfetto => Format::Perfetto,
            FormatArg::ChromeJson => Format::ChromeJson,
        };
        let bytes = export::render(&timeline, format);
        std::fs::write(&self.output, bytes)
            .with_context(|| format!("writing {}", self.output.display()))?;
        let mut err = std::io::stderr().lock();
        super::report_damage(&items, &mut err)?;
        writeln!(
            err,
            "wrote {}: {}",
            self.output.display(),
            summary(&timeline)
        )?;
        Ok(())
    }
}

/// One line saying what the export holds and what it could not match.
pub fn summary(t: &Timeline) -> String {
    let slices = t
        .entries
        .iter()
        .filter(|e| matches!(e.mark, Mark::Begin { .. }))
        .count();
    let n = &t.notes;
    format!(
        "{} core tracks, {} queue counters, {} slices, {} message flows; \
         {} sends and {} receives unmatched, {} spans closed at the end, {} records dropped by the kernel, \
         {} damaged stretches ({} bytes)",
        t.cores.len(),
        t.queues.len(),
        slices,
        t.flows.len(),
        n.unmatched_sends,
        n.unmatched_recvs,
        n.closed_at_end,
        n.dropped,
        n.damaged.0,
        n.damaged.1
    )
}
