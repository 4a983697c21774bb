//! [`Failure`]: why an instance stopped early — wrong arguments, a failed
//! check, an MPI error, or output that could not be written.

use alloc::string::String;
use core::fmt;

/// How an instance (or an argument check) ends when it does not succeed.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// The arguments are wrong; the embedder prints this and the program's usage.
    Usage(String),
    /// The program ran and found something wrong (a check did not hold).
    Failed(String),
    /// An MPI call failed (including [`mpi::Error::Aborted`] after Ctrl-C).
    Mpi(mpi::Error),
    /// Writing an output line failed.
    Output,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Usage(why) | Failure::Failed(why) => f.write_str(why),
            Failure::Mpi(e) => write!(f, "mpi: {e}"),
            Failure::Output => f.write_str("output failed"),
        }
    }
}

impl From<mpi::Error> for Failure {
    fn from(e: mpi::Error) -> Self {
        Failure::Mpi(e)
    }
}

impl From<fmt::Error> for Failure {
    fn from(_: fmt::Error) -> Self {
        Failure::Output
    }
}
