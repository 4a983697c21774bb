//! `bcast`: the root sends its buffer to every rank, one by one (linear) or
//! down a binomial tree, each rank forwarding to its children (tree).

use super::{Call, Coll, Kind, LenCheck, decode, encode, tag};
use crate::algorithm::Algorithm;
use crate::comm::Comm;
use crate::datatype::Datatype;
use crate::demo::Collective;
use crate::engine::Mpi;
use crate::error::Error;
use crate::schedule::{Relative, child_masks, parent};
use crate::transport::Transport;

impl<T: Transport> Mpi<T> {
    /// Copies the root's `buf` into every rank's `buf`. Every rank passes a
    /// buffer of the same length.
    pub fn bcast<D: Datatype>(
        &mut self,
        comm: &Comm,
        buf: &mut [D],
        root: usize,
        algo: Algorithm,
    ) -> Result<(), Error> {
        let call = Call {
            kind: Kind::Demo(Collective::Bcast),
            root: Some(root),
            algo,
            count: buf.len(),
            op: None,
            len: LenCheck::None,
        };
        let (_span, mut c) = self.begin::<D>(comm, call)?;
        let mut bytes = if comm.rank() == root {
            encode(buf)?
        } else {
            crate::try_filled(buf.len() * D::SIZE, 0)?
        };
        run(&mut c, &mut bytes, root, algo, tag::BCAST)?;
        c.finish()?;
        decode(&bytes, buf);
        Ok(())
    }
}

/// Broadcasts `bytes` from `root` with `algo` (also the second half of the
/// linear allreduce and allgather).
pub(crate) fn run<T: Transport>(
    c: &mut Coll<'_, T>,
    bytes: &mut [u8],
    root: usize,
    algo: Algorithm,
    tag: i32,
) -> Result<(), Error> {
    match algo {
        Algorithm::Linear => linear(c, bytes, root, tag),
        Algorithm::Tree => binomial(c, bytes, root, tag),
    }
}

/// The root sends to ranks 0, 1, … in order; the others receive.
fn linear<T: Transport>(
    c: &mut Coll<'_, T>,
    bytes: &mut [u8],
    root: usize,
    tag: i32,
) -> Result<(), Error> {
    if c.rank() != root {
        return c.recv_into(root, tag, bytes);
    }
    for r in (0..c.size()).filter(|&r| r != root) {
        c.send(r, tag, bytes)?;
    }
    Ok(())
}

/// Receive from the parent, then send to the children, farthest first, so
/// the big subtrees start early.
fn binomial<T: Transport>(
    c: &mut Coll<'_, T>,
    bytes: &mut [u8],
    root: usize,
    tag: i32,
) -> Result<(), Error> {
    let rel = Relative {
        size: c.size(),
        root,
    };
    let me = rel.rel(c.rank());
    if let Some(p) = parent(me) {
        c.recv_into(rel.abs(p), tag, bytes)?;
    }
    for m in child_masks(me, rel.size).rev() {
        c.send(rel.abs(me + m), tag, bytes)?;
    }
    Ok(())
}
