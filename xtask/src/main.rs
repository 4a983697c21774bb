//! `cargo xtask`: ringlab's build, run, test and bench driver. This file holds
//! the command-line enum only; each subcommand has its own file, and every
//! command it runs is echoed first as a `$ ...` line.

mod bench;
mod build;
mod instructions;
mod mpirun;
mod run;
mod soak;
mod test;
mod view;

use std::process::ExitCode;

use clap::Parser;

/// ringlab's developer tasks. Run from anywhere in the workspace as
/// `cargo xtask <COMMAND>`.
#[derive(Debug, Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    version,
    args_override_self = true
)]
enum Cli {
    Build(build::Build),
    Run(run::Run),
    View(view::View),
    Test(test::Test),
    Bench(bench::Bench),
    Grade(xtask::grade::Grade),
    Mpirun(mpirun::Mpirun),
    Soak(soak::Soak),
}

impl Cli {
    /// Runs the chosen subcommand.
    fn run(self) -> anyhow::Result<ExitCode> {
        match self {
            Self::Build(build) => build.run(),
            Self::Run(run) => run.run(),
            Self::View(view) => view.run(),
            Self::Test(test) => test.run(),
            Self::Bench(bench) => bench.run(),
            Self::Grade(grade) => grade.run(),
            Self::Mpirun(mpirun) => mpirun.run(),
            Self::Soak(soak) => soak.run(),
        }
    }
}

fn main() -> ExitCode {
    match Cli::parse().run() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Parses `cargo xtask <args>`.
    fn parse(args: &str) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("xtask").chain(args.split_whitespace()))
    }

    #[test]
    fn the_cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn run_defaults_and_passthrough_arguments() {
        let Cli::Run(run) = parse("run").unwrap() else {
            panic!("not run")
        };
        assert_eq!(
            (run.machine.smp, run.machine.memory.as_str(), run.gdb),
            (4, "512M", false)
        );
        let Cli::Run(run) = parse("run --smp 2 --accel kvm --gdb -- -d int").unwrap() else {
            panic!("not run")
        };
        assert_eq!(run.machine.smp, 2);
        assert_eq!(run.qemu_args, ["-d", "int"]);
    }

    #[test]
    fn bad_arguments_are_rejected() {
        assert!(parse("run --smp 0").is_err());
        assert!(parse("run --accel hvf").is_err());
        assert!(parse("bench --boots 0").is_err());
        assert!(parse("frobnicate").is_err());
    }

    #[test]
    fn bench_can_run_the_bus_alone() {
        let Cli::Bench(bench) = parse("bench --bus-only").unwrap() else {
            panic!("not bench")
        };
        assert!(bench.bus_only);
        let Cli::Bench(bench) = parse("bench").unwrap() else {
            panic!("not bench")
        };
        assert!(!bench.bus_only && !bench.trace_only);
        let Cli::Bench(bench) = parse("bench --trace-only").unwrap() else {
            panic!("not bench")
        };
        assert!(bench.trace_only);
    }

    #[test]
    fn grade_takes_a_lab_or_list() {
        let Cli::Grade(grade) = parse("grade ring --student --json").unwrap() else {
            panic!("not grade")
        };
        assert_eq!(grade.lab.as_deref(), Some("ring"));
        assert!(grade.student && grade.json && !grade.list);
        assert!(parse("grade --list").is_ok());
        assert!(parse("grade").is_err());
    }

    #[test]
    fn mpirun_takes_n_hosts_and_program_arguments() {
        let Cli::Mpirun(mpirun) = parse("mpirun pi -n 4 --hosts h.txt -- 1000").unwrap() else {
            panic!("not mpirun")
        };
        assert_eq!((mpirun.name.as_str(), mpirun.processes), ("pi", 4));
        assert_eq!(mpirun.hosts.as_deref(), Some(std::path::Path::new("h.txt")));
        assert_eq!(mpirun.args, ["1000"]);
        assert!(parse("mpirun pi").is_err(), "-n is required");
        assert!(parse("mpirun pi -n 0").is_err());
        assert!(parse("mpirun pi -n many").is_err());
    }

    #[test]
    fn view_takes_the_machine_and_a_recording() {
        let Cli::View(view) = parse("view --smp 2 --record target/v.trace -- -d int").unwrap()
        else {
            panic!("not view")
        };
        assert_eq!(
            (view.machine.smp, view.machine.memory.as_str()),
            (2, "512M")
        );
        assert_eq!(
            view.record.as_deref(),
            Some(std::path::Path::new("target/v.trace"))
        );
        assert_eq!(view.qemu_args, ["-d", "int"]);
        assert!(parse("view --smp 0").is_err());
    }

    #[test]
    fn build_takes_debug() {
        let Cli::Build(build) = parse("build --debug").unwrap() else {
            panic!("not build")
        };
        assert!(build.debug);
    }
}
