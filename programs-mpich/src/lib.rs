//! `programs-mpich`: ringlab's programs on a real MPI library. One program
//! instance runs per MPI process (rank = MPI rank, communicator = world) over
//! [`MpichTransport`]; `cargo xtask mpirun` starts it under `mpiexec`.

mod transport;

use std::io::Write;

use programs::{AnyTransport, Failure, Host, Instance, Mpi, Program};
use rsmpi::topology::SimpleCommunicator;

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

/// Runs this process's instance of `program` on `world` with `args`.
pub fn run(program: &Program, world: &SimpleCommunicator, args: &[&str]) -> Result<(), RunError> {
    let transport = AnyTransport(Box::new(MpichTransport::new(world)));
    let mut mpi = Mpi::new(transport).map_err(|e| RunError::Failed(e.into()))?;
    let comm = mpi.world();
    let mut host = StdoutHost;
    let mut inst = Instance::new(&mut mpi, comm, args, &mut host);
    let result = (program.main)(&mut inst);
    inst.finish();
    result.map_err(RunError::Failed)
}
