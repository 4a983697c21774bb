//! QEMU tests of the MPI demos: the seed's `reduce` lines on chosen cores,
//! every collective with both algorithms, types and ops, Ctrl-C in the
//! middle of a collective, `bench reduce`, the ends of demos nobody waits
//! for, and the bad-input cases.

use std::thread::sleep;
use std::time::Duration;

use xtask::harness::{Config, Machine};

fn hellos(out: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("hello from core "))
        .collect();
    lines.sort_unstable();
    lines
}

#[test]
fn reduce_64_sum_on_4_cores_prints_the_seed_lines() {
    let mut machine = Machine::boot(Config::smp(4));
    let out = machine.run_checked("reduce 64 sum");
    assert_eq!(
        hellos(&out),
        [
            "hello from core 0",
            "hello from core 1",
            "hello from core 2",
            "hello from core 3"
        ],
        "{out}"
    );
    assert!(out.contains("\nsuccess! value: 6\n"), "{out}");
    let last = out.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("reduce 64 x i32 (sum, linear) on cores 0-3, root 0: "),
        "{out}"
    );
    assert!(
        last.contains(" cycles = ") && last.ends_with(" us"),
        "{out}"
    );
}

#[test]
fn reduce_on_chosen_cores_with_a_chosen_root() {
    let mut machine = Machine::boot(Config::smp(4));
    let out = machine.run_checked("reduce 64 max --cores 1,3 --root 3");
    assert_eq!(
        hellos(&out),
        ["hello from core 1", "hello from core 3"],
        "{out}"
    );
    assert!(out.contains("\nsuccess! value: 3\n"), "{out}");
    let out = machine.run_checked("reduce 16 sum --cores 1-3 --algo tree --type u64");
    assert!(out.contains("success! value: 6"), "{out}");
}

#[test]
fn every_collective_succeeds_with_both_algorithms() {
    let mut machine = Machine::boot(Config {
        command_timeout: Duration::from_secs(30),
        ..Config::smp(4)
    });
    let cases = [
        ("allreduce 32 sum", "success! value: 6"),
        (
            "allreduce 32 prod --type i64 --cores 1-3",
            "success! value: 6",
        ),
        ("bcast 32 --root 2", "success! value: 2"),
        ("gather 8 --cores 1-3", "success! value: 3"),
        ("scatter 8 --root 1", "success! value: 1"),
        ("allgather 4", "success! value: 3"),
        ("barrier", "success! all 4 cores passed the barrier"),
        ("reduce 64 bxor --type u32", "success! value: 0"),
        ("reduce 64 min --type f64 --cores 2,3", "success! value: 2"),
        (
            "reduce 70000 sum --type f32 --cores 0,1",
            "success! value: 1",
        ),
    ];
    for (line, expected) in cases {
        for algo in ["linear", "tree"] {
            let command = format!("{line} --algo {algo}");
            let out = machine.run_checked(&command);
            assert!(
                out.contains(expected),
                "`{command}` should print {expected:?}:\n{out}"
            );
        }
    }
}

/// Ctrl-C in the middle of a collective: every rank stops, the cores go
/// idle, the next demo works. The reduce is long (2 MiB of f64 per core) and
/// Ctrl-C follows its start closely; should a fast run still finish first,
/// the test tries again, and fails if it never managed to interrupt one.
#[test]
fn ctrl_c_stops_a_collective_and_the_next_one_works() {
    let mut machine = Machine::boot(Config {
        command_timeout: Duration::from_secs(30),
        ..Config::smp(3)
    });
    let stopped = (0..3).any(|_| {
        machine.send("reduce 262144 prod --type f64\r");
        machine.expect_or_fail("hello from core", Duration::from_secs(10));
        sleep(Duration::from_millis(50));
        let out = machine.ctrl_c(Duration::from_secs(30));
        if out.contains("reduce stopped by Ctrl-C") {
            // Stopped is not failed: one line names the stopped cores, and
            // no rank reports `failed!`.
            assert!(!out.contains("failed!"), "a stop read as a failure: {out}");
            assert!(!out.contains("aborted"), "{out}");
            return true;
        }
        assert!(
            out.contains("success! value"),
            "neither stopped nor finished: {out}"
        );
        false
    });
    assert!(
        stopped,
        "Ctrl-C never arrived before the reduce finished, in 3 tries"
    );
    let cores = machine.run("cores");
    assert!(
        cores.contains("core 1: apic 1, idle") && cores.contains("core 2: apic 2, idle"),
        "{cores}"
    );
    assert!(
        machine
            .run_checked("reduce 64 sum")
            .contains("success! value: 3")
    );
    assert!(
        machine
            .run_checked("ping 0 1")
            .contains("Core[1] -> Core[0]: pong")
    );
}

