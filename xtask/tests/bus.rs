//! QEMU tests of the VirtIOBus as the shell shows it: Toro's boot lines and
//! ping demo, `vq list/dump/stats/send/recv/corrupt`, a dump taken while a
//! ping runs in the background, `bench pingpong`, and the bad-input cases.
//! Round-trip counts stay small: under TCG on a busy 2-core host, two
//! spinning guest cores may get one host core between them.

use std::time::Duration;

use xtask::harness::{Config, Machine};

fn error_line(out: &str) -> &str {
    out.lines().find(|l| l.starts_with("error: ")).unwrap_or("")
}

#[test]
fn boot_logs_every_queue_as_toro_does() {
    let machine = Machine::boot(Config::smp(3));
    let expected = "VirtIOBus: Core[1]->Core[0] queue has been initiated\n\
                    VirtIOBus: Core[2]->Core[0] queue has been initiated\n\
                    VirtIOBus: Core[0]->Core[1] queue has been initiated\n\
                    VirtIOBus: Core[2]->Core[1] queue has been initiated\n\
                    VirtIOBus: Core[0]->Core[2] queue has been initiated\n\
                    VirtIOBus: Core[1]->Core[2] queue has been initiated\n";
    assert!(machine.log().contains(expected), "{}", machine.log());
}

#[test]
fn above_four_cores_the_boot_log_sums_up_and_vq_list_shows_all() {
    let mut machine = Machine::boot(Config::smp(5));
    assert!(
        machine
            .log()
            .contains("VirtIOBus: 20 queues have been initiated"),
        "{}",
        machine.log()
    );
    let list = machine.run("vq list");
    assert_eq!(list.lines().count(), 20, "{list}");
    assert!(
        list.contains("VirtIOBus: Core[4]->Core[3] queue has been initiated"),
        "{list}"
    );
}

#[test]
fn ping_0_all_prints_the_seed_demo_in_order() {
    let mut machine = Machine::boot(Config::smp(3));
    let out = machine.run_checked("ping 0 all");
    let expected = "Core[0] -> Core[1]: ping\n\
                    Core[1] -> Core[0]: pong\n\
                    Core[0] -> Core[2]: ping\n\
                    Core[2] -> Core[0]: pong\n";
    assert_eq!(out, expected);
}

#[test]
fn ping_works_from_any_core_to_any_core() {
    let mut machine = Machine::boot(Config::smp(4));
    assert_eq!(
        machine.run_checked("ping 2 1"),
        "Core[2] -> Core[1]: ping\nCore[1] -> Core[2]: pong\n"
    );
    assert_eq!(
        machine.run_checked("ping 3 0"),
        "Core[3] -> Core[0]: ping\nCore[0] -> Core[3]: pong\n"
    );
    let all = machine.run_checked("ping 1 all");
    assert_eq!(all.lines().count(), 6, "{all}");
    assert!(
        all.starts_with("Core[1] -> Core[0]: ping\nCore[0] -> Core[1]: pong\n"),
        "{all}"
    );
}

#[test]
fn ping_count_reports_round_trip_statistics() {
    let mut machine = Machine::boot(Config::smp(2));
    let out = machine.run_checked("ping 0 1 --count 50");
    assert!(
        out.starts_with("Core[0] <-> Core[1]: 50 round trips, min/median/max "),
        "{out}"
    );
    assert!(
        out.contains(" cycles = ") && out.trim_end().ends_with(" ns"),
        "{out}"
    );
}

#[test]
fn vq_dump_shows_a_message_filled_then_consumed() {
    let mut machine = Machine::boot(Config::smp(3));
    let before = machine.run("vq dump 1 2");
    assert!(
        before.starts_with(
            "vq 1->2 size=64 buf=1024 avail.idx=64 used.idx=0 last_used=0 last_avail=0 in_flight=0"
        ),
        "{before}"
    );
    assert_eq!(before.matches(" posted").count(), 64, "{before}");
    let sent = machine.run("vq send 1 2 hello");
    assert_eq!(sent, "Core[1] -> Core[2]: sent \"hello\" (len 5), unread\n");
    let filled = machine.run("vq dump 1 2");
    assert!(
        filled.contains("used.idx=1 last_used=0 last_avail=1 in_flight=1"),
        "{filled}"
    );
    assert_eq!(filled.matches("filled-unread").count(), 1, "{filled}");
    assert_eq!(
        machine.run("vq recv 1 2"),
        "Core[1] -> Core[2]: \"hello\"\n"
    );
    let after = machine.run("vq dump 1 2");
    assert!(
        after.contains("used.idx=1 last_used=1 last_avail=1 in_flight=0"),
        "{after}"
    );
    assert_eq!(after.matches("filled-unread").count(), 0, "{after}");
    let empty = machine.run("vq recv 1 2");
    assert!(
        error_line(&empty).starts_with("error: core 2 received nothing from core 1"),
        "{empty}"
    );
}

