//! `reduce_scatter_block`: the fold of every rank's vector, cut into equal
//! blocks, block r to rank r. A reduce to rank 0, then a scatter from it.

use alloc::vec::Vec;

use super::{Call, Kind, decode, encode, reduce, scatter, tag};
use crate::algorithm::Algorithm;
use crate::comm::Comm;
use crate::datatype::Datatype;
use crate::engine::Mpi;
use crate::error::Error;
use crate::reduction::Reduction;
use crate::transport::Transport;

impl<T: Transport> Mpi<T> {
    /// Folds every rank's `send` (`size * n` elements) with `op` and puts
    /// elements `r * n .. (r + 1) * n` of the result in rank r's `recv`
    /// (`n` elements): `MPI_Reduce_scatter_block`. Order as [`Mpi::reduce`]
    /// with root 0, so non-commutative ops keep rank order.
    pub fn reduce_scatter_block<'o, D: Datatype>(
        &mut self,
        comm: &Comm,
        send: &[D],
        recv: &mut [D],
        op: impl Into<Reduction<'o, D>>,
        algo: Algorithm,
    ) -> Result<(), Error> {
        let op = op.into();
        let call = Call::unrooted(
            Kind::ReduceScatterBlock,
            algo,
            send.len(),
            Some(op),
            (recv.len() * comm.size(), send.len()),
        );
        let (_span, mut c) = self.begin::<D>(comm, call)?;
        let folded = reduce::run(&mut c, send, op, 0, algo, tag::REDUCE)?;
        let mut all = match folded {
            Some(acc) => encode(&acc)?,
            None => Vec::new(),
        };
        let mut mine = crate::try_filled(recv.len() * D::SIZE, 0)?;
        all.resize(mine.len() * comm.size(), 0); // poisoned if it was not
        scatter::run(&mut c, &all, &mut mine, 0, algo)?;
        c.finish()?;
        decode(&mine, recv);
        Ok(())
    }
}
