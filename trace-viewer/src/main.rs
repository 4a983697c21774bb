//! The `trace-viewer` command: parses the command line and runs the chosen
//! subcommand; everything else is in the library.

use clap::Parser;

fn main() -> anyhow::Result<()> {
    trace_viewer::cli::Cli::parse().run()
}
