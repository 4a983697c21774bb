//! Building the kernel ELF: the one build function that `cargo xtask build`,
//! `run`, `bench` and the test harness all call. No set-up here (see `setup`).

use std::path::PathBuf;

use anyhow::{Result, bail};

use crate::{cmd, workspace};

/// The rustup target the kernel is built for.
pub const TARGET: &str = "x86_64-unknown-none";

/// Which cargo profile to build the kernel with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Profile {
    /// `--release`: what QEMU boots by default (it keeps debug info too).
    #[default]
    Release,
    /// The dev profile: unoptimised, for stepping through in gdb.
    Debug,
}

impl Profile {
    /// The directory cargo puts this profile's artifacts in.
    pub fn dir(self) -> &'static str {
        match self {
            Self::Release => "release",
            Self::Debug => "debug",
        }
    }
}

/// Where the kernel ELF of `profile` is, built or not.
pub fn elf_path(profile: Profile) -> PathBuf {
    workspace::target_dir()
        .join(TARGET)
        .join(profile.dir())
        .join("kernel")
}

/// `cargo build --package kernel --target x86_64-unknown-none [--release]`,
/// echoed; returns the path of the ELF it left.
pub fn build(profile: Profile) -> Result<PathBuf> {
    let mut cargo = cmd::cargo();
    cargo.args(["build", "--package", "kernel", "--target", TARGET]);
    if profile == Profile::Release {
        cargo.arg("--release");
    }
    cmd::run(&mut cargo)?;
    let elf = elf_path(profile);
    if !elf.is_file() {
        bail!(
            "the kernel build succeeded but left no ELF at {}",
            elf.display()
        );
    }
    Ok(elf)
}
