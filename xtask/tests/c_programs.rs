//! QEMU tests of the C programs (programs/c/, docs/c-programs.md): every
//! program on 3 and 4 cores gives the lines MPICH gives for the same file
//! (built with mpicc, run with `mpiexec -n 3` and `-n 4`), and its own
//! checks hold, and the summary shows each rank's exit status; per-rank
//! globals; exit statuses and MPI errors end a run with a report and leave
//! the shell running; no C file goes without its MPICH comparison.
//!
//! Comparison rule (as for the Rust programs, docs/programs.md): lines
//! containing `time` are dropped, and both sides are sorted, since the
//! order between ranks' lines is not determined.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use xtask::harness::{Config, Machine};

/// A machine with 4 cores and room for slow runs under load.
fn boot() -> Machine {
    Machine::boot(Config {
        command_timeout: Duration::from_secs(30),
        ..Config::smp(4)
    })
}

/// [`boot`], for a test whose program faults on purpose: its `EXCEPTION`
/// report is output, not a crash of the test.
fn boot_crash_ok() -> Machine {
    Machine::boot(Config {
        command_timeout: Duration::from_secs(30),
        crash_ok: true,
        ..Config::smp(4)
    })
}

/// After a run was stopped or failed: the next one on the same machine
/// passes its barrier on every rank, and leaves every queue consistent.
fn the_next_run_passes_its_barrier(machine: &mut Machine) {
    let out = machine.run_checked("run errors");
    assert!(out.contains("rank 3: past the barrier"), "{out}");
}

/// The program's own lines from `run`'s output: those before the summary.
fn program_lines(out: &str, name: &str) -> Vec<String> {
    let summary = format!("{name}: ");
    out.lines()
        .take_while(|l| !(l.starts_with(&summary) && l.contains(" ranks on cores ")))
        .map(str::to_string)
        .collect()
}

/// Lines kept for comparison, sorted.
fn comparable(lines: &[String]) -> Vec<String> {
    let mut kept: Vec<String> = lines
        .iter()
        .filter(|l| !l.contains("time"))
        .cloned()
        .collect();
    kept.sort();
    kept
}

/// The lines of `mpiexec -n ranks` of the mpicc build of `name`, rank by
/// rank. Each rank writes its own file (`-outfile-pattern`): through one
/// shared pipe, MPICH's launcher can splice one rank's output into the
/// middle of another's line.
fn mpiexec(binary: &Path, ranks: usize, args: &[&str]) -> Vec<String> {
    let (status, lines) = mpiexec_ending(binary, ranks, args);
    assert!(status.success(), "mpiexec failed: {status}, {lines:?}");
    lines
}

/// [`mpiexec`] of a run that may end with a failing status: that status
/// (the launcher's) and the lines.
fn mpiexec_ending(
    binary: &Path,
    ranks: usize,
    args: &[&str],
) -> (std::process::ExitStatus, Vec<String>) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "mpiexec-{}-{ranks}",
        binary
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("program")
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a directory for the ranks' output");
    let pattern = dir.join("rank-%r");
    let output = Command::new("mpiexec")
        .arg("-outfile-pattern")
        .arg(&pattern)
        .args(["-n", &ranks.to_string()])
        .arg(binary)
        .args(args)
        .output()
        .expect("mpiexec runs (cargo xtask setup installs MPICH)");
    let lines = (0..ranks)
        .flat_map(|rank| {
            // The launcher makes a rank's file only once it prints.
            let file = dir.join(format!("rank-{rank}"));
            let text = match std::fs::read_to_string(&file) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
                Err(e) => panic!("rank {rank}'s output {}: {e}", file.display()),
            };
            text.lines().map(str::to_string).collect::<Vec<_>>()
        })
        .collect();
    (output.status, lines)
}

/// Runs `name` in QEMU on 3 cores (0-2) and 4 (all), compares each with
/// MPICH and returns ringlab's lines for both, for the program's own checks.
fn same_as_mpich(name: &str, args: &[&str]) -> [Vec<String>; 2] {
    let binary = xtask::mpicc::build(name).expect("mpicc builds it");
    let mut machine = boot();
    let tail = args.join(" ");
    [(3, "--cores 0-2"), (4, "")].map(|(ranks, cores)| {
        let out = machine.run_checked(&format!("run {name} {cores} {tail}"));
        assert!(
            out.contains(&format!("{name}: {ranks} ranks on cores ")),
            "{out}"
        );
        assert!(!out.contains(" failed: "), "{out}");
        for rank in 0..ranks {
            let line = format!("rank {rank} (core {rank}): exit 0, sent ");
            assert!(out.lines().any(|l| l.starts_with(&line)), "{out}");
        }
        let ours = program_lines(&out, name);
        assert_eq!(
            comparable(&ours),
            comparable(&mpiexec(&binary, ranks, args)),
            "{out}"
        );
        ours
    })
}

