//! `cargo xtask mpirun NAME -n N [--hosts FILE] [-- ARGS…]`: builds the
//! `programs-mpich` binary for the host and runs program NAME in it under
//! MPICH's `mpiexec -n N`, one instance per MPI process. A C program
//! (programs/c/NAME.c) is built with `mpicc` and run the same way.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Result, bail};
use clap::Args;
use xtask::{cmd, mpicc, setup, workspace};

/// The package (and binary) that runs one program instance per MPI process.
const PACKAGE: &str = "programs-mpich";

/// Build a ringlab program for the host and run it with MPICH's `mpiexec`.
#[derive(Debug, Args)]
pub struct Mpirun {
    /// The program, as the shell's `programs` lists it.
    pub name: String,
    /// How many MPI processes (ranks) to start.
    #[arg(short = 'n', value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub processes: u32,
    /// An MPICH hostfile (`host[:slots]` per line) to run across machines.
    #[arg(long, value_name = "FILE")]
    pub hosts: Option<PathBuf>,
    /// The program's arguments, after `--`.
    #[arg(last = true)]
    pub args: Vec<String>,
}

impl Mpirun {
    /// Checks everything it can first, then builds and runs; the exit code
    /// is mpiexec's.
    pub fn run(self) -> Result<ExitCode> {
        self.check()?;
        let mut mpiexec = if mpicc::source(&self.name).is_some() {
            self.mpiexec(&mpicc::build(&self.name)?, None)
        } else {
            setup::ensure_mpich_build()?;
            cmd::run(cmd::cargo().args(["build", "--release", "-p", PACKAGE]))?;
            let binary = workspace::target_dir().join("release").join(PACKAGE);
            self.mpiexec(&binary, Some(&self.name))
        };
        let status = cmd::status(&mut mpiexec)?;
        Ok(match status.code() {
            Some(0) => ExitCode::SUCCESS,
            Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
            None => ExitCode::FAILURE,
        })
    }

    /// The program exists, its arguments are right, the hostfile is there.
    fn check(&self) -> Result<()> {
        if mpicc::source(&self.name).is_some() {
            return self.check_hosts(); // C programs take any arguments
        }
        let Some(program) = programs::find(&self.name) else {
            match programs::nearest(&self.name) {
                Some(near) => bail!("unknown program '{}' (did you mean '{near}'?)", self.name),
                None => bail!(
                    "unknown program '{}' (`programs` in the shell lists them)",
                    self.name
                ),
            }
        };
        let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        if let Err(why) = (program.check)(&args) {
            bail!("{}: {why}\nusage: {}", program.name, program.usage);
        }
        self.check_hosts()
    }

    /// The hostfile, if one is given, is there.
    fn check_hosts(&self) -> Result<()> {
        if let Some(hosts) = &self.hosts
            && !hosts.is_file()
        {
            bail!("no hostfile {}", hosts.display());
        }
        Ok(())
    }

    /// `mpiexec -n N [-f FILE] BINARY [NAME] ARGS…` (the name is the
    /// program-mpich binary's first argument; a C program's binary is itself).
    fn mpiexec(&self, binary: &Path, name: Option<&str>) -> Command {
        let mut mpiexec = Command::new("mpiexec");
        mpiexec.arg("-n").arg(self.processes.to_string());
        if let Some(hosts) = &self.hosts {
            mpiexec.arg("-f").arg(hosts);
        }
        mpiexec.arg(binary).args(name).args(&self.args);
        mpiexec
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An `Mpirun` for `name` with `args`.
    fn mpirun(name: &str, args: &[&str]) -> Mpirun {
        Mpirun {
            name: name.into(),
            processes: 3,
            hosts: None,
            args: args.iter().map(|a| a.to_string()).collect(),
        }
    }

    #[test]
    fn a_misspelt_program_gets_the_nearest_name() {
        let err = mpirun("toro-reduc", &[]).check().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown program 'toro-reduc' (did you mean 'toro-reduce'?)"
        );
        let err = mpirun("zzzzzzzz", &[]).check().unwrap_err();
        assert!(
            err.to_string()
                .contains("`programs` in the shell lists them")
        );
    }

    #[test]
    fn wrong_arguments_show_the_usage() {
        let err = mpirun("toro-reduce", &["7"]).check().unwrap_err();
        assert!(err.to_string().ends_with("\nusage: toro-reduce"), "{err}");
    }

    #[test]
    fn a_c_program_takes_any_arguments_and_runs_as_its_own_binary() {
        let run = mpirun("cpi", &["500", "extra"]);
        assert!(run.check().is_ok());
        let line = cmd::render(&run.mpiexec(Path::new("/t/mpicc/cpi"), None));
        assert_eq!(line, "$ mpiexec -n 3 /t/mpicc/cpi 500 extra");
    }

    #[test]
    fn a_missing_hostfile_is_an_error_before_any_build() {
        let mut run = mpirun("toro-reduce", &[]);
        run.hosts = Some("/no/such/hostfile".into());
        assert_eq!(
            run.check().unwrap_err().to_string(),
            "no hostfile /no/such/hostfile"
        );
    }

    #[test]
    fn mpiexec_gets_n_the_hostfile_and_the_program() {
        let mut run = mpirun("pi", &["1000"]);
        run.hosts = Some("hosts.txt".into());
        let line = cmd::render(&run.mpiexec(Path::new("/t/programs-mpich"), Some("pi")));
        assert_eq!(
            line,
            "$ mpiexec -n 3 -f hosts.txt /t/programs-mpich pi 1000"
        );
    }
}
