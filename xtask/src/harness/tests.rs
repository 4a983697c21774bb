//! Tests of the harness against a fake console (a bash loop that behaves like
//! ringlab's shell), so they run without the kernel or QEMU.

use super::*;

/// A fake ringlab shell: a coloured prompt, the typed line echoed, a few
/// commands, a crash on `panic`, exit status 33 on `poweroff`.
const FAKE_SHELL: &str = r#"
printf 'SeaBIOS\r\nbooting\r\n\033[1;32mringlab> \033[0m'
while IFS= read -r -d $'\r' line; do
  [ "$line" = noisy ] && printf '[cpu 3 online]\r\n'
  printf '%s\r\n' "$line"
  case "$line" in
    cores) printf 'cpu 0\r\ncpu 1\r\n\033[1m2 cores online\033[0m\r\n' ;;
    noisy) printf 'quiet now\r\n' ;;
    panic) printf 'KERNEL PANIC: at shell.rs:1\r\n'; sleep 0.1; printf 'backtrace\r\n'; exec sleep 30 ;;
    hang) exec sleep 30 ;;
    poweroff) exit 33 ;;
    *) printf 'error: unknown command: %s\r\n' "$line" ;;
  esac
  printf '\r\033[Kringlab> '
done
"#;

/// Boots the fake shell with `config` and waits for its prompt.
fn fake(config: Config) -> Machine {
    let mut bash = Command::new("bash");
    bash.args(["-c", FAKE_SHELL]);
    let mut machine = Machine::spawn_command(bash, config);
    or_fail(machine.expect(PROMPT, Duration::from_secs(5)));
    machine
}

/// The panic message of `f`, which must panic.
fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let payload = std::panic::catch_unwind(f).expect_err("should have panicked");
    payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn run_returns_the_output_between_echo_and_prompt() {
    let mut machine = fake(Config::default());
    assert_eq!(machine.run("cores"), "cpu 0\ncpu 1\n2 cores online\n");
    assert_eq!(machine.run("bogus"), "error: unknown command: bogus\n");
    assert_eq!(machine.run("cores").lines().last(), Some("2 cores online"));
}

#[test]
fn lines_printed_before_the_echo_are_not_output() {
    let mut machine = fake(Config::default());
    assert_eq!(machine.run("noisy"), "quiet now\n");
    assert!(machine.log().contains("[cpu 3 online]\nnoisy\n"));
}

#[test]
fn expect_returns_the_cleaned_text_through_the_match() {
    let mut machine = fake(Config::default());
    machine.send("cores\r");
    let text = or_fail(machine.expect("online", Duration::from_secs(5)));
    assert_eq!(text, "cores\ncpu 0\ncpu 1\n2 cores online");
    assert!(
        machine
            .log()
            .starts_with("SeaBIOS\nbooting\nringlab> cores\n")
    );
}

#[test]
fn a_crash_fails_fast_with_the_whole_report() {
    let mut machine = fake(Config::default());
    machine.send("panic\r");
    let start = Instant::now();
    let err = machine.expect(PROMPT, Duration::from_secs(10)).unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "took {:?}",
        start.elapsed()
    );
    assert!(matches!(
        err.failure,
        Failure::Crashed {
            marker: "KERNEL PANIC"
        }
    ));
    assert!(err.log.contains("backtrace"), "{err}");
    assert!(err.to_string().contains("----- console log"));
}

#[test]
fn crash_ok_lets_a_test_expect_the_panic() {
    let mut machine = fake(Config {
        crash_ok: true,
        ..Config::default()
    });
    machine.send("panic\r");
    let text = or_fail(machine.expect("KERNEL PANIC", Duration::from_secs(5)));
    assert!(text.ends_with("panic\nKERNEL PANIC"));
}

#[test]
fn a_timeout_panics_with_the_log() {
    let config = Config {
        command_timeout: Duration::from_millis(300),
        ..Config::default()
    };
    let mut machine = fake(config);
    let message = panic_message(move || {
        machine.run("hang");
    });
    assert!(message.contains("waiting for \"ringlab> \""), "{message}");
    assert!(
        message.contains("SeaBIOS\nbooting\nringlab> hang"),
        "{message}"
    );
}

#[test]
fn poweroff_exit_status_is_reported() {
    let mut machine = fake(Config::default());
    machine.send("poweroff\r");
    assert_eq!(
        machine.wait_exit(Duration::from_secs(5)),
        qemu::POWEROFF_STATUS
    );
    assert!(machine.log().ends_with("poweroff\n"));
}

#[test]
fn waiting_on_an_exited_machine_fails_with_its_status() {
    let mut machine = fake(Config::default());
    machine.send("poweroff\r");
    let err = machine
        .expect("never printed", Duration::from_secs(5))
        .unwrap_err();
    assert!(
        matches!(err.failure, Failure::Exited { code: Some(33) }),
        "{err}"
    );
}

#[test]
fn monitor_commands_need_a_monitor() {
    let mut machine = fake(Config::default());
    let message = panic_message(move || {
        machine.sendkeys("ab");
    });
    assert!(
        message.contains("no monitor (Config::monitor)"),
        "{message}"
    );
}
