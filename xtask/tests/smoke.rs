//! QEMU smoke tests: ringlab boots with 1 to 16 cores, its shell answers, and
//! `poweroff` ends QEMU. A new test is a `#[test]` fn of a few lines:
//! `Machine::boot(Config::smp(N))`, then `run` commands and check the output.

use std::time::Duration;

use xtask::harness::{Config, Machine};
use xtask::qemu::POWEROFF_STATUS;

/// Boots with `smp` cores and checks that `cores` reports them all.
fn cores_online(smp: u32) {
    let mut machine = Machine::boot(Config::smp(smp));
    let out = machine.run("cores");
    let last = out.lines().last().unwrap_or_default();
    assert_eq!(
        last,
        format!("{smp} cores online"),
        "`cores` printed:\n{out}"
    );
}

#[test]
fn boots_with_1_core() {
    cores_online(1);
}

#[test]
fn boots_with_2_cores() {
    cores_online(2);
}

#[test]
fn boots_with_4_cores() {
    cores_online(4);
}

#[test]
fn boots_with_8_cores() {
    cores_online(8);
}

#[test]
fn help_lists_the_commands() {
    let mut machine = Machine::boot(Config::smp(1));
    let out = machine.run("help");
    for command in [
        "help", "cores", "mem", "uptime", "echo", "clear", "poweroff",
    ] {
        assert!(
            out.contains(command),
            "`help` does not mention `{command}`:\n{out}"
        );
    }
}

#[test]
fn an_unknown_command_is_an_error_and_the_shell_goes_on() {
    let mut machine = Machine::boot(Config::smp(1));
    let out = machine.run("frobnicate");
    assert!(
        out.lines().any(|line| line.starts_with("error: ")),
        "no error line:\n{out}"
    );
    assert_eq!(machine.run("echo still here"), "still here\n");
}

#[test]
fn poweroff_exits_qemu_with_status_33() {
    let mut machine = Machine::boot(Config::smp(2));
    machine.send("poweroff\r");
    assert_eq!(machine.wait_exit(Duration::from_secs(10)), POWEROFF_STATUS);
}

#[test]
fn boots_with_128m_and_16_cores() {
    let config = Config {
        smp: 16,
        memory: "128M".into(),
        ..Config::default()
    };
    let mut machine = Machine::boot(config);
    let out = machine.run("cores");
    assert!(
        out.ends_with("16 cores online\n"),
        "`cores` printed:\n{out}"
    );
}
