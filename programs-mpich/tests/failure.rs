//! A failing or panicking rank ends the whole `mpiexec` run, even while the
//! other ranks wait for it. The test re-runs this very test binary under
//! `mpiexec -n 3`; in there (`PMI_RANK` set) it is one rank of the run.

use std::fmt::Write;
use std::process::{Command, ExitCode};

use programs::{Failure, Instance, Program};
use rsmpi::topology::Communicator;

/// Rank 1 fails (or panics, with argument `panic`); the others wait for a
/// message from it that never comes.
fn fail_on_rank_1(inst: &mut Instance<'_, '_>) -> Result<(), Failure> {
    writeln!(inst, "rank {} started", inst.rank())?;
    if inst.rank() == 1 {
        if inst.args() == ["panic"] {
            panic!("rank 1 panics on purpose");
        }
        return Err(inst.fail("rank 1 fails on purpose"));
    }
    let (mpi, comm) = inst.mpi();
    mpi.recv(comm, 1, 5, &mut [0u32])?;
    Ok(())
}

/// The test program.
const FAILING: Program = Program {
    name: "fail-on-rank-1",
    summary: "rank 1 fails, the others wait for it",
    usage: "fail-on-rank-1 [panic]",
    source: "programs-mpich/tests/failure.rs",
    check: |_| Ok(()),
    main: fail_on_rank_1,
};

/// One rank of the run, when under mpiexec; `None` when not.
fn as_a_rank(arg: &str) -> Option<ExitCode> {
    std::env::var_os("PMI_RANK")?;
    let universe = rsmpi::initialize().expect("MPI initializes once");
    let world = universe.world();
    assert_eq!(world.size(), 3);
    let args: &[&str] = if arg.is_empty() { &[] } else { &[arg] };
    Some(programs_mpich::run_or_abort(&FAILING, &world, args))
}

/// Runs `test` of this binary under `mpiexec -n 3` (killed after 60 s if
/// the ranks hang); its exit status and stderr.
fn under_mpiexec(test: &str) -> (Option<i32>, String) {
    let output = Command::new("timeout")
        .args(["60", "mpiexec", "-n", "3"])
        .arg(std::env::current_exe().expect("this test binary"))
        .args(["--exact", test, "--nocapture", "--test-threads", "1"])
        .output()
        .expect("mpiexec runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_failing_rank_ends_every_rank() {
    if as_a_rank("").is_some() {
        unreachable!("rank 0 and 2 wait, rank 1 aborts");
    }
    let (code, stderr) = under_mpiexec("a_failing_rank_ends_every_rank");
    assert_ne!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("error: rank 1: fail-on-rank-1: failed: rank 1 fails on purpose"),
        "{stderr}"
    );
}

#[test]
fn a_panicking_rank_ends_every_rank() {
    if as_a_rank("panic").is_some() {
        unreachable!("rank 0 and 2 wait, rank 1 aborts");
    }
    let (code, stderr) = under_mpiexec("a_panicking_rank_ends_every_rank");
    assert_ne!(code, Some(0), "{stderr}");
    assert!(stderr.contains("rank 1 panics on purpose"), "{stderr}");
}
