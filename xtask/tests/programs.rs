//! QEMU tests of `programs` and `run`: the listing, the seed's lines from
//! `toro-reduce`, every shipped program on 3 and 4 cores, the bad-input
//! errors, Ctrl-C, a failing instance, a deadlock report and `&`.

use std::time::{Duration, Instant};

use xtask::harness::{Config, Machine};

/// A machine with `smp` cores and room for slow runs under load.
fn boot(smp: u32) -> Machine {
    Machine::boot(Config {
        command_timeout: Duration::from_secs(30),
        ..Config::smp(smp)
    })
}

/// The `hello from core N` lines, sorted (their order is not determined).
fn hellos(out: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("hello from core "))
        .collect();
    lines.sort_unstable();
    lines
}

/// What a rank's summary line may say it did (docs/shell.md).
const STATUSES: [&str; 5] = ["ok", "failed", "stopped", "died", "did not finish"];

/// Checks the summary: `<name>: <n> ranks on cores <cores>, wall time …`
/// and one line per rank with its status and what it sent.
fn assert_summary(out: &str, name: &str, ranks: usize, cores: &str) {
    let head = format!("{name}: {ranks} ranks on cores {cores}, wall time ");
    assert!(
        out.lines()
            .any(|l| l.starts_with(&head) && l.ends_with(" us")),
        "{out}"
    );
    for rank in 0..ranks {
        let line = format!("rank {rank} (core ");
        assert!(
            out.lines().any(|l| l.starts_with(&line)
                && l.contains(", sent ")
                && STATUSES
                    .iter()
                    .any(|s| l.contains(&format!("): {s}, sent ")))
                && l.ends_with(" bytes")),
            "{out}"
        );
    }
}

/// How long a test waits for a line it expects.
const WAIT: Duration = Duration::from_secs(30);

/// Waits up to [`WAIT`] for `text`; returns the console up to it.
fn wait_for(machine: &mut Machine, text: &str) -> String {
    machine.expect_or_fail(text, WAIT)
}

