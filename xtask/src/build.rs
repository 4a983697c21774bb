//! `cargo xtask build`: set-up, then the kernel build; prints the ELF path.
//! The build itself is `xtask::kernel::build`, shared with the test harness.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use xtask::{kernel, setup};

/// Build the kernel ELF (release unless --debug) and print its path.
#[derive(Debug, Args)]
pub struct Build {
    /// Build with the dev profile instead of --release.
    #[arg(long)]
    pub debug: bool,
}

impl Build {
    /// Runs set-up and the build.
    pub fn run(self) -> Result<ExitCode> {
        setup::ensure()?;
        let profile = if self.debug {
            kernel::Profile::Debug
        } else {
            kernel::Profile::Release
        };
        let elf = kernel::build(profile)?;
        println!("{}", elf.display());
        Ok(ExitCode::SUCCESS)
    }
}
