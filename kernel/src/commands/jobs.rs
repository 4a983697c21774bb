//! Running a command's work on a set of cores: check they are all free,
//! hand out the jobs (core 0's part runs inline on the shell core), then
//! wait (or not, with `&`), turning the outcome into a line for the user.
//! A demo's jobs (`run_demo`) also empty their rings before and after
//! (`leftovers.rs`): the one place where a demo starts and ends. A demo
//! nobody waits for (`&`, or a second Ctrl-C) is kept here until its cores
//! are over; then the shell says it ended.

use alloc::format;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt::Write;
use core::sync::atomic::{AtomicBool, Ordering};

use shell::{CoreSet, Error};

use super::leftovers::Leftovers;
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

/// What [`run_on`] and [`run_demo`] return: the outcome and the cycles
/// taken, or None when the work went to the background.
pub type Ran = Option<(WaitOutcome, u64)>;

/// Runs `work(core)` on every core in `set` as job `name`; waits unless
/// `background`. Core 0's part runs inline, after the others are started,
/// so it cannot go to the background. The rings are left as they are (for
/// `vq`, `spin`, `fault`).
pub fn run_on(
    set: CoreSet,
    name: &'static str,
    background: bool,
    out: &mut dyn Write,
    work: impl FnMut(usize) -> Work,
) -> Result<Ran, Error> {
    launch(set, name, background, out, work, None)
}

/// [`run_on`] for a demo that uses the bus: each core empties its receive
/// rings before the demo starts and after it ends, and what was left is
/// reported (see `leftovers.rs`).
pub fn run_demo(
    set: CoreSet,
    name: &'static str,
    background: bool,
    out: &mut dyn Write,
    mut work: impl FnMut(usize) -> Work,
) -> Result<Ran, Error> {
    let leftovers = Arc::new(Leftovers::new(name, set));
    let wrapped = |core| leftovers.wrap(work(core));
    launch(set, name, background, out, wrapped, Some(&leftovers))
}

fn launch(
    set: CoreSet,
    name: &'static str,
    background: bool,
    out: &mut dyn Write,
    mut work: impl FnMut(usize) -> Work,
    leftovers: Option<&Arc<Leftovers>>,
) -> Result<Ran, Error> {
    report_ended_demos(); // first, so the cores they free are seen free
    check_free(set)?;
    if background && set.contains(0) {
        return Err(Error::invalid(
            "core 0 runs the shell, so a demo that includes it cannot run in the background",
        ));
    }
    let start = time::now();
    let tickets = submit_all(set, name, &mut work)?;
    if background {
        let _ = writeln!(
            out,
            "'{name}' running in the background on {} core(s); 'cores' shows them",
            tickets.len()
        );
        if let Some(leftovers) = leftovers {
            unwaited(leftovers, tickets, "in the background");
        }
        return Ok(None);
    }
    cores::set_foreground(set);
    if set.contains(0) {
        // Should core 0 fault in its part, the shell restarts on a fresh
        // stack and this frame is gone: then the demo is one nobody waits
        // for, and the prompt empties core 0's rings once the others end.
        if let Some(leftovers) = leftovers {
            unwaited(leftovers, tickets.clone(), "after core 0 faulted");
        }
        work(0)(&JobContext::on_shell_core(set.without(0)));
        if let Some(leftovers) = leftovers {
            waited_again(leftovers);
        }
        if cores::abort_requested(0) {
            tickets.iter().for_each(|t| cores::request_abort(t.core())); // Ctrl-C reached core 0 first
        }
    }
    let outcome = cores::wait(&tickets, cores::abort_requested(0) && set.contains(0));
    cores::set_foreground(CoreSet::default());
    let elapsed = time::now() - start;
    for ticket in &tickets {
        if cores::state(ticket.core()) == CoreState::Faulted {
            let _ = writeln!(out, "core {} faulted while running '{name}'", ticket.core());
        }
    }
    match (outcome, leftovers) {
        (WaitOutcome::Abandoned, leftovers) => {
            let _ = writeln!(
                out,
                "^C again: stopped waiting; 'cores' shows which cores still run '{name}'"
            );
            if let Some(leftovers) = leftovers {
                unwaited(leftovers, tickets, "after the shell stopped waiting");
            }
        }
        (WaitOutcome::Finished { .. }, Some(leftovers)) => leftovers.after_on_shell_core(),
        (WaitOutcome::Finished { .. }, None) => {}
    }
    Ok(Some((outcome, elapsed)))
}

