//! `allgather`: every rank gets every rank's block, in rank order. Linear is
//! gather to rank 0 then bcast; tree is recursive doubling, for any size.

use alloc::vec::Vec;

use super::{Call, Coll, Kind, bcast, decode, encode, gather, tag};
use crate::algorithm::Algorithm;
use crate::comm::Comm;
use crate::datatype::Datatype;
use crate::demo::Collective;
use crate::engine::Mpi;
use crate::error::Error;
use crate::schedule::Doubling;
use crate::transport::Transport;

impl<T: Transport> Mpi<T> {
    /// Puts rank r's `send` at `recv[r * n .. (r + 1) * n]` on every rank
    /// (`n = send.len()`, the same everywhere; `recv` holds `size * n`).
    pub fn allgather<D: Datatype>(
        &mut self,
        comm: &Comm,
        send: &[D],
        recv: &mut [D],
        algo: Algorithm,
    ) -> Result<(), Error> {
        // Others need this rank's block: a bad `recv` poisons, not returns.
        let call = Call::unrooted(
            Kind::Demo(Collective::Allgather),
            algo,
            send.len(),
            None,
            (send.len() * comm.size(), recv.len()),
        );
        let mine = encode(send)?;
        let (_span, mut c) = self.begin::<D>(comm, call)?;
        let all = match algo {
            Algorithm::Linear => linear(&mut c, &mine)?,
            Algorithm::Tree => doubling(&mut c, &mine)?,
        };
        c.finish()?;
        decode(&all, recv);
        Ok(())
    }
}

/// Linear gather to rank 0, then linear bcast of the whole buffer.
fn linear<T: Transport>(c: &mut Coll<'_, T>, mine: &[u8]) -> Result<Vec<u8>, Error> {
    let gathered = gather::run(c, mine, 0, Algorithm::Linear, tag::GATHER)?;
    let mut all = match gathered {
        Some(all) => all,
        None => crate::try_filled(mine.len() * c.size(), 0)?,
    };
    bcast::run(c, &mut all, 0, Algorithm::Linear, tag::BCAST)?;
    Ok(all)
}

/// Recursive doubling: the extra even ranks lend their block to the odd rank
/// above; at distance 1, 2, 4, … (newrank numbering) partners swap the
/// contiguous run of blocks each holds; the odd ranks hand everything back.
fn doubling<T: Transport>(c: &mut Coll<'_, T>, mine: &[u8]) -> Result<Vec<u8>, Error> {
    let (rank, d, blk) = (c.rank(), Doubling::new(c.size()), mine.len());
    let mut all = crate::try_filled(blk * c.size(), 0)?;
    all[rank * blk..(rank + 1) * blk].copy_from_slice(mine);
    if rank < 2 * d.rem {
        if rank % 2 == 0 {
            c.send(rank + 1, tag::ALLGATHER, mine)?;
        } else {
            c.recv_into(
                rank - 1,
                tag::ALLGATHER,
                &mut all[(rank - 1) * blk..rank * blk],
            )?;
        }
    }
    if let Some(nr) = d.newrank(rank) {
        let mut mask = 1;
        while mask < d.p {
            let ours = nr & !(mask - 1);
            let theirs = ours ^ mask;
            let run = |base: usize| d.first(base) * blk..d.first(base + mask) * blk;
            c.send(d.rank(nr ^ mask), tag::ALLGATHER, &all[run(ours)])?;
            c.recv_into(d.rank(nr ^ mask), tag::ALLGATHER, &mut all[run(theirs)])?;
            mask <<= 1;
        }
    }
    if rank < 2 * d.rem {
        if rank % 2 == 1 {
            c.send(rank - 1, tag::ALLGATHER, &all)?;
        } else {
            c.recv_into(rank + 1, tag::ALLGATHER, &mut all)?;
        }
    }
    Ok(all)
}
