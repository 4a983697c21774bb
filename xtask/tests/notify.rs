//! QEMU tests of `bus mode poll|notify`: both modes deliver every message
//! (ping, reduce, a program via `run`), `vq stats` counts notifications
//! sent and suppressed plausibly, `vq dump` shows the event indices, the
//! hang watch and Ctrl-C still work while cores nap, and bad input is one
//! clear error. Counts stay small: under TCG on a busy host every round
//! trip costs an IPI or a spinning core.

use std::time::Duration;

use xtask::harness::{Config, Machine};
use xtask::vq_stats::{self, total};

fn boot(smp: u32) -> Machine {
    Machine::boot(Config {
        command_timeout: Duration::from_secs(60),
        ..Config::smp(smp)
    })
}

/// The `title` table of `vq stats` output.
fn matrix(stats: &str, title: &str) -> Vec<Vec<u64>> {
    vq_stats::table(stats, title).unwrap_or_else(|| panic!("no '{title}' table in: {stats}"))
}

/// `bus mode <mode>` and its answer.
fn set_mode(machine: &mut Machine, mode: &str) {
    assert_eq!(
        machine.run(&format!("bus mode {mode}")),
        format!("bus mode: {mode}\n")
    );
}

/// Checks that ping, reduce and `run` deliver every message in the current mode.
fn every_demo_delivers(machine: &mut Machine) {
    let out = machine.run("ping 1 2 --count 300");
    assert!(
        out.starts_with("Core[1] <-> Core[2]: 300 round trips, min/median/max "),
        "{out}"
    );
    let out = machine.run("ping 0 all");
    assert_eq!(out.matches(": pong\n").count(), 3, "{out}");
    let out = machine.run("reduce 64 sum");
    assert!(out.contains("\nsuccess! value: 6\n"), "{out}");
    let out = machine.run("reduce 1000 max --cores 1-3 --root 2 --algo tree");
    assert!(out.contains("\nsuccess! value: 3\n"), "{out}");
    let out = machine.run("run pi 2000 --cores 1-3");
    assert!(out.contains("pi is approximately 3.14159"), "{out}");
    assert!(
        out.contains("pi: 3 ranks on cores 1-3, wall time "),
        "{out}"
    );
}

#[test]
fn poll_mode_delivers_everything_and_sends_no_notification() {
    let mut machine = boot(4);
    assert_eq!(machine.run("bus mode"), "bus mode: poll\n", "the default");
    every_demo_delivers(&mut machine);
    let stats = machine.run("vq stats");
    assert!(stats.contains("bus mode: poll\n"), "{stats}");
    assert!(total(&matrix(&stats, "messages")) > 600, "{stats}");
    assert_eq!(total(&matrix(&stats, "notifications sent")), 0, "{stats}");
    assert_eq!(
        total(&matrix(&stats, "notifications suppressed")),
        0,
        "{stats}"
    );
}

#[test]
fn notify_mode_delivers_everything_and_counts_notifications() {
    let mut machine = boot(4);
    set_mode(&mut machine, "notify");
    assert_eq!(machine.run("bus mode"), "bus mode: notify\n");
    // The ping alone first. Every index store is counted once, as sent or
    // suppressed. A waiting core is notified at most once per message it
    // waits for, and no re-post is (nobody runs out of buffers), so the
    // pair sends between 1 (the first message always crosses the initial
    // event index) and one notification per message, and suppresses some.
    let out = machine.run("ping 1 2 --count 300");
    assert!(out.contains(": 300 round trips, "), "{out}");
    let stats = machine.run("vq stats");
    let pair = |title: &str| {
        let m = matrix(&stats, title);
        m[1][2] + m[2][1]
    };
    assert_eq!(pair("messages"), 600, "{stats}");
    assert!((1..=600).contains(&pair("notifications sent")), "{stats}");
    assert!(pair("notifications suppressed") > 0, "{stats}");
    every_demo_delivers(&mut machine);
    let stats = machine.run("vq stats");
    assert!(stats.contains("bus mode: notify\n"), "{stats}");
    let (sent, suppressed) = (
        matrix(&stats, "notifications sent"),
        matrix(&stats, "notifications suppressed"),
    );
    // Back in poll mode, nothing more is counted.
    set_mode(&mut machine, "poll");
    let out = machine.run("ping 1 3 --count 50");
    assert!(out.contains("50 round trips"), "{out}");
    let again = machine.run("vq stats");
    assert_eq!(matrix(&again, "notifications sent"), sent, "{again}");
    assert_eq!(matrix(&again, "notifications suppressed"), suppressed);
}