fn has(lines: &[String], line: &str) -> bool {
    lines.iter().any(|l| l == line)
}

#[test]
fn programs_lists_the_c_programs_with_their_sources() {
    let mut machine = boot();
    let out = machine.run("programs");
    assert!(
        out.lines()
            .any(|l| l.starts_with("cpi ") && l.ends_with("(programs/c/cpi.c)")),
        "{out}"
    );
}

#[test]
fn seed_reduce_succeeds_like_mpich() {
    let [three, four] = same_as_mpich("seed_reduce", &[]);
    assert!(has(&three, "success! value: 3") && has(&four, "success! value: 6"));
}

#[test]
fn cpi_is_close_to_pi_like_mpich() {
    let [three, _] = same_as_mpich("cpi", &["100000"]);
    assert!(
        three
            .iter()
            .any(|l| l.starts_with("pi is approximately 3.14159")),
        "{three:?}"
    );
}

#[test]
fn globals_are_per_rank() {
    let [three, four] = same_as_mpich("globals", &[]);
    assert!(has(&three, "rank-2: counter 3, calls 103"), "{three:?}");
    assert!(has(&four, "sum of counters 10 (expected 10)"), "{four:?}");
}

#[test]
fn latency_reports_every_size() {
    let [three, _] = same_as_mpich("latency", &[]);
    assert!(
        has(
            &three,
            " 4096 bytes: last reply from rank 1, tag 19, first byte 0"
        ),
        "{three:?}"
    );
}

#[test]
fn token_ring_comes_back() {
    let [three, four] = same_as_mpich("token_ring", &[]);
    assert!(has(
        &three,
        "token back at rank 0 after 2 laps: 6 (expected 6)"
    ));
    assert!(has(
        &four,
        "token back at rank 0 after 2 laps: 12 (expected 12)"
    ));
}

#[test]
fn scatter_avg_gathers_the_averages() {
    let [three, _] = same_as_mpich("scatter_avg", &[]);
    assert!(
        has(&three, "average of the 3 averages: 9.541667"),
        "{three:?}"
    );
}

#[test]
fn mat_vec_matches_the_serial_product() {
    let [three, four] = same_as_mpich("mat_vec", &[]);
    assert_eq!((three.len(), four.len()), (6, 8));
    assert!(
        !three.iter().chain(&four).any(|l| l.contains("wrong")),
        "{three:?}{four:?}"
    );
}

#[test]
fn prefix_sum_scans() {
    let [three, _] = same_as_mpich("prefix_sum", &[]);
    assert!(
        has(
            &three,
            "rank 2: value 3, prefix sum 8, prefix sum of squares 5"
        ),
        "{three:?}"
    );
    assert!(has(&three, "largest value 4, first at rank 0"), "{three:?}");
}

#[test]
fn transpose_gives_each_rank_its_column() {
    let [_, four] = same_as_mpich("transpose", &[]);
    assert!(has(&four, "rank 3: column 3 13 23 33"), "{four:?}");
}

#[test]
fn comm_grid_splits_rows_and_columns() {
    let [_, four] = same_as_mpich("comm_grid", &[]);
    assert!(
        has(
            &four,
            "rank 3: row 1 (rank 1 of 2, sum 5), column 1 (rank 0 of 2, sum 4)"
        ),
        "{four:?}"
    );
}

#[test]
fn halo_exchange_smooths() {
    let [three, four] = same_as_mpich("halo", &[]);
    assert_eq!((three.len(), four.len()), (12, 16));
}

