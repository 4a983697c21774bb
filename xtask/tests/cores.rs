//! QEMU tests of the cores and the job model: states seen by `cores`, busy
//! cores refused, Ctrl-C stopping a job, exception reports for each kind of
//! fault and what happens to the core afterwards, and a long idle period
//! with no stray interrupt.

use std::thread::sleep;
use std::time::Duration;

use xtask::harness::{Config, Machine};

fn crashing(smp: u32) -> Config {
    Config {
        crash_ok: true,
        ..Config::smp(smp)
    }
}

#[test]
fn a_background_job_shows_as_running_and_its_core_is_busy() {
    let mut machine = Machine::boot(Config::smp(3));
    let started = machine.run("spin 1 20000 &");
    assert!(started.contains("running in the background"), "{started}");
    let cores = machine.run("cores");
    assert!(
        cores.contains("core 1: apic 1, running spin for "),
        "{cores}"
    );
    assert!(cores.contains("core 2: apic 2, idle"), "{cores}");
    let busy = machine.run("spin 1-2 10");
    assert!(
        busy.starts_with("error: core 1 is busy running 'spin'"),
        "{busy}"
    );
    let done = machine.run("spin 2 50");
    // At least the 50 ms asked for; a loaded host may take longer.
    let seconds: f64 = done
        .strip_prefix("spun 1 core(s) for ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{done}"));
    assert!(seconds >= 0.05, "{done}");
}

#[test]
fn ctrl_c_stops_a_running_job_and_the_cores_go_idle() {
    let mut machine = Machine::boot(Config::smp(3));
    machine.send("spin 1-2 60000\r");
    machine.expect_or_fail("spin 1-2 60000\n", Duration::from_secs(10));
    sleep(Duration::from_millis(300));
    let out = machine.ctrl_c(Duration::from_secs(10));
    assert!(out.contains("stopped by Ctrl-C after"), "{out}");
    let cores = machine.run("cores");
    assert!(
        cores.contains("core 1: apic 1, idle") && cores.contains("core 2: apic 2, idle"),
        "{cores}"
    );
}

#[test]
fn ctrl_c_typed_ahead_drops_the_line_before_it_and_keeps_the_one_after() {
    let mut machine = Machine::boot(Config::smp(2));
    machine.send("spin 1 60000\r");
    machine.expect_or_fail("spin 1 60000\n", Duration::from_secs(10));
    machine.send("echo before\x03echo after\r");
    let out = machine.expect_or_fail("\nafter\n", Duration::from_secs(10));
    assert!(out.contains("stopped by Ctrl-C after"), "{out}");
    assert!(
        !out.contains("beforeecho"),
        "the text before Ctrl-C ran:\n{out}"
    );
    assert!(
        !out.contains("\nbefore\n"),
        "the text before Ctrl-C ran:\n{out}"
    );
}

/// Runs `fault <core> <kind>` and returns its output.
fn fault(machine: &mut Machine, core: usize, kind: &str) -> String {
    machine.run(&format!("fault {core} {kind}"))
}

