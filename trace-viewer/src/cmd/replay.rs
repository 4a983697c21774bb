//! `trace-viewer replay FILE [--speed X]`: the live UI, fed from a recorded
//! file at X times the recorded speed (0: as fast as possible).

use std::path::PathBuf;

use crate::input::feed;
use crate::ui::run::run;

/// Show a recorded trace in the live UI.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The recorded trace.
    pub file: PathBuf,
    /// Times real time; 0 replays as fast as possible. Idle gaps longer than
    /// one second are cut to one second.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
}

impl Args {
    /// Runs the UI until the user quits.
    pub fn run(self) -> anyhow::Result<()> {
        let (items, _) = super::load(&self.file)?;
        let feed = feed::replay(items, Some(self.speed));
        run(
            &feed,
            format!("replay {} ×{}", self.file.display(), self.speed),
        )
    }
}