#[test]
fn api_tour_matches_mpich_in_every_call_type_op_and_format() {
    let [three, four] = same_as_mpich("api_tour", &[]);
    for line in [
        "rank 1: sendrecv got 0 from rank 0, tag 1, error 0",
        "rank 2: probed 5 chars from rank 1 (as ints: MPI_UNDEFINED), text 'hello'",
        "rank 0: 1500 isend/irecv rounds, sum 1127250 (expected 1127250)",
        "rank 0: char max 'c', char sum 33, byte or 7 and 0 xor 7",
        "float sum 3.00, double product 8 (in place at the root)",
        "exp(1) 2.718282, log(10) 2.302585, sin(1) 0.841471, cos(1) 0.540302",
        "that line was 615 chars",
        "strtol saturates: 9223372036854775807 -9223372036854775808",
    ] {
        assert!(has(&three, line), "{line}: {three:?}");
    }
    assert!(
        has(
            &four,
            "rank 3: unsigned product 120, and 0xf0, or 0xf3, xor 0"
        ),
        "{four:?}"
    );
}

/// Every programs/c/*.c file has a test above that compares it with MPICH.
#[test]
fn every_c_program_is_compared_with_mpich() {
    let dir = xtask::workspace::root().join("programs/c");
    let tests = include_str!("c_programs.rs");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("programs/c/ exists") {
        let path = entry.expect("readable").path();
        if path.extension().is_some_and(|ext| ext == "c") {
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("a UTF-8 name");
            if !tests.contains(&format!("same_as_mpich(\"{name}\"")) {
                missing.push(name.to_string());
            }
        }
    }
    assert!(
        missing.is_empty(),
        "no same_as_mpich test for programs/c/{{{}}}.c",
        missing.join(",")
    );
}

#[test]
fn errors_without_an_error_pass_the_barrier() {
    let [three, _] = same_as_mpich("errors", &[]);
    assert!(
        has(&three, "rank 2: past the barrier (error asked for: none)"),
        "{three:?}"
    );
}

#[test]
fn errors_are_fatal_and_reported_and_the_shell_lives() {
    let cases = [
        (
            "rank",
            "rank 1 (core 1) failed: MPI_Send: MPI_ERR_RANK: rank 4 (size 4)",
        ),
        (
            "count",
            "rank 1 (core 1) failed: MPI_Send: MPI_ERR_COUNT: count -1",
        ),
        (
            "type",
            "rank 1 (core 1) failed: MPI_Send: MPI_ERR_TYPE: MPI_DATATYPE_NULL is not a datatype",
        ),
        (
            "comm",
            "rank 1 (core 1) failed: MPI_Send: MPI_ERR_COMM: MPI_COMM_NULL is not a communicator",
        ),
        (
            "status",
            "rank 1 (core 1) failed: MPI_Get_count: MPI_ERR_ARG: the status is \
             MPI_STATUS_IGNORE (or NULL), which holds no count",
        ),
        (
            "root",
            "rank 1 (core 1) failed: MPI_Bcast: MPI_ERR_ROOT: root 4 (size 4)",
        ),
        (
            "waitall",
            "rank 1 (core 1) failed: MPI_Waitall: MPI_ERR_COUNT: count -3",
        ),
        (
            "badrequest",
            "rank 1 (core 1) failed: MPI_Waitall: MPI_ERR_REQUEST: 999 is not an active request",
        ),
        (
            "sendrecv",
            "rank 1 (core 1) failed: MPI_Sendrecv: MPI_ERR_RANK: rank 4 (size 4)",
        ),
        (
            "reduceinplace",
            "rank 1 (core 1) failed: MPI_Reduce: MPI_ERR_BUFFER: MPI_IN_PLACE is the root's send \
             buffer only",
        ),
        (
            "init",
            "rank 1 (core 1) failed: MPI_Init: MPI_ERR_OTHER: MPI_Init was already called",
        ),
        (
            "finalized",
            "rank 1 (core 1) failed: MPI_Barrier: MPI_ERR_OTHER: called after MPI_Finalize",
        ),
        (
            "allgather",
            "rank 1 (core 1) failed: MPI_Allgather: MPI_ERR_COUNT: 0 bytes sent where a block is 4 bytes",
        ),
        (
            "alltoall",
            "rank 1 (core 1) failed: MPI_Alltoall: MPI_ERR_COUNT: 4 bytes sent where a block is 8 bytes",
        ),
        (
            "inplace",
            "rank 1 (core 1) failed: MPI_Send: MPI_ERR_BUFFER: MPI_IN_PLACE is not a buffer here",
        ),
        (
            "bigcount",
            "rank 1 (core 1) failed: MPI_Allgather: MPI_ERR_COUNT: count 1073741825 for each of 4 \
             ranks is more than an int holds",
        ),
        ("exit 3", "rank 1 (core 1) failed: exit status 3"),
        (
            "abort",
            "rank 1 (core 1) failed: MPI_Abort with error code 7",
        ),
    ];
    let mut machine = boot();
    for (args, report) in cases {
        let out = machine.run_checked(&format!("run errors {args}"));
        assert!(out.lines().any(|l| l == report), "{out}");
        assert!(!out.contains("past the barrier"), "{out}");
        let status = if args.starts_with("exit") {
            "exit 3"
        } else {
            "failed"
        };
        assert!(
            out.lines()
                .any(|l| l.starts_with(&format!("rank 1 (core 1): {status}, sent "))),
            "{out}"
        );
        for rank in [0, 2, 3] {
            let line = format!("rank {rank} (core {rank}): stopped, sent ");
            assert!(out.lines().any(|l| l.starts_with(&line)), "{out}");
        }
    }
    let out = machine.run("echo alive");
    assert!(out.contains("alive"), "{out}");
}