#[test]
fn a_page_fault_on_a_job_core_is_reported_and_parks_the_core() {
    let mut machine = Machine::boot(crashing(2));
    let out = fault(&mut machine, 1, "page");
    for expected in [
        // A frame-pointer backtrace, each frame named: the fault, then the
        // job loop that ran the command's closure.
        "    backtrace:\n      #0  0x",
        "      #1  0x",
        " in kernel::cores::job_loop +0x",
        // The kernel's own symbol table names the faulting function.
        "fault_injection::trigger +0x",
        "EXCEPTION on core 1: page fault (#PF, vector 14), error code 0x0, rip 0x",
        "while running job 'fault'",
        "fault address (cr2) 0x100000000000",
        "page fault: read access, page not present",
        "core 1 faulted while running 'fault'",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    let cores = machine.run("cores");
    assert!(
        cores.contains("core 1: apic 1, faulted (page fault at rip 0x"),
        "{cores}"
    );
    assert!(
        cores.ends_with("2 cores online, 1 of them faulted\n"),
        "{cores}"
    );
    let refused = machine.run("spin 1 10");
    assert!(refused.starts_with("error: core 1 is faulted"), "{refused}");
}

#[test]
fn a_stack_overflow_hits_the_guard_page_and_is_reported() {
    let mut machine = Machine::boot(crashing(2));
    let out = fault(&mut machine, 1, "stack");
    assert!(
        out.contains("EXCEPTION on core 1: double fault (#DF, vector 8)"),
        "{out}"
    );
    assert!(
        out.contains("stack overflow: core 1's stack ran into its guard page"),
        "{out}"
    );
}

#[test]
fn every_fault_kind_has_its_report() {
    let mut machine = Machine::boot(crashing(4));
    let kinds = [
        (1, "gp", "general protection fault (#GP, vector 13)"),
        (2, "divide", "divide error (#DE, vector 0)"),
        (3, "opcode", "invalid opcode (#UD, vector 6)"),
    ];
    for (core, kind, report) in kinds {
        let out = fault(&mut machine, core, kind);
        assert!(
            out.contains(&format!("EXCEPTION on core {core}: {report}")),
            "{kind}:\n{out}"
        );
        assert!(
            out.contains("rax 0x") && out.contains("r15 0x"),
            "{kind}: no register dump:\n{out}"
        );
    }
    let bad = fault(&mut machine, 1, "nonsense");
    assert!(
        bad.starts_with("error: unknown fault kind 'nonsense' (valid: page, gp, divide"),
        "{bad}"
    );
}

#[test]
fn a_breakpoint_resumes_the_core() {
    let mut machine = Machine::boot(crashing(2));
    let out = fault(&mut machine, 1, "breakpoint");
    assert!(
        out.contains("EXCEPTION on core 1: breakpoint (#BP, vector 3)"),
        "{out}"
    );
    assert!(out.contains("core 1 resumed after the breakpoint"), "{out}");
    assert!(machine.run("cores").contains("core 1: apic 1, idle"));
}

#[test]
fn a_fault_on_the_shell_core_restarts_the_shell() {
    let mut machine = Machine::boot(crashing(2));
    for kind in ["page", "stack"] {
        machine.send(&format!("fault 0 {kind}\r"));
        let out = machine.expect_or_fail("ringlab> ", Duration::from_secs(10));
        assert!(out.contains("EXCEPTION on core 0"), "{kind}:\n{out}");
        assert!(
            out.contains("restarting the shell") && out.contains("shell restarted"),
            "{kind}:\n{out}"
        );
        assert_eq!(machine.run("echo alive"), "alive\n");
    }
    assert!(machine.run("cores").contains("core 1: apic 1, idle"));
}

/// Regression: an 8259 interrupt latched during boot used to arrive with no
/// vector once the shell first halted (a #GP on core 0 at -smp 8).
#[test]
fn an_idle_machine_stays_quiet() {
    let mut machine = Machine::boot(Config::smp(8));
    sleep(Duration::from_millis(1500));
    assert_eq!(machine.run("echo quiet"), "quiet\n");
    let log = machine.log();
    assert!(
        !log.contains("EXCEPTION") && !log.contains("warning"),
        "{log}"
    );
}

/// A Rust panic in a job parks its core as faulted (not "running" for ever)
/// and the shell goes on.
#[test]
fn a_panic_on_a_job_core_marks_it_faulted() {
    let mut machine = Machine::boot(crashing(2));
    let out = machine.run("fault 1 panic");
    assert!(out.contains("KERNEL PANIC on core 1: "), "{out}");
    assert!(out.contains("    backtrace:\n      #0  0x"), "{out}");
    assert!(out.contains(" in kernel::cores::job_loop +0x"), "{out}");
    assert!(
        out.contains("core 1 faulted while running 'fault'"),
        "{out}"
    );
    let cores = machine.run("cores");
    assert!(
        cores.contains("core 1: apic 1, faulted (kernel panic at rip 0x"),
        "{cores}"
    );
    assert!(
        !cores.contains("rip 0x0)"),
        "the panic's place is unknown:\n{cores}"
    );
    let refused = machine.run("fault 0 panic");
    assert!(
        refused.starts_with("error: a panic on core 0 would stop the shell"),
        "{refused}"
    );
}

/// Ctrl-C at the prompt stops background jobs.
#[test]
fn ctrl_c_at_the_prompt_stops_background_jobs() {
    let mut machine = Machine::boot(Config::smp(3));
    assert!(
        machine
            .run("spin 1-2 60000 &")
            .contains("running in the background")
    );
    machine.send("\x03");
    machine.expect_or_fail(
        "asked core(s) 1-2 to stop their background job",
        Duration::from_secs(10),
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let cores = machine.run("cores");
        if cores.contains("core 1: apic 1, idle") && cores.contains("core 2: apic 2, idle") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the background spin did not stop:\n{cores}"
        );
        sleep(Duration::from_millis(200));
    }
}

/// Starts a million round trips from `src` to `dst`, lets them run, types
/// Ctrl-C and checks its report: how far the ping got and the round trips
/// so far, once, and no line that reads like a bus failure.
fn ping_stopped_by_ctrl_c(machine: &mut Machine, src: usize, dst: usize) {
    let command = format!("ping {src} {dst} --count 1000000");
    machine.send(&format!("{command}\r"));
    machine.expect_or_fail(&format!("{command}\n"), Duration::from_secs(10));
    sleep(Duration::from_millis(300));
    let out = machine.ctrl_c(Duration::from_secs(20));
    let stopped = out
        .lines()
        .filter(|l| l.starts_with("ping stopped by Ctrl-C: "))
        .collect::<Vec<_>>();
    assert_eq!(stopped.len(), 1, "{out}");
    assert!(
        stopped[0].ends_with(&format!(" of 1000000 round trip(s) to core {dst} done")),
        "{out}"
    );
    assert!(
        out.contains(&format!("Core[{src}] <-> Core[{dst}]: ")),
        "{out}"
    );
    assert!(!out.contains("failed"), "{out}");
}