#[test]
fn vq_dump_works_while_a_ping_runs_in_the_background() {
    let mut machine = Machine::boot(Config::smp(3));
    let started = machine.run("ping 1 2 --count 1000000 &");
    assert!(started.contains("running in the background"), "{started}");
    let dump = machine.run("vq dump 1 2");
    assert!(dump.starts_with("vq 1->2 size=64"), "{dump}");
    let cores = machine.run("cores");
    assert!(cores.contains("core 1: apic 1, running ping"), "{cores}");
    let busy = machine.run("ping 1 2");
    assert!(
        error_line(&busy).starts_with("error: core 1 is busy running 'ping'"),
        "{busy}"
    );
}

#[test]
fn vq_stats_counts_messages_and_bytes_per_pair() {
    let mut machine = Machine::boot(Config::smp(3));
    machine.run_checked("ping 0 all");
    let stats = machine.run("vq stats");
    assert!(
        stats.contains("messages (row = from, column = to)"),
        "{stats}"
    );
    let rows: Vec<Vec<&str>> = stats
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert!(
        rows.contains(&vec!["0", "-", "1", "1"]),
        "core 0 sent one message to each:\n{stats}"
    );
    assert!(
        rows.contains(&vec!["0", "-", "4", "4"]),
        "of 4 bytes each:\n{stats}"
    );
}

#[test]
fn a_corrupted_used_entry_is_reported_not_trusted() {
    let mut machine = Machine::boot(Config::smp(3));
    machine.run("vq send 1 2 x");
    let corrupted = machine.run("vq corrupt 1 2 len");
    assert!(
        corrupted.contains("len 1025; core 2's next receive from core 1 will reject it"),
        "{corrupted}"
    );
    let rejected = machine.run("vq recv 1 2");
    assert!(
        error_line(&rejected).contains("corrupt queue from core 1"),
        "{rejected}"
    );
    assert!(machine.run("vq dump 1 2").contains("corrupt=1"));
    assert_eq!(
        machine.run_checked("ping 1 2"),
        "Core[1] -> Core[2]: ping\nCore[2] -> Core[1]: pong\n"
    );
}

#[test]
fn bench_pingpong_prints_both_round_trips_and_the_ratio() {
    let mut machine = Machine::boot(Config {
        command_timeout: Duration::from_secs(30),
        ..Config::smp(3)
    });
    let out = machine.run_checked("bench pingpong 1 2 --rounds 200");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[0].starts_with("bus round trip         median "),
        "{out}"
    );
    assert!(
        lines[1].starts_with("cache-line round trip  median "),
        "{out}"
    );
    assert!(lines[2].starts_with("ratio bus/raw "), "{out}");
}

#[test]
fn bus_commands_reject_bad_input() {
    let mut machine = Machine::boot(Config::smp(3));
    let cases = [
        ("ping 1 1", "a core has no queue to itself"),
        ("ping 0 7", "out of range"),
        ("ping 0 1 --count 0", "out of range"),
        ("ping 0 1 &", "core 0 runs the shell"),
        ("vq dump 2 2", "a core has no queue to itself"),
        ("vq dump 0 3", "out of range"),
        ("vq frob", "unknown vq subcommand 'frob'"),
        ("vq corrupt 0 1 len", "no unread used entry"),
        ("vq corrupt 0 1 bogus", "unknown corruption 'bogus'"),
        ("vq send 1 2 two words", "unexpected argument 'words'"),
        ("bench pingpong 1 1", "two different cores"),
        ("bench latency 1 2", "unknown benchmark 'latency'"),
    ];
    for (line, expected) in cases {
        let out = machine.run(line);
        assert!(
            error_line(&out).contains(expected),
            "`{line}` should say {expected:?}:\n{out}"
        );
        assert_eq!(machine.run("echo alive"), "alive\n");
    }
    let dump = machine.run("vq dump 1 2");
    assert!(
        dump.contains("in_flight=0"),
        "a refused `vq send` sent nothing:\n{dump}"
    );
}

#[test]
fn vq_watch_redraws_until_ctrl_c() {
    let mut machine = Machine::boot(Config::smp(2));
    machine.send("vq watch 1 0\r");
    for _ in 0..2 {
        machine.expect_or_fail(
            "watching queue Core[1]->Core[0]; Ctrl-C stops",
            Duration::from_secs(10),
        );
    }
    machine.ctrl_c(Duration::from_secs(10));
    assert_eq!(machine.run("echo after watch"), "after watch\n");
}

/// A background job's output does not land in the middle of the line being
/// typed: the prompt line is cleared, the output printed, and the prompt
/// with the half-typed line drawn again.
#[test]
fn background_output_redraws_the_line_being_typed() {
    let mut machine = Machine::boot(Config::smp(3));
    machine.run("ping 1 2 --count 20000 &");
    machine.send("echo par");
    machine.expect_or_fail("20000 round trips", Duration::from_secs(60));
    machine.expect_or_fail(
        "ping ended on core(s) 1-2, in the background",
        Duration::from_secs(10),
    );
    machine.expect_or_fail("ringlab> echo par", Duration::from_secs(10));
    let raw = String::from_utf8_lossy(&machine.raw_log()).into_owned();
    assert!(
        raw.contains("\r\x1b[KCore[1] <-> Core[2]: 20000 round trips"),
        "{raw:?}"
    );
    machine.send("tial\r");
    machine.expect_or_fail("partial\n", Duration::from_secs(10));
}