#[test]
fn bench_reduce_prints_linear_and_tree_side_by_side() {
    let mut machine = Machine::boot(Config {
        command_timeout: Duration::from_secs(60),
        ..Config::smp(3)
    });
    let out = machine.run_checked("bench reduce 64 --rounds 20");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0], "reduce 64 x i32 (sum) on cores 0-2, root 0, median of 20:",
        "{out}"
    );
    assert!(lines[1].trim_start().starts_with("linear "), "{out}");
    assert!(lines[2].trim_start().starts_with("tree "), "{out}");
    assert!(lines[3].trim_start().starts_with("tree/linear "), "{out}");
}

/// Ctrl-C in `bench reduce` says the bench was stopped and has no figures,
/// and the cores are free for the next one.
#[test]
fn ctrl_c_in_bench_reduce_says_it_was_stopped() {
    let mut machine = Machine::boot(Config::smp(3));
    machine.send("bench reduce 4096 --rounds 10000\r");
    machine.expect_or_fail(
        "bench reduce 4096 --rounds 10000\n",
        Duration::from_secs(10),
    );
    sleep(Duration::from_millis(500));
    let out = machine.ctrl_c(Duration::from_secs(20));
    assert!(
        out.contains("reduce did not finish (stopped by Ctrl-C, or the failure above)"),
        "{out}"
    );
    assert!(!out.contains("failed:"), "{out}");
    machine.check_queues("a bench reduce stopped by Ctrl-C");
}

#[test]
fn collectives_reject_bad_input_listing_what_is_valid() {
    let mut machine = Machine::boot(Config::smp(4));
    machine.run("spin 2 30000 &");
    let cases = [
        ("reduce 0 sum", "len 0 is out of range (valid: 1-262144)"),
        ("reduce 262145 sum", "out of range (valid: 1-262144)"),
        (
            "reduce 64 avg",
            "unknown op 'avg' (valid: sum, prod, min, max, land, lor, lxor, band, bor, bxor)",
        ),
        (
            "reduce 64 sum --type i8",
            "unknown type 'i8' (valid: i32, i64, u32, u64, f32, f64)",
        ),
        ("reduce 64 band --type f32", "band is not defined for f32"),
        (
            "reduce 64 sum --root 2 --cores 0,1",
            "root 2 is not one of the cores 0-1",
        ),
        ("reduce 64 sum --cores 1,9", "out of range"),
        ("reduce 64 sum --cores 1,1", "listed twice"),
        (
            "reduce 64 sum --algo ring",
            "unknown algorithm 'ring' (valid: linear, tree)",
        ),
        ("reduce 64 sum --cores 1-3", "core 2 is busy running 'spin'"),
        ("allreduce 64 sum --root 1", "unknown option"),
        ("barrier 5", "unexpected argument '5'"),
    ];
    for (line, expected) in cases {
        let out = machine.run(line);
        let error = out
            .lines()
            .find(|l| l.starts_with("error: "))
            .unwrap_or_default();
        assert!(
            error.contains(expected),
            "`{line}` should say {expected:?}:\n{out}"
        );
        assert_eq!(machine.run("echo alive"), "alive\n");
    }
}

/// A demo too big for the machine's memory is refused before any core
/// allocates, with what it needs and what is free; the machine goes on.
#[test]
fn a_demo_larger_than_memory_is_refused_and_the_next_one_works() {
    let mut machine = Machine::boot(Config {
        memory: "64M".into(),
        ..Config::smp(8)
    });
    let out = machine.run_checked("allgather 262144 --type f64");
    assert!(
        out.starts_with("error: allgather 262144 x f64 on 8 cores needs about "),
        "{out}"
    );
    assert!(
        out.contains(" is free; use fewer elements or fewer cores"),
        "{out}"
    );
    assert!(
        machine
            .run_checked("reduce 64 sum")
            .contains("success! value: 28")
    );
    let cores = machine.run("cores");
    assert!(!cores.contains("faulted"), "{cores}");
}