/// Ctrl-C in a ping between two other cores: the same report.
#[test]
fn ctrl_c_in_a_ping_says_how_far_it_got() {
    let mut machine = Machine::boot(Config::smp(3));
    ping_stopped_by_ctrl_c(&mut machine, 1, 2);
    machine.check_queues("a ping stopped by Ctrl-C");
}

/// The shell core's own part of a demo sees Ctrl-C, the other cores are
/// stopped with it, and the next demo works (deterministic: a ping of a
/// million round trips never finishes first).
#[test]
fn ctrl_c_stops_a_demo_whose_part_runs_on_the_shell_core() {
    let mut machine = Machine::boot(Config::smp(2));
    ping_stopped_by_ctrl_c(&mut machine, 0, 1);
    assert!(machine.run("cores").contains("core 1: apic 1, idle"));
    assert_eq!(
        machine.run_checked("ping 0 1"),
        "Core[0] -> Core[1]: ping\nCore[1] -> Core[0]: pong\n"
    );
}

#[test]
fn a_faulted_core_restarts_and_runs_a_collective_again() {
    let mut machine = Machine::boot(crashing(3));
    fault(&mut machine, 1, "page");
    let refused = machine.run_checked("reduce 64 sum --cores 0-2");
    assert!(refused.starts_with("error: core 1 is faulted"), "{refused}");
    let restarted = machine.run("cores restart 1");
    assert!(restarted.starts_with("core 1 restarted in "), "{restarted}");
    let cores = machine.run("cores");
    assert!(cores.contains("core 1: apic 1, idle"), "{cores}");
    assert!(cores.ends_with("3 cores online\n"), "{cores}");
    let reduce = machine.run_checked("reduce 64 sum --cores 0-2");
    assert!(reduce.contains("success! value: 3"), "{reduce}");
    // A fault after a restart is reported and parks the core again.
    let again = fault(&mut machine, 1, "gp");
    assert!(
        again.contains("core 1 faulted while running 'fault'"),
        "{again}"
    );
    assert!(
        machine
            .run("cores restart 1")
            .starts_with("core 1 restarted in ")
    );
    assert!(machine.run_checked("ping 1 2").contains("pong"));
}

/// What a faulting `fault` job leaves allocated: its closure and its job box.
const FAULT_JOB_ALLOCATIONS: usize = 2;

/// How many allocations the heap holds, from `mem`'s `(N allocations)`.
fn heap_allocations(machine: &mut Machine) -> usize {
    let mem = machine.run("mem");
    let count = (mem.lines())
        .find(|l| l.starts_with("heap"))
        .and_then(|l| l.rsplit_once(" in use (")?.1.strip_suffix(" allocations)"))
        .and_then(|n| n.parse().ok());
    count.unwrap_or_else(|| panic!("no heap allocation count: {mem}"))
}

/// Restarting a core reuses its GDT and TSS slot instead of leaking a new
/// pair each time (it leaked 2 allocations per restart). What stays is what
/// the faulted job held when its frames were abandoned: the `fault` job's
/// 2 allocations. Measured once the shell's 32-line history is full, so a
/// new line frees an old one.
#[test]
fn restarting_a_core_leaks_no_memory() {
    let mut machine = Machine::boot(crashing(2));
    let cycle = |machine: &mut Machine| {
        fault(machine, 1, "page");
        let restarted = machine.run("cores restart 1");
        assert!(restarted.starts_with("core 1 restarted in "), "{restarted}");
    };
    for _ in 0..17 {
        cycle(&mut machine); // 34 lines: the 32-line history is full
    }
    let before = heap_allocations(&mut machine);
    for _ in 0..3 {
        cycle(&mut machine);
    }
    let after = heap_allocations(&mut machine);
    assert!(
        after <= before + 3 * FAULT_JOB_ALLOCATIONS,
        "{before} allocations before 3 restarts, {after} after"
    );
}

#[test]
fn only_a_faulted_core_is_restarted() {
    let mut machine = Machine::boot(Config::smp(2));
    for (line, error) in [
        ("cores restart 1", "error: core 1 is not faulted (idle)"),
        ("cores restart 0", "error: core 0 runs the shell"),
        (
            "cores restart 5",
            "error: no core 5: this machine has cores 0-1",
        ),
        ("cores restart", "error: "),
        ("cores reboot 1", "error: unknown cores subcommand 'reboot'"),
    ] {
        let out = machine.run(line);
        assert!(out.starts_with(error), "`{line}`:\n{out}");
    }
}
