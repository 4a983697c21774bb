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
    /// A buffer the program asked for could not be allocated.
    NoMemory {
        /// What the buffer is for, e.g. "the 10000000 input numbers".
        what: String,
        /// Bytes it needs.
        bytes: usize,
    },
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Usage(why) | Failure::Failed(why) => f.write_str(why),
            Failure::Mpi(e) => write!(f, "mpi: {e}"),
            Failure::Output => f.write_str("output failed"),
            Failure::NoMemory { what, bytes } => {
                write!(f, "not enough memory for {what} ({bytes} bytes)")
            }
        }
    }
}

impl Failure {
    /// Whether the failure is a buffer that could not be allocated (the
    /// program's own or one inside an MPI call).
    pub fn is_out_of_memory(&self) -> bool {
        matches!(
            self,
            Failure::NoMemory { .. } | Failure::Mpi(mpi::Error::NoMemory { .. })
        )
    }
}

/// `len` copies of `value` for `what` (its description), or
/// [`Failure::NoMemory`]: a program's buffers sized by its arguments.
pub fn filled<T: Clone>(
    what: impl Fn() -> String,
    len: usize,
    value: T,
) -> Result<alloc::vec::Vec<T>, Failure> {
    mpi::try_filled(len, value).map_err(|_| Failure::NoMemory {
        what: what(),
        bytes: len.saturating_mul(core::mem::size_of::<T>()),
    })
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
