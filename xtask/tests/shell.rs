//! QEMU tests of the shell over the serial line: line editing keys, every
//! kind of bad input (each followed by a check that the shell still answers),
//! help, and the system commands' output.

use std::time::Duration;

use xtask::harness::{Config, Machine};

const PROMPT_WAIT: Duration = Duration::from_secs(10);

/// Types raw bytes (ending with Enter) and returns what appeared up to the
/// next prompt.
fn type_raw(machine: &mut Machine, bytes: &str) -> String {
    machine.send(bytes);
    machine.expect_or_fail("ringlab> ", PROMPT_WAIT)
}

fn assert_alive(machine: &mut Machine) {
    assert_eq!(
        machine.run("echo alive"),
        "alive\n",
        "the shell stopped answering"
    );
}

#[test]
fn editing_keys_over_serial() {
    let mut machine = Machine::boot(Config::smp(1));
    // Backspace fixes a typo; Home then insert at the start.
    assert!(type_raw(&mut machine, "echo abx\x7fc\r").contains("abc\n"));
    assert!(type_raw(&mut machine, "cho front\x1b[He\r").contains("front\n"));
    // Left arrow twice, insert mid-line.
    assert!(type_raw(&mut machine, "echo ac\x1b[Db\r").contains("abc\n"));
    // Up arrow recalls the previous line.
    assert!(type_raw(&mut machine, "\x1b[A\r").contains("abc\n"));
    // Ctrl-U kills what was typed; Ctrl-C cancels a line without running it.
    assert!(type_raw(&mut machine, "garbage\x15echo clean\r").contains("clean\n"));
    let cancelled = type_raw(&mut machine, "echo never\x03");
    assert!(cancelled.contains("^C"), "Ctrl-C shows ^C:\n{cancelled}");
    assert_eq!(machine.run("echo after"), "after\n");
    // Tab completes a unique command name.
    let completed = type_raw(&mut machine, "upt\t\r");
    assert!(
        completed.contains("up "),
        "tab completion ran uptime:\n{completed}"
    );
}

/// Each bad line gets a one-line `error:` naming the problem, then the shell
/// still answers.
#[test]
fn bad_input_gets_a_clear_error_and_the_shell_goes_on() {
    let mut machine = Machine::boot(Config::smp(4));
    let cases: [(&str, &str); 9] = [
        ("pwoeroff", "did you mean 'poweroff'"),
        ("spin", "missing"),
        (
            "cores extra",
            "unknown cores subcommand 'extra' (valid: restart)",
        ),
        ("spin 1 abc", "'abc' is not a number"),
        ("spin 1 0", "out of range"),
        ("spin 9 10", "out of range"),
        ("spin 1,1 10", "listed twice"),
        ("spin 0 10", "core 0 runs the shell"),
        ("echo \"unterminated", "quote"),
    ];
    for (line, expected) in cases {
        let out = machine.run(line);
        let error = out.lines().find(|l| l.starts_with("error: "));
        assert!(
            error.is_some_and(|e| e.contains(expected)),
            "`{line}` should give an error containing {expected:?}, got:\n{out}"
        );
        assert_alive(&mut machine);
    }
}

#[test]
fn raw_bad_bytes_are_reported_not_swallowed() {
    let mut machine = Machine::boot(Config::smp(1));
    let long = format!("echo {}\r", "x".repeat(400));
    assert!(type_raw(&mut machine, &long).contains("line too long"));
    assert_alive(&mut machine);
    // A line that had bytes left out is reported, and not run; Up brings
    // it back as it stands, and then it runs.
    for (line, notice) in [
        ("\x07echo bell\r", "control byte"),
        ("echo caf\u{e9}\r", "non-ASCII"),
    ] {
        machine.send(line);
        let refused = machine.expect_or_fail("line not run", PROMPT_WAIT);
        let refused = refused + &machine.expect_or_fail("ringlab> ", PROMPT_WAIT);
        assert!(refused.contains(notice), "{line:?} gave:\n{refused}");
        let ran = |out: &str| out.lines().any(|l| l == "bell" || l == "caf");
        assert!(!ran(&refused), "{line:?} ran:\n{refused}");
        let recalled = type_raw(&mut machine, "\x1b[A\r");
        assert!(
            ran(&recalled),
            "Up then Enter runs the line as shown:\n{recalled}"
        );
        assert_alive(&mut machine);
    }
    assert!(type_raw(&mut machine, "\x1b[99~echo esc\r").contains("esc\n"));
    assert_alive(&mut machine);
}

