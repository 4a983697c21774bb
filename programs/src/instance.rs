//! [`Instance`]: what one rank of a running program sees — its rank, the MPI
//! API on its communicator, its arguments, line output and the time — and
//! [`Host`], what the embedder provides underneath.

use alloc::string::String;
use core::fmt;

use crate::failure::Failure;
use crate::transport::Mpi;

/// What the embedder (kernel, host test harness, MPICH runner) provides.
pub trait Host {
    /// One complete output line, without its `'\n'`.
    fn line(&mut self, line: &str);
    /// Seconds since an arbitrary fixed point (`MPI_Wtime`).
    fn wtime(&self) -> f64;
    /// The resolution of [`wtime`](Host::wtime) in seconds (`MPI_Wtick`).
    fn wtick(&self) -> f64;
}

/// One instance of a program, on one rank of its communicator.
///
/// It is a [`fmt::Write`]: `writeln!(inst, "...")?` hands each complete
/// line to [`Host::line`]; [`finish`](Instance::finish) flushes a last
/// line that has no `'\n'`.
pub struct Instance<'a, 't> {
    /// This rank's MPI.
    mpi: &'a mut Mpi<'t>,
    /// The communicator of every instance of this run.
    comm: mpi::Comm,
    /// The program's arguments (not its name).
    args: &'a [&'a str],
    /// Output and time.
    host: &'a mut dyn Host,
    /// Text written since the last `'\n'`.
    partial: String,
    /// A C program's exit status, once it has ended (Rust programs have none).
    exit_status: Option<i32>,
}

impl<'a, 't> Instance<'a, 't> {
    /// An instance on `comm` (this core must be in it).
    pub fn new(
        mpi: &'a mut Mpi<'t>,
        comm: mpi::Comm,
        args: &'a [&'a str],
        host: &'a mut dyn Host,
    ) -> Self {
        Self {
            mpi,
            comm,
            args,
            host,
            partial: String::new(),
            exit_status: None,
        }
    }

    /// This instance's rank (`MPI_Comm_rank`).
    pub fn rank(&self) -> usize {
        self.comm.rank()
    }

    /// How many instances run (`MPI_Comm_size`).
    pub fn size(&self) -> usize {
        self.comm.size()
    }

    /// The core this instance runs on: its rank's entry in the
    /// communicator's core list (under MPICH, the rank itself).
    pub fn core(&self) -> usize {
        self.comm.cores()[self.comm.rank()]
    }

    /// The communicator of this run.
    pub fn comm(&self) -> &mpi::Comm {
        &self.comm
    }

    /// The full `mpi` API and the communicator to call it on.
    pub fn mpi(&mut self) -> (&mut Mpi<'t>, &mpi::Comm) {
        (self.mpi, &self.comm)
    }

    /// The program's arguments, without its name.
    pub fn args(&self) -> &[&str] {
        self.args
    }

    /// Seconds since a fixed point (`MPI_Wtime`).
    pub fn wtime(&self) -> f64 {
        self.host.wtime()
    }

    /// The resolution of [`wtime`](Self::wtime) (`MPI_Wtick`).
    pub fn wtick(&self) -> f64 {
        self.host.wtick()
    }

    /// `Err` once this run is being stopped (Ctrl-C, or another instance
    /// failed). MPI calls check by themselves; a loop that computes for long
    /// without one calls this every few thousand steps, so it can be stopped.
    pub fn check_stop(&self) -> Result<(), Failure> {
        Ok(self.mpi.check_abort()?)
    }

    /// A [`Failure::Failed`] with `msg`, to return from `main`.
    pub fn fail(&self, msg: impl Into<String>) -> Failure {
        Failure::Failed(msg.into())
    }

    /// Records the status a C program's `main` returned or passed to `exit`
    /// (the embedder's C loader calls this; the run's summary shows it).
    pub fn set_exit_status(&mut self, status: i32) {
        self.exit_status = Some(status);
    }

    /// The status [`set_exit_status`](Instance::set_exit_status) recorded, if any.
    pub fn exit_status(&self) -> Option<i32> {
        self.exit_status
    }

    /// Hands a last line without `'\n'` to the host (the embedder calls this
    /// after `main` returns).
    pub fn finish(&mut self) {
        if !self.partial.is_empty() {
            self.end_line();
        }
    }

    /// Hands the line held so far to the host and starts a new one.
    fn end_line(&mut self) {
        self.host.line(&self.partial);
        self.partial.clear();
    }
}

/// The longest line an instance holds back until its `'\n'`: a longer one
/// reaches the host in pieces this long (at a character boundary), so a
/// program that never ends its line cannot fill memory with it.
pub const MAX_LINE: usize = 4096;

impl fmt::Write for Instance<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for piece in s.split_inclusive('\n') {
            let (mut text, ends) = match piece.strip_suffix('\n') {
                Some(text) => (text, true),
                None => (piece, false),
            };
            while self.partial.len() + text.len() > MAX_LINE {
                let cut = text.floor_char_boundary(MAX_LINE - self.partial.len());
                self.partial.push_str(&text[..cut]);
                self.end_line();
                text = &text[cut..];
            }
            self.partial.push_str(text);
            if ends {
                self.end_line();
            }
        }
        Ok(())
    }
}
