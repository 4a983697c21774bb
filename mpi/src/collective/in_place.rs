//! The `MPI_IN_PLACE` forms of reduce, allreduce, gather and allgather: one
//! buffer is both this rank's input and its result.

use alloc::vec::Vec;

use crate::algorithm::Algorithm;
use crate::comm::Comm;
use crate::datatype::Datatype;
use crate::engine::Mpi;
use crate::error::Error;
use crate::reduction::Reduction;
use crate::transport::Transport;

impl<T: Transport> Mpi<T> {
    /// [`reduce`](Mpi::reduce) with `MPI_IN_PLACE`: `buf` is every rank's
    /// input; the root's `buf` is replaced by the result.
    pub fn reduce_in_place<'o, D: Datatype>(
        &mut self,
        comm: &Comm,
        buf: &mut [D],
        op: impl Into<Reduction<'o, D>>,
        root: usize,
        algo: Algorithm,
    ) -> Result<(), Error> {
        let send = crate::try_copy(buf)?;
        self.reduce(comm, &send, buf, op, root, algo)
    }

    /// [`allreduce`](Mpi::allreduce) with `MPI_IN_PLACE`: every `buf` is
    /// replaced by the fold.
    pub fn allreduce_in_place<'o, D: Datatype>(
        &mut self,
        comm: &Comm,
        buf: &mut [D],
        op: impl Into<Reduction<'o, D>>,
        algo: Algorithm,
    ) -> Result<(), Error> {
        let send = crate::try_copy(buf)?;
        self.allreduce(comm, &send, buf, op, algo)
    }

    /// [`gather`](Mpi::gather) with `MPI_IN_PLACE` at the root: the root's
    /// `buf` holds `size * n` elements with its own block already at
    /// `rank * n`; every other rank's `buf` is its `n`-element block.
    pub fn gather_in_place<D: Datatype>(
        &mut self,
        comm: &Comm,
        buf: &mut [D],
        root: usize,
        algo: Algorithm,
    ) -> Result<(), Error> {
        if comm.rank() != root {
            return self.gather(comm, buf, &mut [], root, algo);
        }
        let own = own_block(comm, buf)?;
        self.gather(comm, &own, buf, root, algo)
    }

    /// [`allgather`](Mpi::allgather) with `MPI_IN_PLACE`: every `buf` holds
    /// `size * n` elements, this rank's block already at `rank * n`.
    pub fn allgather_in_place<D: Datatype>(
        &mut self,
        comm: &Comm,
        buf: &mut [D],
        algo: Algorithm,
    ) -> Result<(), Error> {
        let own = own_block(comm, buf)?;
        self.allgather(comm, &own, buf, algo)
    }
}

/// This rank's block of `buf` (`buf.len() / size` elements at `rank * n`);
/// a length that is not a multiple of the size fails in the collective.
fn own_block<D: Datatype>(comm: &Comm, buf: &[D]) -> Result<Vec<D>, Error> {
    let n = buf.len() / comm.size();
    crate::try_copy(&buf[comm.rank() * n..(comm.rank() + 1) * n])
}
