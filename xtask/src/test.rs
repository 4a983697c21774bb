//! `cargo xtask test`: every suite in order (set-up, kernel build, the
//! workspace's `cargo test` including the QEMU tests in xtask/tests/, then
//! [`EXTRA_SUITES`]: clippy, loom, MPICH, soak), with a PASS/FAIL/SKIP summary line and wall time each.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Result;
use clap::Args;
use xtask::workspace::{self, TargetRef};
use xtask::{cmd, kernel, setup};

/// A cargo run that `cargo test --workspace` does not cover.
pub struct Suite {
    /// Shown in the step header and the summary.
    pub name: &'static str,
    /// Skip the suite (saying so) while this target does not exist.
    pub needs: Option<TargetRef>,
    /// Installs what the suite needs first (as root; else says how).
    pub setup: Option<fn() -> Result<()>>,
    /// Variables set for this run only.
    pub env: &'static [(&'static str, &'static str)],
    /// Arguments to `cargo`. Give a suite with its own RUSTFLAGS its own
    /// `--target-dir`, or it invalidates the main build cache each time.
    pub cargo_args: &'static [&'static str],
}

// ===================================================================
// EXTRA SUITES: one entry per suite that needs its own cargo run.
// They run after step 3 (the workspace tests), in order.
// ===================================================================
/// The extra suites, run in this order after the workspace tests.
#[rustfmt::skip]
pub const EXTRA_SUITES: &[Suite] = &[
    // Clippy on the host crates, the MPICH crate and the kernel, warnings
    // denied (the workspace lints deny `undocumented_unsafe_blocks`). Each
    // is a check build in the main target dir: seconds once warm.
    Suite {
        name: "clippy (host crates)",
        needs: None,
        setup: None,
        env: &[],
        cargo_args: &["clippy", "--workspace", "--exclude", "kernel", "--exclude", MPICH_PACKAGE, "--all-targets", "--", "-D", "warnings"],
    },
    Suite {
        name: "clippy (programs-mpich)",
        needs: Some(TargetRef::test(MPICH_PACKAGE, "same_output")),
        setup: Some(setup::ensure_mpich_build),
        env: &[],
        cargo_args: &["clippy", "-p", MPICH_PACKAGE, "--all-targets", "--", "-D", "warnings"],
    },
    Suite {
        name: "clippy (kernel)",
        needs: None,
        setup: None,
        env: &[],
        cargo_args: &["clippy", "-p", "kernel", "--target", kernel::TARGET, "--", "-D", "warnings"],
    },
    // The bus ring protocol under loom's model checker (bus/tests/loom.rs).
    Suite {
        name: "bus loom models",
        needs: Some(TargetRef::test("bus", "loom")),
        setup: None,
        env: &[("RUSTFLAGS", "--cfg loom")],
        cargo_args: &["test", "-p", "bus", "--release", "--test", "loom", "--target-dir", "target/loom"],
    },
    // The programs under MPICH's mpiexec against ringlab (programs-mpich/tests/);
    // the crate needs MPICH and libclang to build, so it is not in step 3.
    Suite {
        name: "programs under MPICH",
        needs: Some(TargetRef::test(MPICH_PACKAGE, "same_output")),
        setup: Some(setup::ensure_mpich_build),
        env: &[],
        cargo_args: &["test", "-p", MPICH_PACKAGE, "--no-fail-fast"],
    },
    // Two minutes of random demos, programs and Ctrl-C with `vq check`
    // after each (xtask/src/soak.rs); a failure prints the seed to replay.
    Suite {
        name: "soak (2 minutes)",
        needs: None,
        setup: None,
        env: &[],
        cargo_args: &["run", "-p", "xtask", "--", "soak", "--minutes", "2"],
    },
];

/// The package that builds only with MPICH installed: step 3 leaves it out.
const MPICH_PACKAGE: &str = "programs-mpich";

/// Run every test suite: host unit tests, QEMU integration tests
/// (xtask/tests/) and the extra suites (loom, ...); fails if any fails.
#[derive(Debug, Args)]
pub struct Test {}

/// How a step ended.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// It succeeded.
    Passed,
    /// It failed, for this reason.
    Failed(String),
    /// It did not run, for this reason.
    Skipped(String),
}

/// One line of the summary.
struct Step {
    /// What ran.
    name: String,
    /// How it ended.
    outcome: Outcome,
    /// Its wall time.
    time: Duration,
}

impl Test {
    /// Runs every step even after a failure (except a failed set-up), then
    /// prints the summary.
    pub fn run(self) -> Result<ExitCode> {
        let total = 3 + EXTRA_SUITES.len();
        let mut steps = vec![timed(1, total, "set-up", || {
            setup::ensure_test_tools().map(|()| None)
        })];
        if steps[0].outcome == Outcome::Passed {
            steps.push(timed(2, total, "kernel build", || {
                kernel::build(kernel::Profile::Release).map(|_| None)
            }));
            steps.push(timed(
                3,
                total,
                "cargo test --workspace --exclude kernel --exclude programs-mpich",
                workspace_tests,
            ));
            for (i, suite) in EXTRA_SUITES.iter().enumerate() {
                steps.push(timed(4 + i, total, suite.name, || suite.run()));
            }
        }
        Ok(summarize(&steps))
    }
}

