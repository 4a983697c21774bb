//! `allreduce`: every rank gets the fold of all vectors. Linear is reduce to
//! rank 0 then bcast; tree is recursive doubling, for any size.

use alloc::vec::Vec;

use super::{Call, Coll, Kind, bcast, decode, encode, reduce, tag};
use crate::algorithm::Algorithm;
use crate::comm::Comm;
use crate::datatype::Datatype;
use crate::demo::Collective;
use crate::engine::Mpi;
use crate::error::Error;
use crate::op::Side;
use crate::reduction::Reduction;
use crate::schedule::Doubling;
use crate::transport::Transport;

impl<T: Transport> Mpi<T> {
    /// Folds every rank's `send` with `op` into every rank's `recv` (all the
    /// same length). Every rank gets bit-identical results, floats included.
    /// A rank whose lengths are wrong still takes part, with poisoned data,
    /// so every rank returns an error rather than waiting for it.
    ///
    /// Order: [`Algorithm::Linear`] is the linear reduce's rank-order fold;
    /// [`Algorithm::Tree`] (recursive doubling) pairs ranks `2i, 2i+1` below
    /// `2·rem` first, then combines blocks of ranks pairwise, lower on the
    /// left, as drawn in docs/mpi.md.
    pub fn allreduce<'o, D: Datatype>(
        &mut self,
        comm: &Comm,
        send: &[D],
        recv: &mut [D],
        op: impl Into<Reduction<'o, D>>,
        algo: Algorithm,
    ) -> Result<(), Error> {
        let op = op.into();
        // Others need this rank's data: a bad `recv` poisons, not returns.
        let call = Call::unrooted(
            Kind::Demo(Collective::Allreduce),
            algo,
            send.len(),
            Some(op),
            (send.len(), recv.len()),
        );
        let (_span, mut c) = self.begin::<D>(comm, call)?;
        let acc = run(&mut c, send, op, algo, tag::ALLREDUCE)?;
        c.finish()?;
        recv.copy_from_slice(&acc);
        Ok(())
    }
}

/// Allreduces `send` with `algo`; every rank's result.
pub(crate) fn run<T: Transport, D: Datatype>(
    c: &mut Coll<'_, T>,
    send: &[D],
    op: Reduction<'_, D>,
    algo: Algorithm,
    tag: i32,
) -> Result<Vec<D>, Error> {
    match algo {
        Algorithm::Linear => linear(c, send, op),
        Algorithm::Tree => doubling(c, send, op, tag),
    }
}

/// Linear reduce to rank 0, then linear bcast from rank 0.
fn linear<T: Transport, D: Datatype>(
    c: &mut Coll<'_, T>,
    send: &[D],
    op: Reduction<'_, D>,
) -> Result<Vec<D>, Error> {
    let folded = reduce::run(c, send, op, 0, Algorithm::Linear, tag::REDUCE)?;
    let mut bytes = match folded {
        Some(acc) => encode(&acc)?,
        None => crate::try_filled(send.len() * D::SIZE, 0)?,
    };
    bcast::run(c, &mut bytes, 0, Algorithm::Linear, tag::BCAST)?;
    reduce::decoded(send.len(), &bytes)
}

/// Recursive doubling: fold the extra ranks in, exchange with the partner
/// at distance 1, 2, 4, … (newrank numbering), hand the result back.
fn doubling<T: Transport, D: Datatype>(
    c: &mut Coll<'_, T>,
    send: &[D],
    op: Reduction<'_, D>,
    tag: i32,
) -> Result<Vec<D>, Error> {
    let (rank, d, len) = (c.rank(), Doubling::new(c.size()), send.len() * D::SIZE);
    let mut acc = crate::try_copy(send)?;
    if rank < 2 * d.rem {
        if rank % 2 == 0 {
            c.send(rank + 1, tag, &encode(&acc)?)?;
        } else if let Some(bytes) = c.recv(rank - 1, tag, len)? {
            op.fold_in(&mut acc, &bytes, Side::AccRight);
        }
    }
    if let Some(nr) = d.newrank(rank) {
        let mut mask = 1;
        while mask < d.p {
            let other = nr ^ mask;
            let partner = d.rank(other);
            c.send(partner, tag, &encode(&acc)?)?;
            if let Some(bytes) = c.recv(partner, tag, len)? {
                let side = if other < nr {
                    Side::AccRight
                } else {
                    Side::AccLeft
                };
                op.fold_in(&mut acc, &bytes, side);
            }
            mask <<= 1;
        }
    }
    if rank < 2 * d.rem {
        if rank % 2 == 1 {
            c.send(rank - 1, tag, &encode(&acc)?)?;
        } else if let Some(bytes) = c.recv(rank + 1, tag, len)? {
            decode(&bytes, &mut acc);
        }
    }
    Ok(acc)
}
