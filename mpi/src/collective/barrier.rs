//! `barrier`: linear (everyone checks in with rank 0, which then releases
//! everyone) or dissemination (⌈log2 size⌉ rounds of distance 1, 2, 4, …).

use super::{Call, Coll, Kind, LenCheck, tag};
use crate::algorithm::Algorithm;
use crate::comm::Comm;
use crate::demo::Collective;
use crate::engine::Mpi;
use crate::error::Error;
use crate::transport::Transport;

impl<T: Transport> Mpi<T> {
    /// Returns once every rank of `comm` has entered the barrier.
    pub fn barrier(&mut self, comm: &Comm, algo: Algorithm) -> Result<(), Error> {
        let call = Call {
            kind: Kind::Demo(Collective::Barrier),
            root: None,
            algo,
            count: 0,
            op: None,
            len: LenCheck::None,
        };
        // No data moves: the element type only sizes error reports.
        let (_span, mut c) = self.begin::<u32>(comm, call)?;
        match algo {
            Algorithm::Linear => linear(&mut c)?,
            Algorithm::Tree => dissemination(&mut c)?,
        }
        c.finish()
    }
}

/// Ranks 1.. send an empty message to rank 0; rank 0, having all, answers each.
fn linear<T: Transport>(c: &mut Coll<'_, T>) -> Result<(), Error> {
    let (rank, size) = (c.rank(), c.size());
    if rank != 0 {
        c.send(0, tag::BARRIER, &[])?;
        c.recv(0, tag::BARRIER, 0)?;
        return Ok(());
    }
    for r in 1..size {
        c.recv(r, tag::BARRIER, 0)?;
    }
    for r in 1..size {
        c.send(r, tag::BARRIER, &[])?;
    }
    Ok(())
}

/// Round k: send to `rank + 2^k`, receive from `rank - 2^k` (mod size).
/// After round k every rank has heard, directly or not, from the 2^(k+1)
/// ranks below it, so after ⌈log2 size⌉ rounds from all.
fn dissemination<T: Transport>(c: &mut Coll<'_, T>) -> Result<(), Error> {
    let (rank, size) = (c.rank(), c.size());
    let mut dist = 1;
    while dist < size {
        c.send((rank + dist) % size, tag::BARRIER, &[])?;
        c.recv((rank + size - dist) % size, tag::BARRIER, 0)?;
        dist <<= 1;
    }
    Ok(())
}
