//! One `run` of a program: the state its instances share (outcomes, the stop
//! flag, the hang watch), the body each core runs, and the final report.
//! Parsing the command line and claiming the cores is in `run.rs`.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use programs::{AnyTransport, Failure, Host, Instance, Program};

use super::format::{Bytes, Micros};
use super::hang::Watch;
use super::jobs::FailFlag;
use crate::cores::{self, CoreSet, CoreState, JobContext};
use crate::{core_bus, time};

/// How one instance ended (None in `Run::outcomes` while it runs, or if
/// its core faulted or panicked and never came back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// `main` returned Ok (with a C program's exit status, 0).
    Finished { exit_status: Option<i32> },
    /// Stopped by Ctrl-C or because another instance failed.
    Stopped,
    /// The program failed: why, and a C program's exit status if it exited
    /// (a non-zero status) rather than failing in an MPI call.
    Failed {
        why: String,
        exit_status: Option<i32>,
    },
}

impl Ending {
    /// A failure that is no C program's exit.
    fn failed(why: impl Into<String>) -> Self {
        Ending::Failed {
            why: why.into(),
            exit_status: None,
        }
    }
}

/// A trouble `run --inject KIND:RANK` makes one instance meet before its
/// program starts, so the others' handling of it can be seen and tested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inject {
    /// The instance fails (as a program returning a `Failure`).
    Fail,
    /// The instance panics (its core is parked).
    Panic,
    /// The instance reads an unmapped address (a page fault parks its core).
    Fault,
}

impl Inject {
    /// Every kind with its name on the command line.
    pub const ALL: [(&'static str, Inject); 3] = [
        ("fail", Inject::Fail),
        ("panic", Inject::Panic),
        ("fault", Inject::Fault),
    ];

    /// Meets the trouble; returns only for `Fail`.
    fn meet(self) -> Ending {
        match self {
            Inject::Fail => Ending::failed("injected failure (--inject fail)"),
            Inject::Panic => panic!("injected panic (--inject panic)"),
            Inject::Fault => {
                crate::arch::fault_injection::trigger(
                    crate::arch::fault_injection::FaultKind::Page,
                );
                unreachable!("a page fault parks the core")
            }
        }
    }
}

/// What every instance of one run shares.
pub struct Run {
    /// The program.
    pub program: &'static Program,
    /// Its arguments (after the name and `run`'s own options).
    pub args: Vec<String>,
    /// The cores, in rank order.
    pub members: Vec<usize>,
    /// The communicator's context (fresh for every run).
    pub context: u16,
    /// TSC when the run started.
    pub started: u64,
    /// Messages and bytes each core had sent on the bus before the run.
    sent_before: Vec<(u64, u64)>,
    /// Per rank, how it ended. Lock rule: each instance writes only its own
    /// slot, once, at its end; the reporter reads after every one is done.
    outcomes: spin::Mutex<Vec<Option<Ending>>>,
    /// Raised by an instance that failed, so the others stop; read in
    /// every instance's abort check.
    stop: FailFlag,
    /// Instances that returned. Incremented (Release) after the outcome is
    /// stored; the background reporter loads it (Acquire).
    returned: AtomicUsize,
    /// Set once by whoever prints the background report.
    reported: AtomicBool,
    /// Whether the shell waits (it prints the report) or not (the last
    /// instance to end prints it).
    pub background: bool,
    /// The hang watch.
    pub watch: Watch,
    /// The trouble one rank meets before it starts, if any.
    inject: Option<(Inject, usize)>,
}

impl Run {
    /// A run of `program` on `cores`.
    pub fn new(
        program: &'static Program,
        args: Vec<String>,
        cores: CoreSet,
        context: u16,
        background: bool,
        hang_after_cycles: u64,
        inject: Option<(Inject, usize)>,
    ) -> Self {
        let members: Vec<usize> = cores.iter().collect();
        let ranks = members.len();
        Run {
            program,
            args,
            sent_before: sent_per_core(&members),
            watch: Watch::new(members.clone(), hang_after_cycles),
            members,
            context,
            started: time::now(),
            outcomes: spin::Mutex::new(alloc::vec![None; ranks]),
            stop: FailFlag::default(),
            returned: AtomicUsize::new(0),
            reported: AtomicBool::new(false),
            background,
            inject,
        }
    }