/// A demo nobody waits for any more, until all its cores are over.
struct Unwaited {
    leftovers: Arc<Leftovers>,
    /// The jobs not yet seen over (a core seen over may take a new job).
    running: Vec<Ticket>,
    /// How it ended, for the last line: "in the background", ...
    how: &'static str,
}

/// The demos nobody waits for. Lock rule: the shell core only (`launch`
/// and the prompt), never while a demo's part runs on it.
static UNWAITED: spin::Mutex<Vec<Unwaited>> = spin::Mutex::new(Vec::new());

fn unwaited(leftovers: &Arc<Leftovers>, running: Vec<Ticket>, how: &'static str) {
    let leftovers = Arc::clone(leftovers);
    UNWAITED.lock().push(Unwaited {
        leftovers,
        running,
        how,
    });
}

/// Takes `leftovers`' demo back from those nobody waits for: core 0's part
/// returned, so the shell waits for it after all.
fn waited_again(leftovers: &Arc<Leftovers>) {
    UNWAITED
        .lock()
        .retain(|demo| !Arc::ptr_eq(&demo.leftovers, leftovers));
}

/// Whether a demo nobody waits for has ended, so the prompt should wake
/// and say so (a core that finishes a job wakes the shell core).
pub fn unwaited_demo_ended() -> bool {
    UNWAITED
        .lock()
        .iter()
        .any(|demo| demo.running.iter().all(Ticket::is_over))
}

/// For every demo nobody waits for whose cores are all over: core 0's part
/// empties its rings (nobody can send to them any more), what was left is
/// reported, and one line says the demo ended.
pub fn report_ended_demos() {
    let ended: Vec<Unwaited> = {
        let mut demos = UNWAITED.lock();
        demos
            .iter_mut()
            .for_each(|demo| demo.running.retain(|ticket| !ticket.is_over()));
        demos
            .extract_if(.., |demo| demo.running.is_empty())
            .collect()
    };
    for demo in ended {
        demo.leftovers.report_end(demo.how);
    }
}

/// Hands `work(core)` to every core of `set` but 0. If one cannot take it,
/// the ones already started are asked to stop (a demo's cores wait for
/// each other) and the error is returned.
fn submit_all(
    set: CoreSet,
    name: &'static str,
    work: &mut impl FnMut(usize) -> Work,
) -> Result<Vec<Ticket>, Error> {
    let mut tickets = Vec::with_capacity(set.len());
    for core in set.iter().filter(|&core| core != 0) {
        match cores::submit(core, name, set.without(core), work(core)) {
            Ok(ticket) => tickets.push(ticket),
            Err(why) => {
                tickets.iter().for_each(|t| cores::request_abort(t.core()));
                return Err(Error::invalid(format!("core {core} is {why}")));
            }
        }
    }
    Ok(tickets)
}

/// Set by the first core of a demo whose part fails, so that the others
/// stop at once instead of waiting for it (shared through an `Arc`).
#[derive(Default)]
pub struct FailFlag(AtomicBool);

impl FailFlag {
    /// A core's part failed: sets the flag and wakes the demo's `members`,
    /// which may be napping on the bus (notify mode) rather than polling it.
    pub fn raise(&self, members: &[usize]) {
        self.0.store(true, Ordering::Release); // Acquire: raised
        members.iter().for_each(|&core| cores::wake(core));
    }

    /// Whether some core's part failed.
    pub fn raised(&self) -> bool {
        self.0.load(Ordering::Acquire) // Release: raise
    }
}
