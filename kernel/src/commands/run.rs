//! `programs` and `run`: the shipped SPMD programs (crate `programs`) and
//! running one instance of one on each chosen core, in a communicator of
//! those cores. What a run shares and reports is in `program_run.rs`.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use core::fmt::Write;

use programs::{Failure, Program};
use shell::{Args, Command, CoreSet, Error};

use super::program_run::{Inject, Run, run_instance};
use super::{Kernel, jobs};
use crate::cores::{JobContext, WaitOutcome, Work};
use crate::{c_programs, cores, mpi_context, time};

/// Default seconds of waiting with no message moving before a hang report.
const DEFAULT_HANG_AFTER_S: f64 = 2.0;
/// Longest `--hang-after` (an hour).
const MAX_HANG_AFTER_S: f64 = 3600.0;

/// `programs`: the list.
pub const PROGRAMS: Command<Kernel> = Command {
    name: "programs",
    summary: "list the SPMD programs 'run' can start",
    usage: "programs",
    help: "Each program's name, what it does, and its source file (Rust in programs/src/, C in \
           programs/c/).",
    example: "programs",
    run: programs_command,
};

/// `run <name> [--cores LIST] [--hang-after SECS] [args…] [&]`.
pub const RUN: Command<Kernel> = Command {
    name: "run",
    summary: "run a program: one instance per core, in a communicator of those cores",
    usage: "run <program> [--cores LIST] [--hang-after SECS] [--inject KIND:RANK] [args...] [&]",
    help: "Starts one instance of <program> (see 'programs') on each core in LIST (default: all \
           cores; with a trailing &, all but core 0, which runs the shell) and waits. LIST is a set: \
           rank i runs on its i-th lowest core (--cores 3,1 puts rank 0 on core 1). Each instance's lines appear as it prints them, unprefixed. \
           At the end: failures (rank, core, why), then ranks, wall time and the messages and \
           bytes each rank sent. Ctrl-C stops every instance. When every instance has waited \
           SECS (default 2, 0: never) with no message moving, it prints who waits for whom and \
           keeps waiting. --inject fail|panic|fault:RANK makes that rank fail, panic or take a \
           page fault before its program starts (not on core 0), to see how the others stop.",
    example: "run pi 1000 --cores 1-3",
    run: run_command,
};

fn programs_command(_: &mut Kernel, args: &mut Args<'_>, out: &mut dyn Write) -> Result<(), Error> {
    args.finish()?;
    let all = || programs::PROGRAMS.iter().chain(c_programs::C_PROGRAMS);
    let width = all().map(|p| p.name.len()).max().unwrap_or(0);
    for program in all() {
        writeln!(
            out,
            "{:<width$}  {} ({})",
            program.name, program.summary, program.source
        )?;
    }
    Ok(())
}

/// What `run` was asked to do, checked before any core starts.
struct Request<'a> {
    program: &'static Program,
    args: alloc::vec::Vec<&'a str>,
    cores: CoreSet,
    hang_after_s: f64,
    inject: Option<(Inject, usize)>,
}

fn parse_request<'a>(args: &'a Args<'_>, background: bool) -> Result<Request<'a>, Error> {
    let cores_text: Option<&str> = args.option("--cores")?;
    let hang_after_s = parse_hang_after(args.option("--hang-after")?)?;
    let inject = args.option("--inject")?.map(parse_inject).transpose()?;
    let name: &str = args.positional("program")?;
    let program = programs::find(name)
        .or_else(|| c_programs::find(name))
        .ok_or_else(|| unknown_program(name))?;
    let rest = args.rest();
    (program.check)(&rest).map_err(|why| usage_error(program, &why))?;
    let cores = match cores_text {
        Some(text) => CoreSet::parse(text, cores::count())?,
        None if background => CoreSet::all(cores::count()).without(0),
        None => CoreSet::all(cores::count()),
    };
    if cores.is_empty() {
        return Err(Error::invalid("no core other than core 0 to run it on"));
    }
    check_inject(inject, cores)?;
    Ok(Request {
        program,
        args: rest,
        cores,
        hang_after_s,
        inject,
    })
}

fn parse_hang_after(text: Option<&str>) -> Result<f64, Error> {
    let Some(text) = text else {
        return Ok(DEFAULT_HANG_AFTER_S);
    };
    match text.parse::<f64>() {
        Ok(secs) if (0.0..=MAX_HANG_AFTER_S).contains(&secs) => Ok(secs),
        _ => Err(Error::invalid(format!(
            "--hang-after takes seconds from 0 to {MAX_HANG_AFTER_S} (0: never report), not '{text}'"
        ))),
    }
}

fn parse_inject(text: &str) -> Result<(Inject, usize), Error> {
    let bad = || {
        Error::invalid(format!(
            "--inject takes KIND:RANK with KIND fail, panic or fault, not '{text}'"
        ))
    };
    let (kind, rank) = text.split_once(':').ok_or_else(bad)?;
    let kind = Inject::ALL
        .iter()
        .find(|(name, _)| *name == kind)
        .ok_or_else(bad)?
        .1;
    Ok((kind, rank.parse().map_err(|_| bad())?))
}

/// The injected rank exists and, for a panic or a fault, is not on core 0.
fn check_inject(inject: Option<(Inject, usize)>, cores: CoreSet) -> Result<(), Error> {
    let Some((kind, rank)) = inject else {
        return Ok(());
    };
    match cores.iter().nth(rank) {
        None => Err(Error::invalid(format!(
            "--inject: there is no rank {rank} among {} ranks",
            cores.len()
        ))),
        Some(0) if kind != Inject::Fail => Err(Error::invalid(format!(
            "--inject: rank {rank} runs on core 0, the shell's core; a panic or fault there would stop the shell"
        ))),
        Some(_) => Ok(()),
    }
}

fn unknown_program(name: &str) -> Error {
    let hint = match programs::nearest(name) {
        Some(near) => format!(" (did you mean '{near}'?)"),
        None => String::new(),
    };
    Error::invalid(format!(
        "unknown program '{name}'{hint}; 'programs' lists them"
    ))
}

fn usage_error(program: &Program, why: &Failure) -> Error {
    match why {
        Failure::Usage(_) => Error::invalid(format!("{why}; usage: run {}", program.usage)),
        other => Error::invalid(other.to_string()),
    }
}

fn run_command(_: &mut Kernel, args: &mut Args<'_>, out: &mut dyn Write) -> Result<(), Error> {
    let background = args.background();
    let request = parse_request(args, background)?;
    let hang_after = (request.hang_after_s * time::tsc_hz() as f64) as u64;
    let run = Arc::new(Run::new(
        request.program,
        request.args.iter().map(|arg| arg.to_string()).collect(),
        request.cores,
        mpi_context::fresh_context(),
        background,
        hang_after,
        request.inject,
    ));
    let work = |_core: usize| -> Work {
        let run = Arc::clone(&run);
        Box::new(move |job: &JobContext| run_instance(job, &run))
    };
    let Some((outcome, _)) =
        jobs::run_demo(request.cores, request.program.name, background, out, work)?
    else {
        return Ok(());
    };
    if let WaitOutcome::Finished { aborted } = outcome {
        run.report(aborted, out)?;
    }
    Ok(())
}
