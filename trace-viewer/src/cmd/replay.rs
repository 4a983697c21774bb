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
    #[arg(long, default_value_t = 1.0, value_parser = speed)]
    pub speed: f64,
}

/// A `--speed`: a finite number, 0 or more.
fn speed(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
        _ => Err(format!(
            "'{text}' is no speed: give a number of times real time, 0 or more (0: as fast as possible)"
        )),
    }
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
