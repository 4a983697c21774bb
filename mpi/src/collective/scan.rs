//! `scan` and `exscan`: rank r gets the fold of ranks `0..=r` (inclusive) or
//! `0..r` (exclusive). Linear passes the prefix along the ranks; tree is
//! recursive doubling (MPICH's), which keeps rank order for any op.

use alloc::vec::Vec;

use super::{Call, Coll, Kind, encode, reduce::decoded, tag};
use crate::algorithm::Algorithm;
use crate::comm::Comm;
use crate::datatype::Datatype;
use crate::engine::Mpi;
use crate::error::Error;
use crate::op::Side;
use crate::reduction::Reduction;
use crate::transport::Transport;

impl<T: Transport> Mpi<T> {
    /// Rank r's `recv` = `x0 op x1 op … op xr` (`MPI_Scan`); all buffers of
    /// one length. Operands stay in rank order, so non-commutative ops work.
    pub fn scan<'o, D: Datatype>(
        &mut self,
        comm: &Comm,
        send: &[D],
        recv: &mut [D],
        op: impl Into<Reduction<'o, D>>,
        algo: Algorithm,
    ) -> Result<(), Error> {
        self.prefix(Kind::Scan, comm, send, recv, op.into(), algo)
    }

    /// Rank r's `recv` = `x0 op … op x(r-1)` (`MPI_Exscan`); rank 0's `recv`
    /// is left as it is (MPI leaves it undefined).
    pub fn exscan<'o, D: Datatype>(
        &mut self,
        comm: &Comm,
        send: &[D],
        recv: &mut [D],
        op: impl Into<Reduction<'o, D>>,
        algo: Algorithm,
    ) -> Result<(), Error> {
        self.prefix(Kind::Exscan, comm, send, recv, op.into(), algo)
    }

    /// `scan` or `exscan` (`kind`).
    fn prefix<D: Datatype>(
        &mut self,
        kind: Kind,
        comm: &Comm,
        send: &[D],
        recv: &mut [D],
        op: Reduction<'_, D>,
        algo: Algorithm,
    ) -> Result<(), Error> {
        let call = Call::unrooted(kind, algo, send.len(), Some(op), (send.len(), recv.len()));
        let (_span, mut c) = self.begin::<D>(comm, call)?;
        let exclusive = kind == Kind::Exscan;
        let result = match algo {
            Algorithm::Linear => linear(&mut c, send, op, exclusive)?,
            Algorithm::Tree => doubling(&mut c, send, op, exclusive)?,
        };
        c.finish()?;
        if let Some(result) = result {
            recv.copy_from_slice(&result);
        }
        Ok(())
    }
}

/// Rank r takes the prefix of ranks `0..r` from r-1, folds its own vector
/// on the right, and passes the new prefix to r+1.
fn linear<T: Transport, D: Datatype>(
    c: &mut Coll<'_, T>,
    send: &[D],
    op: Reduction<'_, D>,
    exclusive: bool,
) -> Result<Option<Vec<D>>, Error> {
    let (rank, len) = (c.rank(), send.len() * D::SIZE);
    let before = match rank {
        0 => None,
        _ => c.recv(rank - 1, tag::SCAN, len)?,
    };
    let mut through = crate::try_copy(send)?;
    if let Some(bytes) = &before {
        op.fold_in(&mut through, bytes, Side::AccRight);
    }
    if rank + 1 < c.size() {
        c.send(rank + 1, tag::SCAN, &encode(&through)?)?;
    }
    match exclusive {
        true => before.map(|bytes| decoded(send.len(), &bytes)).transpose(),
        false => Ok(Some(through)),
    }
}

/// Recursive doubling: at distance 1, 2, 4, … partners swap the fold of
/// their block so far; the lower partner's fold goes on the left.
fn doubling<T: Transport, D: Datatype>(
    c: &mut Coll<'_, T>,
    send: &[D],
    op: Reduction<'_, D>,
    exclusive: bool,
) -> Result<Option<Vec<D>>, Error> {
    let (rank, size, len) = (c.rank(), c.size(), send.len() * D::SIZE);
    let mut block = crate::try_copy(send)?;
    let mut result = match exclusive {
        true => None,
        false => Some(crate::try_copy(send)?),
    };
    let mut mask = 1;
    while mask < size {
        let partner = rank ^ mask;
        if partner < size {
            c.send(partner, tag::SCAN, &encode(&block)?)?;
            if let Some(bytes) = c.recv(partner, tag::SCAN, len)? {
                let side = if partner < rank {
                    Side::AccRight
                } else {
                    Side::AccLeft
                };
                op.fold_in(&mut block, &bytes, side);
                if partner < rank {
                    result = Some(lower_fold(result, &bytes, op, send.len())?);
                }
            }
        }
        mask <<= 1;
    }
    Ok(result)
}

/// `bytes op result`, or `bytes` alone if there is no result yet.
fn lower_fold<D: Datatype>(
    result: Option<Vec<D>>,
    bytes: &[u8],
    op: Reduction<'_, D>,
    len: usize,
) -> Result<Vec<D>, Error> {
    match result {
        Some(mut acc) => {
            op.fold_in(&mut acc, bytes, Side::AccRight);
            Ok(acc)
        }
        None => decoded(len, bytes),
    }
}