    /// The rank of `core` (it is a member).
    fn rank_of(&self, core: usize) -> usize {
        self.members
            .iter()
            .position(|&member| member == core)
            .expect("only members run an instance")
    }

    /// Whether the instance on `core` should stop.
    fn should_stop(&self, core: usize, peers: CoreSet) -> bool {
        cores::stop_requested(core, peers) || self.stop.raised()
    }

    /// Stores how rank `rank` ended; the last to end of a background run prints the report.
    fn record(&self, rank: usize, ending: Ending) {
        if matches!(ending, Ending::Failed { .. }) {
            self.stop.raise(&self.members);
        }
        self.outcomes.lock()[rank] = Some(ending);
        self.returned.fetch_add(1, Ordering::Release); // Acquire: all_ended
        self.watch.finished(rank);
        if self.background && self.all_ended() && !self.reported.swap(true, Ordering::Relaxed) {
            let interrupted = !self.stopped_by_failure() && self.any_stopped();
            let _ = self.report(interrupted, &mut crate::console::Console);
        }
    }

    /// Whether every instance returned or lost its core to a fault.
    fn all_ended(&self) -> bool {
        let lost = self
            .members
            .iter()
            .filter(|&&core| core != 0 && cores::state(core) == CoreState::Faulted)
            .count();
        self.returned.load(Ordering::Acquire) + lost >= self.members.len()
    }

    /// The failures, then the summary: ranks, wall time, and per rank its
    /// status and the messages and bytes it sent.
    pub fn report(&self, interrupted: bool, out: &mut dyn Write) -> core::fmt::Result {
        let wall = time::cycles_to_ns(time::now() - self.started);
        let outcomes = self.outcomes.lock().clone();
        for (rank, (core, ending)) in self.members.iter().zip(&outcomes).enumerate() {
            self.report_rank(rank, *core, ending.as_ref(), out)?;
        }
        if interrupted {
            writeln!(out, "{} stopped by Ctrl-C", self.program.name)?;
        } else {
            report_stopped(&outcomes, out)?;
        }
        let cores = self
            .members
            .iter()
            .fold(CoreSet::default(), |set, &core| set.with(core));
        writeln!(
            out,
            "{}: {} on cores {cores}, wall time {}",
            self.program.name,
            match self.members.len() {
                1 => alloc::string::String::from("1 rank"),
                n => alloc::format!("{n} ranks"),
            },
            Micros(wall)
        )?;
        let after = sent_per_core(&self.members);
        for (rank, (before, after)) in self.sent_before.iter().zip(after).enumerate() {
            let core = self.members[rank];
            writeln!(
                out,
                "rank {rank} (core {core}): {}, sent {} messages, {} bytes",
                status(outcomes[rank].as_ref(), core),
                after.0 - before.0,
                after.1 - before.1
            )?;
        }
        Ok(())
    }

    /// Whether some instance was stopped before it finished.
    fn any_stopped(&self) -> bool {
        self.outcomes.lock().contains(&Some(Ending::Stopped))
    }

    /// Whether the others were stopped because an instance failed or died.
    pub fn stopped_by_failure(&self) -> bool {
        self.stop.raised()
            || self
                .members
                .iter()
                .any(|&core| cores::state(core) == CoreState::Faulted)
    }

    /// One line for a rank that did not simply finish.
    fn report_rank(
        &self,
        rank: usize,
        core: usize,
        ending: Option<&Ending>,
        out: &mut dyn Write,
    ) -> core::fmt::Result {
        match ending {
            Some(Ending::Finished { .. } | Ending::Stopped) => Ok(()),
            Some(Ending::Failed { why, .. }) => {
                writeln!(out, "rank {rank} (core {core}) failed: {why}")
            }
            None => match cores::fault_record(core) {
                Some(fault) => {
                    write!(out, "rank {rank} (core {core}) died: {}", fault.exception)?;
                    match crate::symbols::lookup(fault.rip) {
                        Some((function, offset)) => write!(out, " in {function} +{offset:#x}")?,
                        None if fault.rip != 0 => write!(out, " at rip {:#x}", fault.rip)?,
                        None => {}
                    }
                    writeln!(out, " (its report is above)")
                }
                None => writeln!(out, "rank {rank} (core {core}) did not finish"),
            },
        }
    }
}

/// A rank's status in the summary: `ok` (a Rust program's `main` returned
/// Ok), `exit N` (a C program's status), `failed`, `stopped`, `died` (its
/// core faulted or panicked) or `did not finish`.
fn status(ending: Option<&Ending>, core: usize) -> String {
    match ending {
        Some(
            Ending::Finished {
                exit_status: Some(code),
            }
            | Ending::Failed {
                exit_status: Some(code),
                ..
            },
        ) => format!("exit {code}"),
        Some(Ending::Finished { exit_status: None }) => "ok".into(),
        Some(Ending::Failed { .. }) => "failed".into(),
        Some(Ending::Stopped) => "stopped".into(),
        None if cores::fault_record(core).is_some() => "died".into(),
        None => "did not finish".into(),
    }
}

/// `stopped ranks 0, 2 after the failure`, if any rank was stopped.
fn report_stopped(outcomes: &[Option<Ending>], out: &mut dyn Write) -> core::fmt::Result {
    let stopped: Vec<String> = (0..outcomes.len())
        .filter(|&rank| outcomes[rank] == Some(Ending::Stopped))
        .map(|rank| rank.to_string())
        .collect();
    if stopped.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "stopped rank(s) {} after the failure",
        stopped.join(", ")
    )
}