#[test]
fn help_describes_each_command() {
    let mut machine = Machine::boot(Config::smp(1));
    for command in [
        "cores", "mem", "uptime", "echo", "clear", "poweroff", "spin", "fault",
    ] {
        let out = machine.run(&format!("help {command}"));
        assert!(
            out.contains("usage: "),
            "`help {command}` has no usage line:\n{out}"
        );
        assert!(
            out.contains("example: "),
            "`help {command}` has no example:\n{out}"
        );
    }
    let out = machine.run("help nosuch");
    assert!(out.starts_with("error: "), "`help nosuch`:\n{out}");
    let listing = machine.run("help");
    let vq = listing
        .lines()
        .find(|l| l.trim_start().starts_with("vq "))
        .unwrap_or_default();
    for sub in ["list", "dump", "watch", "stats", "send", "recv", "corrupt"] {
        assert!(
            vq.contains(sub),
            "`help` leaves `vq {sub}` out of its summary:\n{vq}"
        );
    }
}

/// Every command that cannot run in the background refuses a trailing `&`
/// before it does anything: each command's own `help` example, and each
/// `vq` subcommand, with `&` prints only the refusal (`vq watch 1 0 &` used
/// to watch until Ctrl-C and complain afterwards; `poweroff &` or `fault 1
/// page &` acting first would end the test). Arguments left over are
/// refused as early: `vq recv 1 0 junk` used to take a message first.
#[test]
fn a_command_that_cannot_run_in_the_background_refuses_the_ampersand_first() {
    let mut machine = Machine::boot(Config::smp(4)); // the examples name cores 1-3
    let listing = machine.run("help");
    let names: Vec<String> = listing
        .lines()
        .skip(1)
        .filter_map(|line| line.strip_prefix("  "))
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_string)
        .collect();
    assert!(names.len() > 20, "{listing}");
    let mut lines = Vec::new();
    for name in &names {
        let help = machine.run(&format!("help {name}"));
        let example = help
            .lines()
            .find_map(|line| line.strip_prefix("example: "))
            .unwrap_or_else(|| panic!("`help {name}` has no example:\n{help}"))
            .to_string();
        lines.push((name.clone(), example));
    }
    for sub in [
        "list",
        "stats",
        "check",
        "watch 1 0",
        "recv 1 0",
        "send 1 0 hi",
        "corrupt 1 0 id",
    ] {
        lines.push(("vq".into(), format!("vq {sub}")));
    }
    for (name, line) in lines {
        if ["ping", "run", "spin"].contains(&name.as_str()) {
            continue; // they can
        }
        let out = machine.run(&format!("{line} &"));
        assert_eq!(
            out,
            format!("error: '{name}' cannot run in the background; run it without '&'\n"),
            "`{line} &`"
        );
    }
    machine.run("vq send 1 0 kept");
    let out = machine.run("vq recv 1 0 junk");
    assert!(
        out.starts_with("error: unexpected argument 'junk'"),
        "{out}"
    );
    let out = machine.run("vq recv 1 0");
    assert!(out.contains("\"kept\""), "{out}");
}

#[test]
fn cores_lists_apic_ids_and_states() {
    let mut machine = Machine::boot(Config::smp(4));
    let out = machine.run("cores");
    let expected = "core 0: apic 0, shell\n\
                    core 1: apic 1, idle\n\
                    core 2: apic 2, idle\n\
                    core 3: apic 3, idle\n\
                    4 cores online\n";
    assert_eq!(out, expected);
}

