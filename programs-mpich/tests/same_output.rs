//! The same program, the same lines: every deterministic program under
//! MPICH's `mpiexec` with 3 and 4 processes against the host-thread runner
//! (rank by rank, in order) and against ringlab's `run` under QEMU (sorted).
//!
//! The comparison rules (docs/programs.md, "Running under MPICH"):
//! * a line containing `time` is dropped on both sides: it holds a measurement;
//! * one rank's lines keep their order; the order *between* ranks is not
//!   determined, so where the ranks' lines arrive interleaved without a rank
//!   tag (ringlab's console) both sides are sorted before comparing.

use std::process::Command;
use std::time::Duration;

use xtask::harness::{Config, Machine};

/// Every program whose output is fixed by its arguments, with arguments.
const DETERMINISTIC: &[(&str, &[&str])] = &[
    ("toro-reduce", &[]),
    ("pingpong", &[]),
    ("pi", &["1000"]),
    ("ring", &["3"]),
    ("avg", &["1000"]),
    ("matvec", &["12"]),
    ("sort", &["100"]),
    ("heat", &["32", "10"]),
    ("histogram", &["1000", "8", "42"]),
];

/// Programs left out, and why.
const LEFT_OUT: &[(&str, &str)] = &[("deadlock", "it hangs on purpose")];

/// The process counts each program is compared on.
const SIZES: [usize; 2] = [3, 4];

/// Whether a line is kept for comparison (no `time` in it).
fn kept(line: &str) -> bool {
    !line.contains("time")
}

/// Each rank's kept lines under `mpiexec -n ranks -prepend-rank`.
fn mpiexec(name: &str, args: &[&str], ranks: usize) -> Vec<Vec<String>> {
    let output = Command::new("mpiexec")
        .args(["-n", &ranks.to_string(), "-prepend-rank"])
        .arg(env!("CARGO_BIN_EXE_programs-mpich"))
        .arg(name)
        .args(args)
        .output()
        .expect("mpiexec runs (cargo xtask test installs MPICH)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "mpiexec -n {ranks} {name} {args:?} failed ({}):\n{stdout}{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let mut per_rank = vec![Vec::new(); ranks];
    for line in stdout.lines() {
        let (rank, text) = untag(line).unwrap_or_else(|| panic!("untagged line {line:?}"));
        if kept(text) {
            per_rank[rank].push(text.to_string());
        }
    }
    per_rank
}

/// `("[2] text")` → `(2, "text")`: the rank hydra's `-prepend-rank` adds.
fn untag(line: &str) -> Option<(usize, &str)> {
    let (rank, text) = line.strip_prefix('[')?.split_once("] ")?;
    Some((rank.parse().ok()?, text))
}

/// Each rank's kept lines from the host-thread runner.
fn threads(name: &str, args: &[&str], ranks: usize) -> Vec<Vec<String>> {
    let program = programs::find(name).expect("a shipped program");
    let runs = programs::threads::run(program, args, ranks, Duration::from_secs(30))
        .unwrap_or_else(|f| panic!("{name}: {f}"));
    runs.into_iter()
        .map(|run| {
            run.result.unwrap_or_else(|f| panic!("{name}: {f}"));
            run.lines.into_iter().filter(|l| kept(l)).collect()
        })
        .collect()
}

/// The kept lines of `run NAME --cores 0-(ranks-1) ARGS` on `machine`,
/// without the summary `run` prints after them.
fn ringlab(machine: &mut Machine, name: &str, args: &[&str], ranks: usize) -> Vec<String> {
    let cores = format!("0-{}", ranks - 1);
    let out = machine.run(&format!("run {name} --cores {cores} {}", args.join(" ")));
    let summary = format!("{name}: {ranks} ranks on cores {cores}, ");
    let lines: Vec<&str> = out.lines().collect();
    let end = lines
        .iter()
        .position(|l| l.starts_with(&summary))
        .unwrap_or_else(|| panic!("no summary after `run {name}`:\n{out}"));
    lines[..end]
        .iter()
        .filter(|l| kept(l))
        .map(|l| l.to_string())
        .collect()
}

/// All ranks' lines in one sorted list.
fn sorted(per_rank: Vec<Vec<String>>) -> Vec<String> {
    let mut all: Vec<String> = per_rank.into_iter().flatten().collect();
    all.sort_unstable();
    all
}

#[test]
fn every_program_is_compared_or_left_out_with_a_reason() {
    for program in programs::PROGRAMS {
        let listed = DETERMINISTIC.iter().any(|(name, _)| *name == program.name)
            || LEFT_OUT.iter().any(|(name, _)| *name == program.name);
        assert!(
            listed,
            "add `{}` to DETERMINISTIC or LEFT_OUT",
            program.name
        );
    }
}

#[test]
fn mpiexec_prints_what_the_host_threads_print_rank_by_rank() {
    for (name, args) in DETERMINISTIC {
        for ranks in SIZES {
            let mpich = mpiexec(name, args, ranks);
            assert!(
                mpich.iter().any(|lines| !lines.is_empty()),
                "{name}: no lines"
            );
            assert_eq!(
                mpich,
                threads(name, args, ranks),
                "{name} {args:?} on {ranks} ranks"
            );
        }
    }
}

#[test]
fn mpiexec_prints_what_ringlab_prints_under_qemu() {
    let mut machine = Machine::boot(Config {
        command_timeout: Duration::from_secs(60),
        ..Config::smp(4)
    });
    for (name, args) in DETERMINISTIC {
        for ranks in SIZES {
            let mut qemu = ringlab(&mut machine, name, args, ranks);
            assert!(!qemu.is_empty(), "{name}: no lines from ringlab");
            qemu.sort_unstable();
            let mpich = sorted(mpiexec(name, args, ranks));
            assert_eq!(mpich, qemu, "{name} {args:?} on {ranks} ranks/cores");
        }
    }
}

#[test]
fn a_wrong_name_or_argument_is_reported_once_by_rank_0() {
    for (words, expected) in [
        (
            &["pj"][..],
            "error: unknown program 'pj' (did you mean 'pi'?)\n",
        ),
        (&["ring", "x"][..], "usage: ring K\n"),
    ] {
        let output = Command::new("mpiexec")
            .args(["-n", "3"])
            .arg(env!("CARGO_BIN_EXE_programs-mpich"))
            .args(words)
            .output()
            .expect("mpiexec runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.ends_with(expected), "{stderr}");
        assert_eq!(stderr.matches("error: ").count(), 1, "{stderr}");
    }
}
