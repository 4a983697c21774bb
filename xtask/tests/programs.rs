//! QEMU tests of `programs` and `run`: the listing, the seed's lines from
//! `toro-reduce`, every shipped program on 3 and 4 cores, the bad-input
//! errors, Ctrl-C, a failing instance, a deadlock report and `&`.

use std::time::Duration;

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

/// Checks the summary: `<name>: <n> ranks on cores <cores>, wall time …`
/// and one `sent` line per rank.
fn assert_summary(out: &str, name: &str, ranks: usize, cores: &str) {
    let head = format!("{name}: {ranks} ranks on cores {cores}, wall time ");
    assert!(
        out.lines()
            .any(|l| l.starts_with(&head) && l.ends_with(" us")),
        "{out}"
    );
    for rank in 0..ranks {
        let line = format!("  rank {rank} (core ");
        assert!(
            out.lines()
                .any(|l| l.starts_with(&line) && l.contains("): sent ") && l.ends_with(" bytes")),
            "{out}"
        );
    }
}

#[test]
fn programs_lists_every_program_with_its_source() {
    let mut machine = boot(1);
    let out = machine.run("programs");
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
    let out = machine.run("run toro-reduce --cores 0-2");
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
    let out = machine.run("run toro-reduce --cores 1-4");
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
    let out = machine.run("run toro-reduce");
    assert!(
        out.contains("\nsuccess! value: 10\n"),
        "all 5 cores by default: {out}"
    );
}
