//! [`AnyTransport`]: any `mpi::Transport` behind a box, so that a program's
//! entry is one plain `fn` whatever the embedder's transport is.

use alloc::boxed::Box;

use mpi::{Transport, TransportError};

/// A boxed transport; every call goes straight to the one inside.
pub struct AnyTransport<'t>(pub Box<dyn Transport + 't>);

/// The MPI every program gets.
pub type Mpi<'t> = mpi::Mpi<AnyTransport<'t>>;

impl Transport for AnyTransport<'_> {
    fn core(&self) -> usize {
        self.0.core()
    }

    fn cores(&self) -> usize {
        self.0.cores()
    }

    fn max_message(&self) -> usize {
        self.0.max_message()
    }

    fn try_send(&mut self, dst: usize, msg: &[u8]) -> Result<bool, TransportError> {
        self.0.try_send(dst, msg)
    }

    fn try_recv(&mut self, buf: &mut [u8]) -> Result<Option<(usize, usize)>, TransportError> {
        self.0.try_recv(buf)
    }

    fn pause(&mut self) {
        self.0.pause();
    }
}
