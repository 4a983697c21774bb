//! Building the kernel ELF: the one build function that `cargo xtask build`,
//! `run`, `bench` and the test harness all call; it also fills the kernel's
//! own symbol table (`symbols`). No set-up here (see `setup`).

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use anyhow::{Context, Result, bail};

use crate::{cmd, symbols, workspace};

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
    symbols::fill(&elf)?;
    Ok(elf)
}

/// [`build`] with the kernel's cargo `features` on (the labs' student
/// versions, `lab-ring` ...), in the target directory `target/lab`, so the
/// default build's cache stays valid. Every feature set shares that
/// directory's dependencies; its ELF is copied to
/// `target/lab/elf/<features joined by +>/kernel`, which this returns.
pub fn build_with_features(profile: Profile, features: &[&str]) -> Result<PathBuf> {
    if features.is_empty() {
        return build(profile);
    }
    // cargo leaves each build's ELF at the same path in target/lab: build
    // and copy under one lock, so two threads cannot swap kernels.
    static LAB_DIR: Mutex<()> = Mutex::new(());
    let _one_at_a_time = LAB_DIR.lock().unwrap_or_else(PoisonError::into_inner);
    let dir = workspace::target_dir().join("lab");
    let mut cargo = cmd::cargo();
    cargo
        .env("CARGO_TARGET_DIR", &dir)
        .args(["build", "--package", "kernel", "--target", TARGET])
        .args(["--features", &features.join(",")]);
    if profile == Profile::Release {
        cargo.arg("--release");
    }
    cmd::run(&mut cargo)?;
    let built = dir.join(TARGET).join(profile.dir()).join("kernel");
    symbols::fill(&built)?;
    let copy = dir.join("elf").join(features.join("+")).join("kernel");
    let partial = copy.with_extension("partial");
    std::fs::create_dir_all(copy.parent().expect("the copy has a directory"))?;
    // Copy, then rename: a QEMU starting from `copy` never reads half a file.
    std::fs::copy(&built, &partial)
        .and_then(|_| std::fs::rename(&partial, &copy))
        .with_context(|| format!("cannot copy {} to {}", built.display(), copy.display()))?;
    Ok(copy)
}
