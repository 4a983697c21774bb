//! Debug commands that exercise the machinery: `spin` keeps cores busy (to
//! watch states and Ctrl-C), `fault` raises a CPU exception on a core (to
//! see the report and what happens to the core).

use alloc::boxed::Box;
use alloc::string::String;
use core::fmt::Write;

use shell::{Args, Command, CoreSet, Error};

use super::format::Seconds;
use super::{Kernel, jobs};
use crate::arch::fault_injection::{self, FaultKind};
use crate::cores::{self, CoreState, JobContext, WaitOutcome};
use crate::time;

/// Longest `spin`, so a typo cannot keep cores busy for hours.
const MAX_SPIN_MS: u64 = 600_000;

/// `spin <cores> <ms>`: busy cores.
pub const SPIN: Command<Kernel> = Command {
    name: "spin",
    summary: "keep cores busy for a while (try 'cores' and Ctrl-C meanwhile)",
    usage: "spin <cores> <ms> [&]",
    help: "Runs a busy loop for <ms> milliseconds on each core in <cores> (a list like 1,3 or 1-3; \
           not core 0, which runs the shell). Ctrl-C stops it early. With a trailing &, the shell \
           does not wait, so 'cores' shows them running.",
    example: "spin 1-2 500",
    run: spin_command,
};

fn job_cores(text: &str) -> Result<CoreSet, Error> {
    let set = CoreSet::parse(text, cores::count())?;
    if set.contains(0) {
        let others = if cores::count() > 1 {
            alloc::format!("choose from 1-{}", cores::count() - 1)
        } else {
            String::from("this machine has no other core")
        };
        return Err(Error::invalid(alloc::format!(
            "core 0 runs the shell; {others}"
        )));
    }
    Ok(set)
}

fn spin_command(_: &mut Kernel, args: &mut Args<'_>, out: &mut dyn Write) -> Result<(), Error> {
    let set = job_cores(args.positional("cores")?)?;
    let ms: u64 = args.positional_in("ms", 1..=MAX_SPIN_MS)?;
    let background = args.background();
    args.finish()?;
    let work = |_core| -> cores::Work { Box::new(move |job: &JobContext| spin(job, ms)) };
    let Some((outcome, cycles)) = jobs::run_on(set, "spin", background, out, work)? else {
        return Ok(());
    };
    let elapsed = Seconds(time::cycles_to_ns(cycles));
    let _ = match outcome {
        WaitOutcome::Finished { aborted: false } => {
            writeln!(out, "spun {} core(s) for {elapsed}", set.len())
        }
        WaitOutcome::Finished { aborted: true } => {
            writeln!(out, "stopped by Ctrl-C after {elapsed}")
        }
        WaitOutcome::Abandoned => Ok(()),
    };
    Ok(())
}

fn spin(job: &JobContext, ms: u64) {
    let end = time::now() + time::tsc_hz() / 1000 * ms;
    while time::now() < end && !job.should_abort() {
        core::hint::spin_loop();
    }
}

/// `fault <core> <kind>`: raise an exception.
pub const FAULT: Command<Kernel> = Command {
    name: "fault",
    summary: "raise a CPU exception on a core, to see the report",
    usage: "fault <core> <page|gp|divide|opcode|breakpoint|stack|panic>",
    help: "Makes <core> take an exception: page (read an unmapped address), gp (non-canonical \
           address), divide (by zero), opcode (ud2), breakpoint (int3, resumes), stack (overflow \
           into the guard page; reported through the double fault), panic (a Rust panic in the \
           job; not on core 0). A faulted core is parked \
           ('cores' shows it); on core 0 the shell restarts instead.",
    example: "fault 1 page",
    run: fault_command,
};

fn parse_kind(text: &str) -> Result<FaultKind, Error> {
    FaultKind::ALL
        .iter()
        .find(|(name, _)| *name == text)
        .map(|&(_, kind)| kind)
        .ok_or_else(|| {
            let names: alloc::vec::Vec<&str> =
                FaultKind::ALL.iter().map(|(name, _)| *name).collect();
            Error::invalid(alloc::format!(
                "unknown fault kind '{text}' (valid: {}, panic)",
                names.join(", ")
            ))
        })
}

fn fault_command(_: &mut Kernel, args: &mut Args<'_>, out: &mut dyn Write) -> Result<(), Error> {
    let core = shell::parse_core(args.positional("core")?, cores::count())?;
    let kind: &str = args.positional("kind")?;
    args.finish()?;
    if kind == "panic" {
        return panic_on(core, out);
    }
    let kind = parse_kind(kind)?;
    if core == 0 {
        fault_injection::trigger(kind); // only a breakpoint comes back
        let _ = writeln!(out, "core 0 resumed after the {}", kind.name());
        return Ok(());
    }
    let set = CoreSet::default().with(core);
    let work =
        |_core| -> cores::Work { Box::new(move |_: &JobContext| fault_injection::trigger(kind)) };
    jobs::run_on(set, "fault", false, out, work)?;
    if cores::state(core) != CoreState::Faulted {
        let _ = writeln!(out, "core {core} resumed after the {}", kind.name());
    }
    Ok(())
}

/// `fault <core> panic`: a Rust panic in a job, which parks the core like a
/// CPU exception does (the panic handler marks it faulted).
fn panic_on(core: usize, out: &mut dyn Write) -> Result<(), Error> {
    if core == 0 {
        return Err(Error::invalid(
            "a panic on core 0 would stop the shell; choose a job core",
        ));
    }
    let work = |_core| -> cores::Work {
        Box::new(|_: &JobContext| panic!("deliberate panic from the fault command"))
    };
    jobs::run_on(CoreSet::default().with(core), "fault", false, out, work)?;
    Ok(())
}
