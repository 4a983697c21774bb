//! Lab 1, boot and the shell: the student adds the `hello` command
//! (docs/labs/1-shell.md). Three cores, so a hard-coded count shows.

use crate::grade::lab::{Check, Lab, MachineSpec, Miss, Note, ensure, has_line};
use crate::grade::session::Session;

/// Lab 1.
pub static LAB: Lab = Lab {
    number: 1,
    name: "shell",
    title: "boot and the shell: add a command",
    feature: "lab-shell",
    removes: "kernel/src/commands/hello.rs (all of it) and its entry in COMMANDS",
    needs: &[],
    machine: MachineSpec {
        smp: 3,
        trace: false,
        host: false,
    },
    checks: &[
        Check {
            name: "`help` lists `hello` with a summary",
            points: 1,
            run: listed,
        },
        Check {
            name: "`hello` greets the world with its core and the core count",
            points: 2,
            run: greets_the_world,
        },
        Check {
            name: "`hello Ada` greets Ada",
            points: 1,
            run: greets_by_name,
        },
        Check {
            name: "`hello Ada Lovelace` is refused with the usage",
            points: 1,
            run: refuses_two_names,
        },
        Check {
            name: "`help hello` shows the usage and an example",
            points: 1,
            run: has_help,
        },
    ],
};

fn listed(s: &mut Session) -> Result<Note, Miss> {
    let out = s.run("help")?;
    let line = out
        .lines()
        .find(|line| line.split_whitespace().next() == Some("hello"))
        .ok_or_else(|| Miss::new("`help` has no line for `hello`"))?;
    ensure(line.split_whitespace().nth(1).is_some(), || {
        format!("`hello` has no summary: {line:?}")
    })?;
    Ok(String::new())
}

fn greets_the_world(s: &mut Session) -> Result<Note, Miss> {
    let out = s.run("hello")?;
    has_line(&out, "Hello, world! I am core 0 of 3.")?;
    Ok(String::new())
}

fn greets_by_name(s: &mut Session) -> Result<Note, Miss> {
    let out = s.run("hello Ada")?;
    has_line(&out, "Hello, Ada! I am core 0 of 3.")?;
    Ok(String::new())
}

fn refuses_two_names(s: &mut Session) -> Result<Note, Miss> {
    let out = s.run("hello Ada Lovelace")?;
    has_line(&out, "error: unexpected argument 'Lovelace'")?;
    has_line(&out, "usage: hello [name]")?;
    Ok(String::new())
}

fn has_help(s: &mut Session) -> Result<Note, Miss> {
    let out = s.run("help hello")?;
    has_line(&out, "usage: hello [name]")?;
    ensure(out.lines().any(|l| l.starts_with("example: hello")), || {
        "expected a line starting with \"example: hello\"".into()
    })?;
    Ok(String::new())
}
