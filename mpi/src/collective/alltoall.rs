//! `alltoall`: rank r's block j goes to rank j's block r. One algorithm,
//! pairwise: at step k rank r sends to r+k and receives from r-k (mod size).

use super::{Call, Coll, Kind, decode, encode, tag};
use crate::algorithm::Algorithm;
use crate::comm::Comm;
use crate::datatype::Datatype;
use crate::engine::Mpi;
use crate::error::Error;
use crate::transport::Transport;

impl<T: Transport> Mpi<T> {
    /// Sends `send[j * n .. (j + 1) * n]` to rank j, which puts it at
    /// `recv[r * n ..]` (`MPI_Alltoall`; `send` and `recv` hold `size * n`).
    /// A size-step pairwise exchange; sends are buffered, so it cannot
    /// deadlock whatever the order.
    pub fn alltoall<D: Datatype>(
        &mut self,
        comm: &Comm,
        send: &[D],
        recv: &mut [D],
    ) -> Result<(), Error> {
        let call = Call::unrooted(
            Kind::Alltoall,
            Algorithm::Linear,
            send.len(),
            None,
            (send.len().next_multiple_of(comm.size()), recv.len()),
        );
        let (_span, mut c) = self.begin::<D>(comm, call)?;
        let mut all = encode(send)?;
        all.resize(recv.len() * D::SIZE, 0); // poisoned if it was not
        let mut out = crate::try_filled(all.len(), 0u8)?;
        pairwise(&mut c, &all, &mut out)?;
        c.finish()?;
        decode(&out, recv);
        Ok(())
    }
}

/// Step k: block r+k out, block r-k in; step 0 is this rank's own block.
fn pairwise<T: Transport>(c: &mut Coll<'_, T>, all: &[u8], out: &mut [u8]) -> Result<(), Error> {
    let (rank, size) = (c.rank(), c.size());
    let blk = all.len() / size;
    let block = |r: usize| r * blk..(r + 1) * blk;
    out[block(rank)].copy_from_slice(&all[block(rank)]);
    for k in 1..size {
        let (dst, src) = ((rank + k) % size, (rank + size - k) % size);
        c.send(dst, tag::ALLTOALL, &all[block(dst)])?;
        c.recv_into(src, tag::ALLTOALL, &mut out[block(src)])?;
    }
    Ok(())
}