/// Step 3's cargo arguments: every package but the kernel and the one that
/// needs MPICH, all test binaries even if one fails.
const WORKSPACE_TEST_ARGS: [&str; 7] = [
    "test",
    "--workspace",
    "--exclude",
    "kernel",
    "--exclude",
    MPICH_PACKAGE,
    "--no-fail-fast",
];

/// The host unit tests of every crate and the QEMU tests.
fn workspace_tests() -> Result<Option<String>> {
    cmd::run(cmd::cargo().args(WORKSPACE_TEST_ARGS)).map(|()| None)
}

impl Suite {
    /// Runs the suite; `Ok(Some(reason))` if it was skipped.
    fn run(&self) -> Result<Option<String>> {
        if let Some(target) = self.needs
            && !workspace::has_target(target)?
        {
            return Ok(Some(format!("no {target} yet")));
        }
        if let Some(setup) = self.setup {
            setup()?;
        }
        let mut cargo = cmd::cargo();
        cargo.envs(self.env.iter().copied()).args(self.cargo_args);
        cmd::run(&mut cargo).map(|()| None)
    }
}

/// Runs step `index` of `total` under a header and times it. `body` returns
/// `Some(reason)` when it skipped.
fn timed(
    index: usize,
    total: usize,
    name: &str,
    body: impl FnOnce() -> Result<Option<String>>,
) -> Step {
    eprintln!("\n==> [{index}/{total}] {name}");
    let start = Instant::now();
    let outcome = match body() {
        Ok(None) => Outcome::Passed,
        Ok(Some(reason)) => Outcome::Skipped(reason),
        Err(err) => Outcome::Failed(format!("{err:#}")),
    };
    if let Outcome::Skipped(reason) | Outcome::Failed(reason) = &outcome {
        eprintln!("{name}: {reason}");
    }
    Step {
        name: name.into(),
        outcome,
        time: start.elapsed(),
    }
}

/// Prints one line per step and a count line; failure if any step failed.
fn summarize(steps: &[Step]) -> ExitCode {
    eprintln!("\n==> summary");
    for step in steps {
        let (word, note) = match &step.outcome {
            Outcome::Passed => ("PASS", String::new()),
            Outcome::Failed(_) => ("FAIL", String::new()),
            Outcome::Skipped(reason) => ("SKIP", format!(" ({reason})")),
        };
        eprintln!(
            "{word} {:>8.1} s  {}{note}",
            step.time.as_secs_f64(),
            step.name
        );
    }
    let count = |word: fn(&Outcome) -> bool| steps.iter().filter(|s| word(&s.outcome)).count();
    let failed = count(|o| matches!(o, Outcome::Failed(_)));
    let passed = count(|o| *o == Outcome::Passed);
    let skipped = count(|o| matches!(o, Outcome::Skipped(_)));
    let wall: Duration = steps.iter().map(|step| step.time).sum();
    eprintln!("wall time {:.1} s", wall.as_secs_f64());
    println!("steps: {passed} passed, {failed} failed, {skipped} skipped");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timed_maps_results_to_outcomes() {
        assert_eq!(timed(1, 3, "ok", || Ok(None)).outcome, Outcome::Passed);
        let skipped = timed(2, 3, "skip", || Ok(Some("not yet".into())));
        assert_eq!(skipped.outcome, Outcome::Skipped("not yet".into()));
        let failed = timed(3, 3, "bad", || Err(anyhow::anyhow!("boom")));
        assert_eq!(failed.outcome, Outcome::Failed("boom".into()));
        assert_eq!(summarize(&[failed]), ExitCode::FAILURE);
        assert_eq!(summarize(&[skipped]), ExitCode::SUCCESS);
    }

    #[test]
    fn the_mpich_package_runs_only_in_its_suite_which_installs_mpich_first() {
        assert!(
            WORKSPACE_TEST_ARGS
                .windows(2)
                .any(|w| w == ["--exclude", MPICH_PACKAGE])
        );
        let builds_mpich = |s: &&Suite| s.cargo_args.windows(2).any(|w| w == ["-p", MPICH_PACKAGE]);
        assert!(
            EXTRA_SUITES
                .iter()
                .filter(builds_mpich)
                .any(|s| s.cargo_args[0] == "test")
        );
        for suite in EXTRA_SUITES.iter().filter(builds_mpich) {
            assert!(suite.setup.is_some(), "{} installs nothing", suite.name);
        }
    }

    #[test]
    fn clippy_covers_every_package_and_denies_warnings() {
        let clippy: Vec<&Suite> = EXTRA_SUITES
            .iter()
            .filter(|s| s.cargo_args.first() == Some(&"clippy"))
            .collect();
        let runs = |args: &[&str]| {
            clippy
                .iter()
                .any(|s| s.cargo_args.windows(args.len()).any(|w| w == args))
        };
        assert!(runs(&["--workspace", "--exclude", "kernel"]));
        assert!(runs(&["-p", MPICH_PACKAGE]));
        assert!(runs(&["-p", "kernel", "--target", kernel::TARGET]));
        for suite in clippy {
            assert!(
                suite.cargo_args.ends_with(&["--", "-D", "warnings"]),
                "{}",
                suite.name
            );
        }
    }

    #[test]
    fn extra_suites_with_rustflags_use_their_own_target_dir() {
        for suite in EXTRA_SUITES
            .iter()
            .filter(|s| s.env.iter().any(|(k, _)| *k == "RUSTFLAGS"))
        {
            assert!(suite.cargo_args.contains(&"--target-dir"), "{}", suite.name);
        }
    }
}
