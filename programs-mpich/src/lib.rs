//! `programs-mpich`: ringlab's programs on a real MPI library. One program
//! instance runs per MPI process (rank = MPI rank, communicator = world) over
//! [`MpichTransport`]; `cargo xtask mpirun` starts it under `mpiexec`.

mod transport;

use std::io::Write;
use std::process::ExitCode;

use programs::{AnyTransport, Failure, Host, Instance, Mpi, Program};
use rsmpi::topology::{Communicator, SimpleCommunicator};

pub use crate::transport::{MAX_IN_FLIGHT, MAX_MESSAGE, MpichTransport};

/// [`Host`] for one MPI process: lines to stdout, time from `MPI_Wtime`.
pub struct StdoutHost;

impl Host for StdoutHost {
    fn line(&mut self, line: &str) {
        // One write per line, so mpiexec forwards whole lines.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}").and_then(|()| out.flush());
    }

    fn wtime(&self) -> f64 {
        rsmpi::time()
    }

    fn wtick(&self) -> f64 {
        rsmpi::time_resolution()
    }
}

/// Why a run did not succeed.
#[derive(Debug)]
pub enum RunError {
    /// No program has this name; the nearest name, if any.
    Unknown(String, Option<&'static str>),
    /// The arguments are wrong (every rank sees it before any message
    /// moves): why, and the program's usage.
    Usage(String, &'static str),
    /// This rank's instance failed while running.
    Failed(Failure),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Unknown(name, Some(near)) => {
                write!(f, "unknown program '{name}' (did you mean '{near}'?)")
            }
            RunError::Unknown(name, None) => write!(f, "unknown program '{name}'"),
            RunError::Usage(why, usage) => write!(f, "{why}\nusage: {usage}"),
            RunError::Failed(failure) => write!(f, "failed: {failure}"),
        }
    }
}

/// The program `name` with arguments `args`, checked as `run` checks them.
pub fn checked(name: &str, args: &[&str]) -> Result<&'static Program, RunError> {
    let program = programs::find(name)
        .ok_or_else(|| RunError::Unknown(name.into(), programs::nearest(name)))?;
    (program.check)(args).map_err(|failure| match failure {
        Failure::Usage(why) => RunError::Usage(why, program.usage),
        other => RunError::Failed(other),
    })?;
    Ok(program)
}

/// Runs this process's instance of `program` on `world` with `args`, and
/// ends every rank (`MPI_Abort`) when this one fails or panics, after
/// `error: rank R: NAME: …` on stderr. It aborts before the transport is
/// dropped: the other ranks may be waiting for this one, and the drop would
/// wait for them.
pub fn run_or_abort(program: &Program, world: &SimpleCommunicator, args: &[&str]) -> ExitCode {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        report(info);
        std::thread::sleep(FORWARD_PAUSE); // as in `abort`
        SimpleCommunicator::world().abort(101)
    }));
    let transport = AnyTransport(Box::new(MpichTransport::new(world)));
    let mut mpi = Mpi::new(transport).unwrap_or_else(|e| abort(world, program, e.into()));
    let comm = mpi.world();
    let mut host = StdoutHost;
    let mut inst = Instance::new(&mut mpi, comm, args, &mut host);
    let result = (program.main)(&mut inst);
    inst.finish();
    if let Err(failure) = result {
        abort(world, program, failure);
    }
    ExitCode::SUCCESS
}

/// Reports `failure` and ends every rank of `world`.
///
/// The line goes to the launcher's proxy through a pipe, and `MPI_Abort`
/// makes the launcher kill every process, proxies included: aborting at once
/// lost the line in about one run in six. A short pause lets it be forwarded.
fn abort(world: &SimpleCommunicator, program: &Program, failure: Failure) -> ! {
    let err = RunError::Failed(failure);
    eprintln!("error: rank {}: {}: {err}", world.rank(), program.name);
    std::thread::sleep(FORWARD_PAUSE);
    world.abort(1)
}

/// How long [`abort`] waits for its error line to be forwarded.
const FORWARD_PAUSE: std::time::Duration = std::time::Duration::from_millis(200);
