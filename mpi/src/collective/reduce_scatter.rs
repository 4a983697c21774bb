//! `reduce_scatter` and `reduce_scatter_block`: the fold of every rank's
//! vector, cut into blocks (`counts[r]` elements, or equal ones), block r to
//! rank r. A reduce to rank 0, then a scatter from it.

use alloc::vec::Vec;

use super::scatter::{self, Blocks};
use super::{Call, Coll, Kind, decode, encode, reduce, tag};
use crate::algorithm::Algorithm;
use crate::comm::Comm;
use crate::datatype::Datatype;
use crate::engine::Mpi;
use crate::error::Error;
use crate::reduction::Reduction;
use crate::transport::Transport;

impl<T: Transport> Mpi<T> {
    /// Folds every rank's `send` (`counts` summed, elements) with `op` and
    /// puts rank r's share of the result, the `counts[r]` elements after
    /// those of ranks below r, in rank r's `recv` (`counts[r]` elements):
    /// `MPI_Reduce_scatter`. Every rank passes the same `counts` (one per
    /// rank, zeros allowed). Order as [`Mpi::reduce`] with root 0, so
    /// non-commutative ops keep rank order.
    ///
    /// A rank whose `counts` has not one entry per rank, or whose `send` or
    /// `recv` disagrees with its `counts`, gets [`Error::LengthMismatch`]
    /// (in that order of checks) and takes part with poisoned data, so the
    /// others fail too rather than wait. Counts that differ between ranks
    /// fail every rank whose total or own block they change.
    pub fn reduce_scatter<'o, D: Datatype>(
        &mut self,
        comm: &Comm,
        send: &[D],
        recv: &mut [D],
        counts: &[usize],
        op: impl Into<Reduction<'o, D>>,
        algo: Algorithm,
    ) -> Result<(), Error> {
        let blocks = Blocks::Counts {
            counts,
            elem: D::SIZE,
        };
        let total = counts.iter().fold(0usize, |sum, &n| sum.saturating_add(n));
        let own = counts.get(comm.rank()).copied().unwrap_or(0);
        let checks = [
            (comm.size(), counts.len()),
            (total, send.len()),
            (own, recv.len()),
        ];
        let first_wrong = checks.into_iter().find(|(want, got)| want != got);
        let op = op.into();
        let call = Call::unrooted(
            Kind::ReduceScatter,
            algo,
            send.len(),
            Some(op),
            first_wrong.unwrap_or((0, 0)),
        );
        let (_span, c) = self.begin::<D>(comm, call)?;
        reduce_then_scatter(c, send, recv, op, blocks, algo)
    }

    /// Folds every rank's `send` (`size * n` elements) with `op` and puts
    /// elements `r * n .. (r + 1) * n` of the result in rank r's `recv`
    /// (`n` elements): `MPI_Reduce_scatter_block`, [`Mpi::reduce_scatter`]
    /// with every count `n`.
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
        let (_span, c) = self.begin::<D>(comm, call)?;
        let blocks = Blocks::Equal(recv.len() * D::SIZE);
        reduce_then_scatter(c, send, recv, op, blocks, algo)
    }
}

/// Both calls' body once [`Mpi::begin`] made `c`: the reduce of `send` to
/// rank 0, cut there into `blocks` (bytes) and scattered, this rank's block
/// into `recv`.
fn reduce_then_scatter<T: Transport, D: Datatype>(
    mut c: Coll<'_, T>,
    send: &[D],
    recv: &mut [D],
    op: Reduction<'_, D>,
    blocks: Blocks<'_>,
    algo: Algorithm,
) -> Result<(), Error> {
    let folded = reduce::run(&mut c, send, op, 0, algo, tag::REDUCE)?;
    let mut all = match folded {
        Some(acc) => encode(&acc)?,
        None => Vec::new(),
    };
    if c.rank() == 0 {
        all.resize(blocks.total(0..c.size()), 0); // poisoned if it was not
    }
    let mut mine = crate::try_filled(blocks.len(c.rank()), 0)?;
    scatter::run(&mut c, &all, &mut mine, blocks, 0, algo)?;
    c.finish()?;
    decode(&mine, recv);
    Ok(())
}