#[test]
fn mem_and_uptime_report_figures() {
    let mut machine = Machine::boot(Config::smp(2));
    let mem = machine.run("mem");
    for what in ["RAM", "kernel", "heap", "stacks", "page tables", "queues"] {
        assert!(
            mem.lines().any(|l| l.trim_start().starts_with(what)),
            "`mem` lacks {what}:\n{mem}"
        );
    }
    assert!(mem.contains("2 cores x 144.0 KiB"), "{mem}");
    assert_stack_tops_clear_of_data(&mem);
    let uptime = machine.run("uptime");
    assert!(
        uptime.starts_with("up ") && uptime.contains("cycles") && uptime.contains("boot to prompt"),
        "{uptime}"
    );
}

/// `mem`'s `stack tops` line: the TLB entries of the stacks' hot tops share
/// none with the image's data (paging.rs colours them apart; a stack placed
/// anywhere else shares one with some 4 in 5 layouts of this image).
fn assert_stack_tops_clear_of_data(mem: &str) {
    let line = (mem.lines())
        .find_map(|l| l.trim_start().strip_prefix("stack tops"))
        .unwrap_or_else(|| panic!("`mem` lacks stack tops:\n{mem}"));
    let number = |text: &str| -> u64 { text.trim().parse().unwrap_or_else(|_| panic!("{line}")) };
    // "A-B", or "A-B and 0-C" for a run round the end of the TLB: entries.
    let range = |text: &str| -> Vec<u64> {
        (text.split(" and "))
            .flat_map(|piece| {
                let (first, last) = piece.split_once('-').unwrap_or_else(|| panic!("{line}"));
                let (first, last) = (number(first), number(last));
                assert!(first <= last, "a descending range: {line}");
                first..=last
            })
            .collect()
    };
    let (tops, rest) = (line.trim_start().strip_prefix("TLB entries "))
        .and_then(|l| l.split_once(" (each stack's top 16.0 KiB); the image's data takes "))
        .unwrap_or_else(|| panic!("{line}"));
    let (data, entries) = rest.split_once(" of ").unwrap_or_else(|| panic!("{line}"));
    let (data, entries) = (range(data), number(entries));
    assert!(data.iter().all(|&e| e < entries), "{line}");
    for top in tops.split(", ").map(range) {
        assert_eq!(top.len(), 4, "{line}");
        assert!(
            top.iter().all(|e| e < &entries && !data.contains(e)),
            "a stack top shares a TLB entry with data: {line}"
        );
    }
}

#[test]
fn clear_sends_the_clear_screen_sequence() {
    let mut machine = Machine::boot(Config::smp(1));
    machine.send("clear\r");
    // The harness strips escapes from what it returns; the raw log keeps them.
    machine.expect_or_fail("ringlab> ", PROMPT_WAIT);
    let raw = String::from_utf8_lossy(&machine.raw_log()).into_owned();
    assert!(
        raw.contains("\x1b[H\x1b[2J"),
        "no clear-screen sequence in the console bytes:\n{raw:?}"
    );
}

/// Without the debug-exit device, poweroff goes through ACPI S5 and QEMU
/// exits with status 0.
#[test]
fn poweroff_through_acpi_without_the_debug_exit_device() {
    let config = Config {
        debug_exit: false,
        ..Config::smp(2)
    };
    let mut machine = Machine::boot(config);
    machine.send("poweroff\r");
    assert_eq!(machine.wait_exit(Duration::from_secs(10)), 0);
}

/// On one core there is no bus: `vq list` says so rather than printing
/// nothing, and a one-core demo's lines count in the singular.
#[test]
fn one_core_has_no_queues_and_counts_in_the_singular() {
    let mut machine = Machine::boot(Config::smp(1));
    assert_eq!(
        machine.run("vq list"),
        "no queues: a bus needs two cores, and 1 is online\n"
    );
    let out = machine.run_checked("barrier");
    assert!(
        out.contains("success! the 1 core passed the barrier"),
        "{out}"
    );
    let out = machine.run_checked("run ring 1");
    assert!(out.contains("ring: 1 rank on cores 0, wall time "), "{out}");
}