/// Waits up to [`WAIT`] until the console has printed every one of `texts`,
/// in any order (lines from different cores come in any order).
fn wait_for_all(machine: &mut Machine, texts: &[String]) {
    let deadline = Instant::now() + WAIT;
    while !texts
        .iter()
        .all(|text| machine.log().contains(text.as_str()))
    {
        if Instant::now() > deadline {
            machine.fail(&format!("not all of {texts:?} within {WAIT:?}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn programs_lists_every_program_with_its_source() {
    let mut machine = boot(1);
    let out = machine.run("programs");
    // One line per entry of the Rust table, in its order (C programs follow).
    let listed: Vec<&str> = programs::PROGRAMS
        .iter()
        .filter_map(|p| {
            let want = format!("{} ({})", p.summary, p.source);
            out.lines()
                .find(|l| l.strip_prefix(p.name).map(str::trim_start) == Some(want.as_str()))
                .map(|_| p.name)
        })
        .collect();
    let table: Vec<&str> = programs::PROGRAMS.iter().map(|p| p.name).collect();
    assert_eq!(listed, table, "{out}");
    assert!(
        out.lines().any(|l| l.starts_with("toro-reduce ")
            && l.contains("MPI_Reduce")
            && l.ends_with("(programs/src/toro_reduce.rs)")),
        "{out}"
    );
}

#[test]
fn toro_reduce_prints_the_seed_lines_on_3_and_4_cores() {
    let mut machine = boot(5);
    let out = machine.run_checked("run toro-reduce --cores 0-2");
    assert_eq!(
        hellos(&out),
        [
            "hello from core 0",
            "hello from core 1",
            "hello from core 2"
        ],
        "{out}"
    );
    assert!(out.contains("\nsuccess! value: 3\n"), "{out}");
    assert_summary(&out, "toro-reduce", 3, "0-2");
    let out = machine.run_checked("run toro-reduce --cores 1-4");
    assert_eq!(
        hellos(&out),
        [
            "hello from core 1",
            "hello from core 2",
            "hello from core 3",
            "hello from core 4"
        ],
        "{out}"
    );
    assert!(out.contains("\nsuccess! value: 6\n"), "{out}");
    assert_summary(&out, "toro-reduce", 4, "1-4");
    let out = machine.run_checked("run toro-reduce");
    assert!(
        out.contains("\nsuccess! value: 10\n"),
        "all 5 cores by default: {out}"
    );
}

/// Arguments for every shipped program but `deadlock` (tested on its own).
const CASES: &[(&str, &[&str])] = &[
    ("toro-reduce", &[]),
    ("pingpong", &[]),
    ("pi", &["1000"]),
    ("ring", &["3"]),
    ("avg", &["100"]),
    ("matvec", &["8"]),
    ("sort", &["20"]),
    ("heat", &["16", "10"]),
    ("histogram", &["100", "4", "7"]),
];

/// The program's lines in a `run` transcript: everything before the
/// summary, without the lines holding a time (the docs/programs.md rule),
/// sorted (instances print at once, so the order between ranks is free).
fn program_lines(out: &str, name: &str) -> Vec<String> {
    let summary = format!("{name}: ");
    let mut lines: Vec<String> = out
        .lines()
        .take_while(|l| !l.starts_with(&summary))
        .filter(|l| !l.contains("time"))
        .map(str::to_string)
        .collect();
    lines.sort_unstable();
    lines
}

/// What the same program prints as host threads on `ranks` ranks, in the same form.
fn host_lines(name: &str, args: &[&str], ranks: usize) -> Vec<String> {
    let program = programs::find(name).expect("a shipped program");
    let runs = programs::threads::run(program, args, ranks, Duration::from_secs(20))
        .unwrap_or_else(|why| panic!("{name} on the host: {why}"));
    let mut lines: Vec<String> = runs
        .into_iter()
        .flat_map(|ran| {
            assert!(ran.result.is_ok(), "{name} failed on the host: {ran:?}");
            ran.lines
        })
        .filter(|l| !l.contains("time"))
        .collect();
    lines.sort_unstable();
    lines
}

#[test]
fn every_program_prints_what_it_prints_on_the_host_on_3_and_4_cores() {
    let listed: Vec<&str> = CASES.iter().map(|(name, _)| *name).collect();
    for program in programs::PROGRAMS {
        assert!(
            program.name == "deadlock" || listed.contains(&program.name),
            "add '{}' to CASES",
            program.name
        );
    }
    let mut machine = boot(4);
    for (ranks, cores) in [(3, "0-2"), (4, "0-3")] {
        for (name, args) in CASES {
            let command = format!("run {name} --cores {cores} {}", args.join(" "));
            let out = machine.run(command.trim_end());
            assert!(
                !out.contains("error:") && !out.contains("failed"),
                "{command}:\n{out}"
            );
            assert_eq!(
                program_lines(&out, name),
                host_lines(name, args, ranks),
                "{command}:\n{out}"
            );
            assert_summary(&out, name, ranks, cores);
        }
    }
}

#[test]
fn pi_on_cores_1_to_3() {
    let mut machine = boot(4);
    let out = machine.run_checked("run pi 1000 --cores 1-3");
    assert!(
        out.lines()
            .any(|l| l.starts_with("pi is approximately 3.14159")),
        "{out}"
    );
    assert_summary(&out, "pi", 3, "1-3");
    assert!(
        out.contains("\nrank 1 (core 2): ok, sent 1 messages"),
        "each rank sends its share to rank 0: {out}"
    );
}

#[test]
fn bad_input_gets_one_clear_error_and_the_shell_goes_on() {
    let mut machine = boot(4);
    let cases = [
        (
            "run pj 10",
            "error: unknown program 'pj' (did you mean 'pi'?); 'programs' lists them",
        ),
        ("run pi", "error: "),
        ("run pi ten", "; usage: run pi N"),
        ("run pi 10 20", "; usage: run pi N"),
        ("run pi 10 --cores 1-7", "error: core 7 is out of range"),
        ("run pi 10 --cores 1,1", "error: core 1 is listed twice"),
        (
            "run pi 10 --hang-after soon",
            "error: --hang-after takes seconds",
        ),
        (
            "run pi 10 --inject boom:1",
            "error: --inject takes KIND:RANK",
        ),
        (
            "run pi 10 --inject panic:0",
            "a panic or fault there would stop the shell",
        ),
        (
            "run pi 10 --cores 1,2 --inject fail:2",
            "there is no rank 2 among 2 ranks",
        ),
        ("run", "error: "),
    ];
    for (command, expected) in cases {
        let out = machine.run(command);
        assert!(out.contains(expected), "{command}:\n{out}");
        assert_eq!(out.matches("error:").count(), 1, "{command}:\n{out}");
        assert!(
            !out.contains("ranks on cores"),
            "nothing ran: {command}:\n{out}"
        );
    }
    let out = machine.run_checked("run pi ten");
    assert!(out.contains("usage: run pi N"), "{out}");
    assert!(
        machine
            .run_checked("run pi 100 --cores 1,2")
            .contains("pi is approximately")
    );
}

#[test]
fn busy_cores_are_refused() {
    let mut machine = boot(4);
    assert!(
        machine
            .run("spin 2 20000 &")
            .contains("running in the background")
    );
    let out = machine.run_checked("run pi 100 --cores 1-3");
    assert!(
        out.contains("error: core 2 is busy running 'spin'"),
        "{out}"
    );
    let out = machine.run_checked("run pi 100");
    assert!(
        out.contains("error: core 2 is busy running 'spin'"),
        "{out}"
    );
    let out = machine.run_checked("run pi 100 --cores 1,3");
    assert!(
        out.contains("pi is approximately"),
        "the free cores still run: {out}"
    );
}

/// The cores' states, expecting every core but the shell's idle.
fn assert_all_idle(machine: &mut Machine, cores: usize) {
    let out = machine.run("cores");
    for core in 1..cores {
        assert!(
            out.contains(&format!("core {core}: apic {core}, idle")),
            "{out}"
        );
    }
}

#[test]
fn ctrl_c_stops_every_instance_and_the_cores_go_idle() {
    let mut machine = boot(4);
    machine.send("run deadlock --cores 0-3\r");
    let lines: Vec<String> = (0..4)
        .map(|r| {
            let (from, to) = ((r + 1) % 4, (r + 3) % 4);
            format!("rank {r}: receive from rank {from}, then send to rank {to}")
        })
        .collect();
    wait_for_all(&mut machine, &lines);
    std::thread::sleep(Duration::from_millis(300));
    let out = machine.ctrl_c(WAIT);
    assert!(out.contains("deadlock stopped by Ctrl-C"), "{out}");
    assert_summary(&out, "deadlock", 4, "0-3");
    assert_all_idle(&mut machine, 4);
    assert!(machine.run_checked("run ring 2").contains("success! token"));
}

/// A core list is a set: ranks go to its cores lowest first, whatever
/// order they were typed in, as `help run` and docs/shell.md say.
#[test]
fn ranks_take_the_listed_cores_lowest_first() {
    let mut machine = boot(4);
    let out = machine.run_checked("run ring 2 --cores 3,1,2");
    assert_summary(&out, "ring", 3, "1-3");
    for (rank, core) in [(0, 1), (1, 2), (2, 3)] {
        let line = format!("rank {rank} (core {core}): ok");
        assert!(out.lines().any(|l| l.starts_with(&line)), "{line}:\n{out}");
    }
}

/// A computation that makes no MPI call for minutes (10^9 intervals under
/// emulation, or a long rod's heat on one rank) still stops at once: the
/// program checks between its chunks.
#[test]
fn ctrl_c_stops_a_long_computation() {
    let mut machine = boot(4);
    machine.send("run pi 1000000000 --cores 1-3\r");
    wait_for(&mut machine, "run pi 1000000000 --cores 1-3");
    std::thread::sleep(Duration::from_millis(500));
    let out = machine.ctrl_c(WAIT);
    assert!(out.contains("pi stopped by Ctrl-C"), "{out}");
    assert!(!out.contains("pi is approximately"), "{out}");
    assert_all_idle(&mut machine, 4);
    // One rank alone makes no MPI call at all: it checks by itself.
    for (program, args) in [("pi", "1000000000"), ("heat", "1000000 1000000")] {
        let line = format!("run {program} {args} --cores 1");
        machine.send(&format!("{line}\r"));
        wait_for(&mut machine, &line);
        std::thread::sleep(Duration::from_millis(500));
        let out = machine.ctrl_c(WAIT);
        assert!(
            out.contains(&format!("{program} stopped by Ctrl-C")),
            "{out}"
        );
        assert_all_idle(&mut machine, 4);
    }
}

#[test]
fn a_failing_instance_is_reported_and_the_others_are_stopped() {
    let mut machine = boot(4);
    let out = machine.run_checked("run toro-reduce --inject fail:1");
    assert!(
        out.contains("\nrank 1 (core 1) failed: injected failure (--inject fail)\n"),
        "{out}"
    );
    assert!(
        out.contains("\nstopped rank(s) 0"),
        "the root waited for rank 1: {out}"
    );
    assert!(!out.contains("success!"), "{out}");
    assert_summary(&out, "toro-reduce", 4, "0-3");
    assert_all_idle(&mut machine, 4);
    let out = machine.run_checked("run toro-reduce");
    assert!(
        out.contains("\nsuccess! value: 6\n"),
        "the next run is clean: {out}"
    );
}

#[test]
fn a_panic_or_fault_in_an_instance_is_reported_and_the_shell_lives_on() {
    let mut machine = Machine::boot(Config {
        command_timeout: Duration::from_secs(30),
        crash_ok: true,
        ..Config::smp(4)
    });
    let out = machine.run_checked("run toro-reduce --inject panic:2");
    assert!(out.contains("KERNEL PANIC on core 2: "), "{out}");
    assert!(out.contains("injected panic (--inject panic)"), "{out}");
    assert!(
        out.contains("rank 2 (core 2) died: kernel panic in kernel::commands::program_run::"),
        "{out}"
    );
    assert!(out.contains("\nstopped rank(s) 0"), "{out}");
    let out = machine.run_checked("run toro-reduce --cores 0,1,3 --inject fault:1");
    assert!(out.contains("EXCEPTION on core 1: page fault"), "{out}");
    assert!(
        out.contains("rank 1 (core 1) died: page fault in "),
        "{out}"
    );
    let out = machine.run_checked("run toro-reduce --cores 0,3");
    assert!(
        out.contains("\nsuccess! value: 1\n"),
        "the shell and core 3 go on: {out}"
    );
}

#[test]
fn run_in_the_background_reports_when_it_ends() {
    let mut machine = boot(4);
    let out = machine.run("run ring 2 --cores 1-3 &");
    assert!(
        out.contains("'ring' running in the background on 3 core(s)"),
        "{out}"
    );
    let out = wait_for(&mut machine, "ring: 3 ranks on cores 1-3, wall time ");
    assert!(out.contains("success! token"), "{out}");
    wait_for(
        &mut machine,
        "rank 2 (core 3): ok, sent 2 messages, 64 bytes",
    ); // the report's end
    wait_for(&mut machine, "ring ended on core(s) 1-3, in the background");
    // Both print at once, but each line whole (console.rs, `Console`).
    let out = machine.run("run deadlock --hang-after 0 &");
    assert!(
        out.contains("'deadlock' running in the background on "),
        "{out}"
    );
    // Each rank prints one line, then waits forever: let them all land
    // before typing, so no line cuts the echo of `cores`.
    let ranks: Vec<String> = (0..3)
        .map(|rank| format!("rank {rank}: receive from rank "))
        .collect();
    wait_for_all(&mut machine, &ranks);
    let cores = machine.run("cores");
    for core in 1..4 {
        assert!(
            cores.contains(&format!("core {core}: apic {core}, running deadlock for ")),
            "all cores but core 0 by default with &: {cores}"
        );
    }
    machine.send("\x03");
    wait_for(&mut machine, "deadlock stopped by Ctrl-C");
    wait_for(
        &mut machine,
        "deadlock ended on core(s) 1-3, in the background",
    );
    assert_all_idle(&mut machine, 4);
}

/// The seconds in a hang report's `hang: every rank has waited S s` line.
fn waited_seconds(report: &str) -> f64 {
    let (_, after) = report
        .split_once("hang: every rank has waited ")
        .unwrap_or_else(|| panic!("no hang report: {report}"));
    let seconds = after.split(' ').next().unwrap_or_default();
    seconds
        .parse()
        .unwrap_or_else(|_| panic!("{seconds:?} is not seconds: {report}"))
}

/// Boots 3 cores, runs `deadlock` on cores 1 and 2 with `options`, and
/// returns what it printed up to the end of its hang report.
fn deadlock_on_1_and_2(options: &str) -> (Machine, String) {
    let mut machine = boot(3);
    machine.send(&format!("run deadlock --cores 1,2{options}\r"));
    let out = wait_for(&mut machine, "hang: still waiting; Ctrl-C stops the run");
    (machine, out)
}

/// Output of a run in the background prints over the prompt, which comes
/// back under it while the run goes on: after the ranks' own lines (no hang
/// report), and after a hang report. It used to stay away until the job
/// ended.
#[test]
fn after_background_output_the_prompt_comes_back() {
    let ended = "deadlock ended on core(s) 1-2, in the background";
    let mut machine = boot(3);
    machine.send("run deadlock --cores 1,2 --hang-after 0 &\r");
    wait_for(
        &mut machine,
        "rank 0: receive from rank 1, then send to rank 1",
    );
    machine.expect_or_fail("ringlab> ", Duration::from_secs(5));
    machine.send("\x03");
    wait_for(&mut machine, ended);
    let (mut machine, _) = deadlock_on_1_and_2(" &");
    machine.expect_or_fail("ringlab> ", Duration::from_secs(5));
    machine.send("\x03");
    wait_for(&mut machine, ended);
}

#[test]
fn a_deadlock_is_reported_with_who_waits_for_whom() {
    let (mut machine, out) = deadlock_on_1_and_2("");
    assert!(
        waited_seconds(&out) >= 2.0
            && out.contains(" s with no message moving (ranks on cores 1,2)\n"),
        "after the default 2 s: {out}"
    );
    assert!(
        out.contains("\nrank 0 waits to receive from 1 with tag 9\n"),
        "{out}"
    );
    assert!(
        out.contains("\nrank 1 waits to receive from 0 with tag 9\n"),
        "{out}"
    );
    assert!(
        out.contains("deadlock: rank 0 waits for rank 1, rank 1 waits for rank 0"),
        "{out}"
    );
    std::thread::sleep(Duration::from_secs(1));
    let out = machine.ctrl_c(WAIT);
    assert!(
        out.contains("deadlock stopped by Ctrl-C"),
        "kept waiting until Ctrl-C: {out}"
    );
    assert_all_idle(&mut machine, 3);
}

#[test]
fn a_short_threshold_reports_sooner_and_0_never() {
    let (mut machine, out) = deadlock_on_1_and_2(" --hang-after 0.3");
    // Reported once 0.3 s have passed, well before the default 2 s.
    let waited = waited_seconds(&out);
    assert!((0.3..2.0).contains(&waited), "{out}");
    machine.ctrl_c(WAIT);
    machine.send("run deadlock --cores 1,2 --hang-after 0\r");
    std::thread::sleep(Duration::from_secs(4));
    let out = machine.ctrl_c(WAIT);
    assert!(
        !out.contains("hang:"),
        "--hang-after 0 never reports: {out}"
    );
}

/// A program asking for more memory than the machine has gets one clear
/// error (what, how much, how much is free) and the machine stays usable:
/// `avg 10000000` needs 80 MB for its numbers on a 64 MiB machine.
#[test]
fn a_program_asking_for_too_much_memory_is_refused_and_the_machine_lives_on() {
    let mut machine = Machine::boot(Config {
        memory: "64M".into(),
        command_timeout: Duration::from_secs(60),
        ..Config::smp(4)
    });
    let out = machine.run_checked("run avg 10000000");
    let failed = out
        .lines()
        .find(|l| l.starts_with("rank 0 (core 0) failed: "))
        .unwrap_or_else(|| panic!("no failure line:\n{out}"));
    assert!(
        failed.contains("not enough memory for 10000000 seeded numbers (80000000 bytes); ")
            && failed.ends_with(" of memory is free"),
        "{out}"
    );
    // The other ranks stop, or fail the same way if their own share did
    // not fit either: never another kind of failure, never a fault.
    for line in out
        .lines()
        .filter(|l| l.contains(" failed: ") || l.contains(" died: "))
    {
        assert!(line.contains("not enough memory for "), "{out}");
    }
    let out = machine.run_checked("run avg 1000");
    assert!(!out.contains("failed"), "{out}");
    assert!(
        machine
            .run_checked("reduce 64 sum")
            .contains("success! value: 6")
    );
}
