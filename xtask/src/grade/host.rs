//! The host labs' machine: `programs-threads`, the programs crate's runner
//! that runs one instance per thread, built as the reference or as the
//! student version, and run with a time limit.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::{cmd, workspace};

/// The runner's binary name (programs/src/bin/programs-threads.rs).
const RUNNER: &str = "programs-threads";

/// How often a running program is looked at.
const POLL: Duration = Duration::from_millis(20);

/// Builds the runner with `feature` (the student version) or without, each
/// in its own target directory so that both can exist at once.
pub fn build_runner(feature: Option<&str>) -> Result<PathBuf> {
    let dir = workspace::target_dir()
        .join("lab-host")
        .join(feature.unwrap_or("reference"));
    let features = match feature {
        Some(feature) => format!("threads,{feature}"),
        None => "threads".to_string(),
    };
    let mut cargo = cmd::cargo();
    cargo
        .env("CARGO_TARGET_DIR", &dir)
        .args(["build", "--package", "programs", "--bin", RUNNER])
        .args(["--features", &features]);
    cmd::run(&mut cargo)?;
    Ok(dir.join("debug").join(RUNNER))
}

/// Runs `runner NAME -n ranks --limit ... ARGS` for the command line
/// `command` (`NAME ARGS`) and returns what it printed. A program still
/// running after `timeout` is killed: `Err` says so, with its output.
pub fn run_threads(
    runner: &Path,
    ranks: usize,
    command: &str,
    timeout: Duration,
) -> Result<String, (String, String)> {
    let mut words = command.split_whitespace();
    let name = words.next().unwrap_or_default();
    // The runner stops the ranks' MPI calls first; the kill is for a rank
    // that computes forever without calling MPI.
    let limit = timeout.as_secs().div_ceil(2).max(1).to_string();
    let spawned = Command::new(runner)
        .arg(name)
        .args(["-n", &ranks.to_string(), "--limit", &limit])
        .args(words)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let mut child = spawned.map_err(|e| {
        (
            format!("cannot start {}: {e}", runner.display()),
            String::new(),
        )
    })?;
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let deadline = Instant::now() + timeout;
    let finished = loop {
        match child.try_wait() {
            Ok(Some(_)) => break true,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(POLL),
            _ => break false,
        }
    };
    if !finished {
        let _ = child.kill();
        let _ = child.wait();
    }
    let output = reader.join().unwrap_or_default();
    match finished {
        true => Ok(output),
        false => Err((
            format!("`{command}` did not finish within {timeout:?}; it was killed"),
            output,
        )),
    }
}
