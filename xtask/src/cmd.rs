//! Running child processes the hermit way: every command is echoed as a
//! `$ ...` line before it runs, and cargo children get a sanitized environment.
//! Not a shell: arguments are passed as they are, never re-parsed.

use std::env;
use std::ffi::OsStr;
use std::process::{Command, ExitStatus, Stdio};

use anyhow::{Context, Result, bail};

use crate::workspace;

/// A `cargo` command that runs in the workspace root with the environment of
/// the running xtask cleaned for a child build (see [`is_leaked`]).
pub fn cargo() -> Command {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(workspace::root());
    for (key, _) in env::vars_os() {
        if key.to_str().is_some_and(is_leaked) {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// Whether `key` must not reach a child cargo.
///
/// `cargo xtask` runs us through `cargo run`, so our environment holds what
/// cargo set for *this* crate: `CARGO`, `CARGO_MANIFEST_DIR`, `CARGO_PKG_*`,
/// `CARGO_CRATE_NAME` and, under a test or a build script, `CARGO_MAKEFLAGS`,
/// `CARGO_ENCODED_RUSTFLAGS`, `RUSTC`, `RUSTC_WRAPPER` (clippy sets
/// `RUSTC_WORKSPACE_WRAPPER`). Passed on, they would make the child build
/// describe xtask instead of the kernel or use the wrong compiler.
/// `RUSTFLAGS` goes too: set at all, it replaces the `rustflags` of
/// `.cargo/config.toml`, and the kernel needs its `relocation-model=static`.
///
/// Kept: `RUSTUP_*` (rustup's proxy set `RUSTUP_TOOLCHAIN` and `RUSTUP_HOME`
/// so the child uses the same pinned toolchain), `CARGO_HOME` (registry and
/// installed tools), `CARGO_TARGET_DIR` (where [`workspace::target_dir`]
/// looks for artifacts) and the user's terminal and network settings, which
/// change how cargo talks, not what it builds.
pub fn is_leaked(key: &str) -> bool {
    const KEPT: [&str; 6] = [
        "CARGO_HOME",
        "CARGO_TARGET_DIR",
        "CARGO_TERM_",
        "CARGO_NET_",
        "CARGO_HTTP_",
        "CARGO_REGISTRIES_",
    ];
    if KEPT.iter().any(|kept| key.starts_with(kept)) {
        return false;
    }
    key.starts_with("CARGO")
        || key.starts_with("__CARGO")
        || key.starts_with("RUSTC")
        || key.starts_with("RUSTDOC")
        || key == "RUSTFLAGS"
}

/// The `$ ...` line for `cmd`: the variables it sets, the program, the
/// arguments, each quoted for a POSIX shell when needed.
pub fn render(cmd: &Command) -> String {
    let envs = cmd
        .get_envs()
        .filter_map(|(key, value)| Some(format!("{}={}", key.display(), quote(value?))));
    let words = std::iter::once(quote(cmd.get_program())).chain(cmd.get_args().map(quote));
    let line: Vec<String> = envs.chain(words).collect();
    format!("$ {}", line.join(" "))
}

/// `word` as a shell would need it typed: bare when it is plain, else in
/// single quotes.
fn quote(word: &OsStr) -> String {
    let text = word.to_string_lossy();
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=,+@%".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.into_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// Echoes `cmd` on stderr, then runs it with inherited stdio.
pub fn status(cmd: &mut Command) -> Result<ExitStatus> {
    eprintln!("{}", render(cmd));
    cmd.status()
        .with_context(|| format!("cannot start `{}`", cmd.get_program().display()))
}

/// Echoes and runs `cmd`, failing unless it exits successfully.
pub fn run(cmd: &mut Command) -> Result<()> {
    let status = status(cmd)?;
    if !status.success() {
        bail!(
            "`{}` failed ({status})",
            render(cmd).trim_start_matches("$ ")
        );
    }
    Ok(())
}

/// Echoes and runs `cmd`, returning its stdout; its stderr still reaches the
/// terminal.
pub fn stdout(cmd: &mut Command) -> Result<String> {
    eprintln!("{}", render(cmd));
    let output = cmd
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("cannot start `{}`", cmd.get_program().display()))?;
    if !output.status.success() {
        bail!(
            "`{}` failed ({})",
            render(cmd).trim_start_matches("$ "),
            output.status
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_own_variables_are_stripped_but_homes_are_kept() {
        for leaked in [
            "CARGO",
            "CARGO_MANIFEST_DIR",
            "CARGO_PKG_NAME",
            "RUSTC_WRAPPER",
        ] {
            assert!(is_leaked(leaked), "{leaked}");
        }
        for kept in [
            "CARGO_HOME",
            "RUSTUP_HOME",
            "RUSTUP_TOOLCHAIN",
            "CARGO_TARGET_DIR",
            "PATH",
        ] {
            assert!(!is_leaked(kept), "{kept}");
        }
        assert!(is_leaked("RUSTFLAGS") && is_leaked("CARGO_ENCODED_RUSTFLAGS"));
        assert!(!is_leaked("RUST_BACKTRACE"));
    }

    #[test]
    fn render_quotes_only_what_needs_it() {
        let mut cmd = Command::new("cargo");
        cmd.env("RUSTFLAGS", "--cfg loom")
            .args(["test", "-p", "bus", "it's"]);
        assert_eq!(
            render(&cmd),
            r"$ RUSTFLAGS='--cfg loom' cargo test -p bus 'it'\''s'"
        );
    }

    #[test]
    fn cargo_does_not_forward_removed_variables_in_its_echo() {
        let cmd = cargo();
        assert!(render(&cmd).starts_with("$ cargo"));
    }
}
