//! Running a command's work on a set of cores: check they are all free,
//! hand out the jobs (core 0's part runs inline on the shell core), then
//! wait (or not, with `&`), turning the outcome into a line for the user.

use alloc::boxed::Box;
use alloc::format;
use alloc::sync::Arc;
use core::fmt::Write;

use shell::{CoreSet, Error};

use crate::cores::{self, CoreState, JobContext, SubmitError, Ticket, WaitOutcome, Work};
use crate::time;

/// Checks that every core in `set` can take a job now (core 0, the shell
/// core, always can: its part runs inline).
pub fn check_free(set: CoreSet) -> Result<(), Error> {
    for core in set.iter().filter(|&core| core != 0) {
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
/// `background`. Core 0's part runs inline, after the others are started,
/// so it cannot go to the background. Returns the outcome and the cycles
/// taken (None when sent to the background).
pub fn run_on(
    set: CoreSet,
    name: &'static str,
    background: bool,
    out: &mut dyn Write,
    mut work: impl FnMut(usize) -> Work,
) -> Result<Option<(WaitOutcome, u64)>, Error> {
    check_free(set)?;
    if background && set.contains(0) {
        return Err(Error::invalid(
            "core 0 runs the shell, so a demo that includes it cannot run in the background",
        ));
    }
    let start = time::now();
    let mut tickets = alloc::vec::Vec::with_capacity(set.len());
    for core in set.iter().filter(|&core| core != 0) {
        let peers = set.bits() & !(1 << core);
        let ticket: Ticket = cores::submit(core, name, peers, work(core))
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
    cores::set_foreground(set.bits());
    if set.contains(0) {
        work(0)(&JobContext::on_shell_core(set.bits() & !1));
        if cores::abort_requested(0) {
            tickets.iter().for_each(|t| cores::request_abort(t.core())); // Ctrl-C reached core 0 first
        }
    }
    let outcome = cores::wait(&tickets, cores::abort_requested(0) && set.contains(0));
    cores::set_foreground(0);
    let elapsed = time::now() - start;
    for ticket in &tickets {
        if cores::state(ticket.core()) == CoreState::Faulted {
            let _ = writeln!(out, "core {} faulted while running '{name}'", ticket.core());
        }
    }
    if outcome == (WaitOutcome::Finished { aborted: true }) {
        drain_after_abort(set, out);
    }
    if outcome == WaitOutcome::Abandoned {
        let _ = writeln!(
            out,
            "^C again: stopped waiting; 'cores' shows which cores still run '{name}'"
        );
    }
    Ok(Some((outcome, elapsed)))
}

/// After Ctrl-C (or a failed rank) stopped a demo, every core of it throws away the messages
/// still in its rings, so the next demo starts clean; says how many.
pub fn drain_after_abort(set: CoreSet, out: &mut dyn Write) {
    let able = |core: usize| core == 0 || cores::state(core) == CoreState::Idle; // not faulted
    let cores = CoreSet::from_bits(
        set.iter()
            .filter(|&core| able(core))
            .fold(0, |bits, core| bits | 1 << core),
    );
    let found = Arc::new(spin::Mutex::new((0usize, 0usize)));
    let work = |_core: usize| -> Work {
        let found = Arc::clone(&found);
        Box::new(move |job: &JobContext| {
            let (messages, errors) = crate::virtio_bus::drain(job.core());
            let mut total = found.lock();
            total.0 += messages;
            total.1 += errors;
        })
    };
    if let Err(why) = run_on(cores, "drain", false, out, work) {
        let _ = writeln!(
            out,
            "could not empty the rings after the stopped demo: {why}"
        );
        return;
    }
    let (messages, errors) = *found.lock();
    if messages + errors > 0 {
        let _ = writeln!(
            out,
            "discarded {messages} message(s) left in flight by the stopped demo ({errors} receive errors)"
        );
    }
}
