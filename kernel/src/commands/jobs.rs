//! Running a command's work on a set of cores: check they are all free,
//! hand out the jobs, then wait (or not, with `&`), turning the outcome into
//! a line for the user.

use alloc::format;
use core::fmt::Write;

use shell::{CoreSet, Error};

use crate::cores::{self, CoreState, SubmitError, Ticket, WaitOutcome, Work};
use crate::time;

/// Checks that every core in `set` can take a job now.
pub fn check_free(set: CoreSet) -> Result<(), Error> {
    for core in set.iter() {
        let why = match cores::state(core) {
            CoreState::Idle => continue,
            CoreState::Shell => SubmitError::ShellCore,
            CoreState::Running => {
                SubmitError::Busy(cores::current_job(core).map_or("?", |job| job.0))
            }
            CoreState::Faulted => SubmitError::Faulted,
            CoreState::Offline => SubmitError::Offline,
        };
        return Err(Error::invalid(format!("core {core} is {why}")));
    }
    Ok(())
}

/// Runs `work(core)` on every core in `set` as job `name`; waits unless
/// `background`. Returns the outcome (None when sent to the background).
pub fn run_on(
    set: CoreSet,
    name: &'static str,
    background: bool,
    out: &mut dyn Write,
    work: impl Fn(usize) -> Work,
) -> Result<Option<(WaitOutcome, u64)>, Error> {
    check_free(set)?;
    let start = time::now();
    let mut tickets = alloc::vec::Vec::with_capacity(set.len());
    for core in set.iter() {
        let ticket: Ticket = cores::submit(core, name, work(core))
            .map_err(|why| Error::invalid(format!("core {core} is {why}")))?;
        tickets.push(ticket);
    }
    if background {
        let _ = writeln!(
            out,
            "'{name}' running in the background on {} core(s); 'cores' shows them",
            tickets.len()
        );
        return Ok(None);
    }
    let outcome = cores::wait(&tickets);
    let elapsed = time::now() - start;
    for ticket in &tickets {
        if cores::state(ticket.core()) == CoreState::Faulted {
            let _ = writeln!(out, "core {} faulted while running '{name}'", ticket.core());
        }
    }
    if outcome == WaitOutcome::Abandoned {
        let _ = writeln!(
            out,
            "^C again: stopped waiting; 'cores' shows which cores still run '{name}'"
        );
    }
    Ok(Some((outcome, elapsed)))
}