/// Fails the test unless `text` arrives within 60 s; returns what came.
fn wait_for(machine: &mut Machine, text: &str) -> String {
    machine.expect_or_fail(text, Duration::from_secs(60))
}

/// Starts a long tree reduce on every core and types Ctrl-C twice `after`
/// its first hello, then waits until it has ended: if the shell stopped
/// waiting, the cores still running say when they end, before the prompt
/// or after it.
fn ctrl_c_twice_in_a_long_reduce(machine: &mut Machine, after: Duration) {
    machine.send("reduce 262144 prod --type f64 --algo tree\r");
    wait_for(machine, "hello from core");
    sleep(after);
    machine.send("\x03\x03");
    let out = wait_for(machine, "ringlab> ");
    let ended = "reduce ended on core(s) 0-3, after the shell stopped waiting";
    if out.contains("^C again: stopped waiting") && !out.contains(ended) {
        wait_for(machine, ended);
    }
}

/// Issue 15's sequences that left messages behind: each time, the next
/// command succeeds the first time, says what it threw away, and every
/// queue is consistent afterwards.
#[test]
fn leftover_messages_are_discarded_and_the_next_demo_succeeds_the_first_time() {
    let mut machine = Machine::boot(Config {
        command_timeout: Duration::from_secs(60),
        ..Config::smp(4)
    });
    // A stray message in a ring of the barrier's cores.
    machine.run("vq send 2 1 x");
    let out = machine.run_checked("barrier --cores 1,2");
    assert!(
        out.contains("success! all 2 cores passed the barrier"),
        "{out}"
    );
    assert!(
        out.contains("barrier: discarded 1 message(s) (1 fragments) from the rings of core(s) 1, left over from before it started"),
        "{out}"
    );
    // A background ping stopped by Ctrl-C at the prompt.
    machine.run("ping 1 2 --count 1000000 &");
    machine.send("\x03");
    wait_for(&mut machine, "ping ended on core(s) 1-2, in the background");
    let out = machine.run_checked("allreduce 64 sum --cores 1,2");
    assert!(out.contains("success! value: 3"), "{out}");
    // A received and then damaged message, then a reduce on its core.
    machine.run("vq send 1 0 zzz");
    machine.run("vq corrupt 1 0 id");
    let out = machine.run_checked("reduce 64 sum");
    assert!(out.contains("success! value: 6"), "{out}");
    assert!(out.contains("1 damaged entry"), "{out}");
    // Ctrl-C twice during a long tree reduce: the shell may stop waiting.
    ctrl_c_twice_in_a_long_reduce(&mut machine, Duration::from_millis(50));
    let out = machine.run_checked("reduce 64 sum");
    assert!(out.contains("success! value: 6"), "{out}");
    let out = machine.run_checked("ping 2 3");
    assert_eq!(out, "Core[2] -> Core[3]: ping\nCore[3] -> Core[2]: pong\n");
}

/// The ends of demos nobody waits for, again and again at different
/// moments: a reduce abandoned by Ctrl-C twice (core 0's rings are emptied
/// only once its other cores are over, else a late sender leaves messages
/// in them) and a background ping stopped at the prompt. Each "ended" line
/// comes only once the cores are free: the next demo on them succeeds and
/// every queue is consistent.
#[test]
fn demos_nobody_waits_for_end_clean_whenever_they_are_stopped() {
    let mut machine = Machine::boot(Config {
        command_timeout: Duration::from_secs(60),
        ..Config::smp(4)
    });
    for round in 0..12 {
        ctrl_c_twice_in_a_long_reduce(&mut machine, Duration::from_millis(3 * round));
        let out = machine.run_checked("reduce 64 sum");
        assert!(out.contains("success! value: 6"), "round {round}: {out}");
        machine.run("ping 1 2 --count 1000000 &");
        sleep(Duration::from_millis(2 * round));
        machine.send("\x03");
        wait_for(&mut machine, "ping ended on core(s) 1-2, in the background");
        let out = machine.run_checked("allreduce 64 sum --cores 1,2");
        assert!(out.contains("success! value: 3"), "round {round}: {out}");
    }
}
