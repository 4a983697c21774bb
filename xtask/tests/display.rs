//! QEMU tests of the framebuffer console and the PS/2 keyboard: keys typed
//! with the monitor's `sendkey` reach the shell and echo on the serial line;
//! the screen (read back from a `screendump`) shows the same session.

mod screen;

use std::path::{Path, PathBuf};
use std::time::Duration;

use screen::{Image, Reader};
use xtask::harness::{Config, Machine, PROMPT};

const WAIT: Duration = Duration::from_secs(20);

/// A machine with `smp` cores, the standard VGA and a monitor.
fn boot(smp: u32) -> Machine {
    Machine::boot(Config {
        monitor: true,
        command_timeout: WAIT,
        ..Config::smp(smp)
    })
}

/// Types `line` and Enter on the keyboard; returns what the serial console
/// printed up to the next prompt: the echoed line, then the output.
fn type_line(machine: &mut Machine, line: &str) -> String {
    machine.sendkeys(&format!("{line}\n"));
    machine.expect_or_fail(PROMPT, WAIT)
}

/// A screendump, read back as text rows (and the status line).
/// The screen once it has caught up with the serial console: the screen is
/// drawn just after the same bytes go out on serial, so the harness can see
/// the prompt on serial a moment before it is on screen. Dumps until the
/// last text row is the prompt (at most 3 s), then reads it.
fn screen_text(machine: &mut Machine, name: &str) -> (Image, Vec<String>, String) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    loop {
        let screen = screen_now(machine, name);
        let last = screen.1.iter().rev().find(|row| !row.is_empty());
        if last.is_some_and(|row| row == "ringlab>") || std::time::Instant::now() > deadline {
            return screen;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// The screen as it is now.
fn screen_now(machine: &mut Machine, name: &str) -> (Image, Vec<String>, String) {
    let path = dump_path(name);
    machine.screendump(&path);
    let image = Image::read_ppm(&path);
    let _ = std::fs::remove_file(&path);
    let reader = Reader::new();
    let rows = reader.text_rows(&image);
    let status = reader.status_line(&image);
    (image, rows, status)
}

fn dump_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("ringlab-{name}-{}.ppm", std::process::id()))
}

#[test]
fn typed_commands_run_and_echo_on_the_serial_console() {
    let mut machine = boot(4);
    let out = type_line(&mut machine, "reduce 64 sum");
    let (echo, output) = out.split_once('\n').unwrap_or_default();
    assert_eq!(
        echo, "reduce 64 sum",
        "the keyboard's echo on serial:\n{out}"
    );
    assert!(output.contains("success! value: 6"), "{out}");
    let out = type_line(&mut machine, "cores");
    assert!(
        out.starts_with("cores\n") && out.contains("4 cores online"),
        "{out}"
    );
}

#[test]
fn editing_keys_shift_caps_and_ctrl_reach_the_line_editor() {
    let mut machine = boot(1);
    // Left arrow, insert, Home, Delete, End; Shift and Caps Lock for case.
    machine.sendkeys("echo Hbc");
    for key in ["left", "left", "a", "home", "delete", "e", "end"] {
        machine.sendkey(key);
    }
    machine.sendkey("caps_lock");
    machine.sendkeys(" d-x");
    machine.sendkey("caps_lock");
    machine.sendkeys("!\n");
    let out = machine.expect_or_fail(PROMPT, WAIT);
    assert!(out.ends_with("Habc D-X!\nringlab> "), "{out:?}");
    // Ctrl-U kills the line; Ctrl-C cancels one.
    machine.sendkeys("garbage");
    machine.sendkey("ctrl-u");
    assert!(type_line(&mut machine, "echo clean").contains("\nclean\n"));
    machine.sendkeys("echo never");
    machine.sendkey("ctrl-c");
    let out = machine.expect_or_fail(PROMPT, WAIT);
    assert!(out.contains("^C") && !out.contains("\nnever"), "{out:?}");
    // Backspace, and Up recalls the last line run.
    assert!(type_line(&mut machine, "echo abx\x08c").contains("\nabc\n"));
    machine.sendkey("up");
    machine.sendkey("ret");
    let out = machine.expect_or_fail(PROMPT, WAIT);
    assert!(out.contains("\nabc\n"), "{out:?}");
}