/// A C loop that makes no MPI call stops at its next `printf` after Ctrl-C.
#[test]
fn ctrl_c_stops_a_c_computation_at_its_next_printf() {
    let mut machine = boot();
    machine.send("run errors compute\r");
    machine.expect_or_fail("rank 1: step 100000\n", Duration::from_secs(60));
    let out = machine.ctrl_c(Duration::from_secs(30));
    assert!(out.contains("errors stopped by Ctrl-C"), "{out}");
    the_next_run_passes_its_barrier(&mut machine);
}

/// A C loop that makes no call at all (soft float on even ranks, integer on
/// odd ones) still stops at the first Ctrl-C: the interrupt that carries it
/// catches the code in its image and makes it leave, or, caught in a
/// soft-float helper, the core looks again until it is in its image. On
/// core 0 too, where it used to hang the shell, and where a loop caught in
/// a helper then needed a second Ctrl-C; the cores go idle and the next
/// run works.
#[test]
fn ctrl_c_stops_a_c_loop_that_makes_no_call() {
    let mut machine = boot();
    for cores in ["0-3", "1-3", "0-3", "1-3"] {
        machine.send(&format!("run errors spin --cores {cores}\r"));
        std::thread::sleep(Duration::from_millis(500));
        let out = machine.ctrl_c(Duration::from_secs(30));
        assert!(out.contains("errors stopped by Ctrl-C"), "{out}");
        assert!(!out.contains("stopped waiting"), "{out}");
        let out = machine.run("cores");
        assert!(!out.contains("running"), "{out}");
    }
    the_next_run_passes_its_barrier(&mut machine);
}

/// A rank that fails stops the others even where they loop with no call
/// (in soft float on cores 0 and 2 with cores 0-3): the run ends by itself,
/// reports the failure, and frees every core. They used to spin until
/// Ctrl-C.
#[test]
fn a_failed_rank_stops_c_loops_that_make_no_call() {
    let mut machine = boot();
    // spinfail fails once the others loop; failfirst at once, while they may
    // still be starting (a stop before a rank could leave was lost).
    let modes = ["spinfail", "failfirst"].repeat(2);
    let sets = [("0-3", &[0, 2, 3][..]), ("1-3", &[0, 2])];
    for (mode, (cores, others)) in modes.iter().flat_map(|m| sets.map(|set| (m, set))) {
        let out = machine.run_checked(&format!("run errors {mode} --cores {cores}"));
        let failed = if cores == "0-3" { "core 1" } else { "core 2" };
        let report = format!("rank 1 ({failed}) failed: exit status 3");
        assert!(out.lines().any(|l| l == report), "{out}");
        assert!(!out.contains("Ctrl-C"), "{out}");
        for &rank in others {
            let line = format!("rank {rank} (core ");
            assert!(
                out.lines()
                    .any(|l| l.starts_with(&line) && l.contains("): stopped, sent ")),
                "rank {rank} was not stopped:\n{out}"
            );
        }
        let out = machine.run("cores");
        assert!(!out.contains("running"), "{out}");
    }
    the_next_run_passes_its_barrier(&mut machine);
}

