//! `programs-threads`, the host runner the lab 6 grader uses: its output
//! format, its exit codes and its errors.

use std::process::{Command, Output};

/// Runs the runner with `args`.
fn runner(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_programs-threads"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn every_rank_line_is_tagged_with_its_rank_in_rank_order() {
    let out = runner(&["toro-reduce", "-n", "3"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        stdout(&out),
        "[0] hello from core 0\n[0] success! value: 3\n[1] hello from core 1\n[2] hello from core 2\n"
    );
}

#[test]
fn a_hang_is_stopped_after_the_limit_and_fails() {
    let out = runner(&["deadlock", "-n", "2", "--limit", "1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("[0] failed: mpi: aborted\n"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("[1] failed: mpi: aborted\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn bad_input_gets_one_error_line() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["pj"],
            "error: unknown program 'pj' (did you mean 'pi'?)\n",
        ),
        (&["zzzzzz"], "error: unknown program 'zzzzzz'\n"),
        (
            &["pi", "-n", "0", "10"],
            "error: -n takes a positive number, not '0'\n",
        ),
        (
            &["pi", "-n", "2"],
            "error: expected 1 argument, got 0; usage: pi N\n",
        ),
    ];
    for &(args, error) in cases {
        let out = runner(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(stdout(&out), error, "{args:?}");
    }
}