#[test]
fn the_screen_shows_the_session_and_the_status_line() {
    let mut machine = boot(4);
    type_line(&mut machine, "cores");
    assert_eq!(
        machine.run("echo Hello, Ringlab! [serial]"),
        "Hello, Ringlab! [serial]\n"
    );
    let (_, rows, status) = screen_text(&mut machine, "session");
    let shown = rows.join("\n");
    for expected in [
        "ringlab> cores",
        "core 1: apic 1, idle",
        "4 cores online",
        "ringlab> echo Hello, Ringlab! [serial]",
        "Hello, Ringlab! [serial]",
    ] {
        assert!(
            rows.iter().any(|row| row.contains(expected)),
            "{expected:?} is not on the screen:\n{shown}"
        );
    }
    assert!(
        status.contains("cores [S...]") && status.contains("trace off"),
        "status: {status:?}"
    );
}

#[test]
fn the_screen_scrolls_and_clears() {
    let mut machine = boot(1);
    for i in 0..3 {
        machine.run("help");
        machine.run(&format!("echo round {i}"));
    }
    let (_, rows, _) = screen_text(&mut machine, "scrolled");
    let last_text = rows
        .iter()
        .rposition(|r| !r.is_empty())
        .expect("text on screen");
    assert_eq!(rows[last_text], "ringlab>", "{rows:#?}");
    assert_eq!(rows[last_text - 1], "round 2", "{rows:#?}");
    assert!(
        last_text > 30,
        "the screen is full after scrolling: {rows:#?}"
    );
    machine.run("clear");
    let (_, rows, _) = screen_text(&mut machine, "cleared");
    let shown: Vec<(usize, &String)> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.is_empty())
        .collect();
    // The shell starts the prompt on a fresh line, as on a serial terminal.
    assert!(
        matches!(shown.as_slice(), [(0 | 1, prompt)] if *prompt == "ringlab>"),
        "{rows:#?}"
    );
}

#[test]
fn pci_lists_the_vga_and_its_driver() {
    let mut machine = Machine::boot(Config::smp(1));
    let out = machine.run("pci");
    assert!(
        out.contains("00:01.0 VGA compatible controller [0300]: QEMU/Bochs [1234:1111]"),
        "{out}"
    );
    assert!(out.contains("driver: fbcon"), "{out}");
    assert!(
        out.contains("    BAR0: memory at 0x") && out.contains("16.0 MiB"),
        "{out}"
    );
    assert!(out.contains("00:00.0 Host bridge"), "{out}");
    assert!(out.trim_end().ends_with(" PCI functions"), "{out}");
    assert!(
        machine.log().contains("display: 1024x768 32 bpp"),
        "boot log"
    );
}

#[test]
fn without_a_display_the_shell_runs_on_serial_and_says_so_once() {
    let mut machine = Machine::boot(Config {
        extra_args: vec!["-vga".into(), "none".into()],
        ..Config::smp(2)
    });
    assert_eq!(machine.run("echo still here"), "still here\n");
    assert!(!machine.run("pci").contains("VGA"));
    let log = machine.log();
    let notices = log.matches("display: ").count();
    assert_eq!(notices, 1, "{log}");
    assert!(
        log.contains(
            "display: no QEMU standard VGA on PCI; the console is on the serial port only"
        ),
        "{log}"
    );
    assert!(
        machine
            .run("fb bench")
            .contains("error: there is no framebuffer console")
    );
}

/// Writes docs/screenshot.png from a real screendump: run it by hand with
/// `cargo test -p xtask --test display -- --ignored` after changing the look.
#[test]
#[ignore = "writes docs/screenshot.png; run by hand"]
fn readme_screenshot() {
    let mut machine = boot(4);
    type_line(&mut machine, "cores");
    type_line(&mut machine, "reduce 64 sum");
    machine.run("spin 2,3 5000 &");
    type_line(&mut machine, "pci");
    let (image, rows, _) = screen_text(&mut machine, "readme");
    assert!(
        rows.iter().any(|r| r.contains("success! value: 6")),
        "{rows:#?}"
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshot.png");
    image.write_png(&path);
    eprintln!("wrote {}", path.display());
}