/// A C program that faults on core 0 leaves nothing behind for the stop
/// hook: the next Ctrl-C reaches the shell (the hook used to take each
/// Ctrl-C for the dead program, so `spin` never stopped).
#[test]
fn after_a_c_program_faults_on_core_0_ctrl_c_still_reaches_the_shell() {
    let mut machine = boot_crash_ok();
    let out = machine.run("run errors segv --cores 0");
    assert!(out.contains("EXCEPTION on core 0: page fault"), "{out}");
    assert!(out.contains("restarting the shell"), "{out}");
    for _ in 0..2 {
        machine.send("spin 1 20000\r");
        std::thread::sleep(Duration::from_millis(300));
        let out = machine.ctrl_c(Duration::from_secs(10));
        assert!(out.contains("stopped by Ctrl-C"), "{out}");
    }
}

/// A C program that faults on core 0 takes the shell's stack with it, and
/// the wait that would have emptied core 0's rings when the run ended: the
/// messages the other ranks sent it stayed there. Now the prompt empties
/// them once the other cores end, and says so.
#[test]
fn a_c_program_that_faults_on_core_0_leaves_its_rings_clean() {
    let mut machine = boot_crash_ok();
    let out = machine.run("run errors segv");
    assert!(out.contains("EXCEPTION on core 0: page fault"), "{out}");
    let ended = machine.expect_or_fail("after core 0 faulted", Duration::from_secs(30));
    assert!(ended.contains("ended on core(s) 0-3"), "{out}{ended}");
    machine.check_queues("a run that faulted on core 0");
    the_next_run_passes_its_barrier(&mut machine);
}

/// A C function whose frame is bigger than its core's stack meets the
/// guard page (clang's stack-clash probes): a stack overflow on that core,
/// reported, and the shell core untouched. Without the probes the array
/// reached down into core 0's stack and crashed the shell.
#[test]
fn a_c_frame_bigger_than_the_stack_is_a_stack_overflow_on_its_own_core() {
    let mut machine = boot_crash_ok();
    let out = machine.run("run errors bigstack");
    assert!(out.contains("EXCEPTION on core 1"), "{out}");
    assert!(
        out.contains("stack overflow: core 1's stack ran into its guard page"),
        "{out}"
    );
    assert!(!out.contains("restarting the shell"), "{out}");
    let out = machine.run("cores restart 1");
    assert!(!out.contains("error"), "{out}");
    the_next_run_passes_its_barrier(&mut machine);
}

/// A C run stopped by Ctrl-C in the middle of its traffic leaves nothing
/// for the next one: its MPI_Barrier used to fail with "message out of
/// sequence" on a frame the stopped run had left in a ring.
#[test]
fn after_a_stopped_run_the_next_c_program_passes_its_barrier() {
    let mut machine = boot();
    machine.send("run latency --cores 1,2\r");
    machine.expect_or_fail("round trips", Duration::from_secs(60));
    machine.ctrl_c(Duration::from_secs(60));
    machine.check_queues("run latency, stopped");
    let out = machine.run_checked("run globals --cores 1,2");
    assert!(!out.contains("failed"), "{out}");
    assert!(out.contains("globals: 2 ranks on cores 1-2"), "{out}");
}

/// `cpi` refuses a number of intervals it cannot use (the sample once took
/// `abc` as 0 and printed nan, and looped for good near INT_MAX) as under
/// MPICH: one usage line from rank 0, exit status 2.
#[test]
fn cpi_refuses_a_bad_interval_count_like_mpich() {
    let binary = xtask::mpicc::build("cpi").expect("mpicc builds it");
    let mut machine = boot();
    for args in [
        &["abc"][..],
        &["0"],
        &["-5"],
        &["2147483647"],
        &["10", "20"],
    ] {
        let out = machine.run_checked(&format!("run cpi --cores 0-2 {}", args.join(" ")));
        // The program's lines, without the run's reports of the failure and
        // of what the stopped ranks left in the rings.
        let reports = ["rank ", "stopped rank", "cpi: "];
        let ours: Vec<String> = program_lines(&out, "cpi")
            .into_iter()
            .filter(|l| !reports.iter().any(|r| l.starts_with(r)))
            .collect();
        assert_eq!(ours.len(), 1, "{out}");
        assert!(ours[0].starts_with("usage: cpi [N]"), "{out}");
        let (status, theirs) = mpiexec_ending(&binary, 3, args);
        assert_eq!(status.code(), Some(2), "{theirs:?}");
        assert_eq!(comparable(&ours), comparable(&theirs));
        // A rank that exits 2 fails the run; those still in MPI_Finalize
        // are stopped. None ends well.
        assert!(out.contains("failed: exit status 2"), "{out}");
        assert!(!out.contains(": exit 0, sent "), "{out}");
    }
}