/// Messages and bytes each of `members` has sent on the bus so far.
fn sent_per_core(members: &[usize]) -> Vec<(u64, u64)> {
    let stats = core_bus::get().stats();
    let sent = |src: usize| {
        (0..stats.cores()).fold((0, 0), |(messages, bytes), dst| {
            (
                messages + stats.messages(src, dst),
                bytes + stats.bytes(src, dst),
            )
        })
    };
    members.iter().map(|&src| sent(src)).collect()
}

/// Where an instance's output goes: the console, one line at a time, with
/// no prefix (Toro's lines have none, and the seed's must stay unchanged).
struct ConsoleHost;

impl Host for ConsoleHost {
    fn line(&mut self, line: &str) {
        crate::println!("{line}");
    }

    fn wtime(&self) -> f64 {
        time::now() as f64 / time::tsc_hz() as f64
    }

    fn wtick(&self) -> f64 {
        1.0 / time::tsc_hz() as f64
    }
}

/// The body of one instance, run on the calling core.
pub fn run_instance(job: &JobContext, run: &alloc::sync::Arc<Run>) {
    let (core, peers) = (job.core(), job.peers());
    let rank = run.rank_of(core);
    let ending = match run.inject {
        Some((trouble, victim)) if victim == rank => trouble.meet(),
        _ => match instance_main(core, peers, rank, run) {
            (Ok(()), exit_status) => Ending::Finished { exit_status },
            (Err(Failure::Mpi(mpi::Error::Aborted)), _) => Ending::Stopped,
            (Err(failure), _) if failure.is_out_of_memory() => Ending::failed(format!(
                "{failure}; {} of memory is free",
                Bytes(crate::heap::stats().free_bytes())
            )),
            (Err(failure), exit_status) => Ending::Failed {
                why: failure.to_string(),
                exit_status,
            },
        },
    };
    run.record(rank, ending);
}

/// How the program's `main` ended, and a C program's exit status.
fn instance_main(
    core: usize,
    peers: CoreSet,
    rank: usize,
    run: &alloc::sync::Arc<Run>,
) -> (Result<(), Failure>, Option<i32>) {
    let shared = alloc::sync::Arc::clone(run);
    let abort = move || shared.should_stop(core, peers);
    let ran = core_bus::with_endpoint(core, |endpoint| -> Result<_, Failure> {
        let port = core_bus::mpi_port(endpoint);
        let mut mpi = programs::Mpi::new(AnyTransport(Box::new(port)))?.with_abort(abort);
        let comm = mpi.group(&run.members, run.context)?;
        let (shared, ranks) = (alloc::sync::Arc::clone(run), comm.clone());
        mpi.set_wait_hook(Some(Box::new(move |state: Option<mpi::Blocked>| {
            let state = state.map(|s| s.in_ranks(&ranks).unwrap_or(s)); // peers are members
            shared.watch.heard(rank, state);
        })));
        let args: Vec<&str> = run.args.iter().map(String::as_str).collect();
        let mut host = ConsoleHost;
        let mut instance = Instance::new(&mut mpi, comm, &args, &mut host);
        let result = (run.program.main)(&mut instance);
        instance.finish();
        Ok((result, instance.exit_status()))
    });
    ran.unwrap_or_else(|failure| (Err(failure), None))
}
