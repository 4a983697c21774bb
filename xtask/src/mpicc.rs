//! The C programs (programs/c/NAME.c) built for the host with MPICH's
//! `mpicc`, for `cargo xtask mpirun` and the C programs' tests, which
//! compare their output with ringlab's (docs/c-programs.md).

use std::path::PathBuf;
use std::process::Command;

use anyhow::Result;

use crate::{cmd, setup, workspace};

/// programs/c/NAME.c, if there is such a C program.
pub fn source(name: &str) -> Option<PathBuf> {
    let file = workspace::root()
        .join("programs/c")
        .join(format!("{name}.c"));
    file.is_file().then_some(file)
}

/// Builds C program `name` with `mpicc` (installing MPICH as root if it is
/// missing) into target/mpicc/; returns the binary.
pub fn build(name: &str) -> Result<PathBuf> {
    let source = source(name).ok_or_else(|| anyhow::anyhow!("no programs/c/{name}.c"))?;
    setup::ensure_mpich()?;
    let dir = workspace::target_dir().join("mpicc");
    std::fs::create_dir_all(&dir)?;
    let binary = dir.join(name);
    cmd::run(
        Command::new("mpicc")
            .arg("-O2")
            .arg("-o")
            .arg(&binary)
            .arg(&source)
            .arg("-lm"),
    )?;
    Ok(binary)
}