#[test]
fn vq_dump_shows_the_event_indices() {
    let mut machine = boot(3);
    set_mode(&mut machine, "notify");
    machine.run("ping 1 2 --count 20");
    let dump = machine.run("vq dump 1 2");
    let rings = dump.lines().nth(1).unwrap_or("");
    assert!(
        rings.contains(" used_event=") && rings.contains(" avail_event="),
        "{dump}"
    );
    // used_event is a position core 2 waited at: one of the 20 pings'.
    let used_event: u16 = rings
        .split_once(" used_event=")
        .and_then(|(_, rest)| rest.split(' ').next()?.parse().ok())
        .unwrap_or(u16::MAX);
    assert!(used_event < 20, "{dump}");
    let counters = dump.lines().nth(2).unwrap_or("");
    assert!(
        counters.starts_with("mode=notify notifications: used "),
        "{dump}"
    );
}

#[test]
fn napping_cores_still_stop_and_report_hangs() {
    let mut machine = boot(3);
    set_mode(&mut machine, "notify");
    // The hang watch has no tick: napping ranks look at it when the nap
    // timer ends their nap.
    machine.send("run deadlock --cores 1,2 --hang-after 0.3\r");
    or_fail(&mut machine, "hang: still waiting; Ctrl-C stops the run");
    machine.send("\x03");
    let out = or_fail(&mut machine, "ringlab> ");
    assert!(out.contains("deadlock stopped by Ctrl-C"), "{out}");
    // Ctrl-C wakes a ping whose cores nap between messages.
    machine.send("ping 1 2 --count 1000000\r");
    std::thread::sleep(Duration::from_millis(500));
    machine.send("\x03");
    or_fail(&mut machine, "ringlab> ");
    let cores = machine.run("cores");
    assert_eq!(cores.matches(", idle").count(), 2, "{cores}");
}

fn or_fail(machine: &mut Machine, needle: &str) -> String {
    match machine.expect(needle, Duration::from_secs(60)) {
        Ok(text) => text,
        Err(why) => machine.fail(&format!("waiting for {needle:?}: {why:?}")),
    }
}

#[test]
fn bad_bus_input_is_one_clear_error() {
    let mut machine = boot(2);
    let cases = [
        (
            "bus mode fast",
            "error: unknown bus mode 'fast' (valid: poll, notify)",
        ),
        (
            "bus speed",
            "error: unknown bus subcommand 'speed' (valid: mode)",
        ),
        ("bus mode poll now", "error: "),
        ("bus", "error: "),
    ];
    for (command, error) in cases {
        let out = machine.run(command);
        // One error line (the shell may add the usage under it).
        assert!(
            out.starts_with(error) && out.matches("error: ").count() == 1,
            "{command}: {out}"
        );
    }
    assert_eq!(machine.run("bus mode"), "bus mode: poll\n", "unchanged");
    assert_eq!(
        machine.run("ping 0 1"),
        "Core[0] -> Core[1]: ping\nCore[1] -> Core[0]: pong\n"
    );
}

#[test]
fn the_mode_does_not_change_under_a_running_job() {
    let mut machine = boot(3);
    let out = machine.run("ping 1 2 --count 1000000 &");
    assert!(!out.contains("error"), "{out}");
    let out = machine.run("bus mode notify");
    assert!(
        out.starts_with(
            "error: core 1,2 runs a job; the mode changes only while every core is idle"
        ),
        "{out}"
    );
    assert_eq!(machine.run("bus mode"), "bus mode: poll\n");
}
