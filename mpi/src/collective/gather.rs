//! `gather`: every rank's block into the root's buffer in rank order, sent
//! straight to the root (linear) or merged up a binomial tree (tree).

use alloc::vec::Vec;

use super::{Call, Coll, Kind, LenCheck, decode, encode, tag};
use crate::algorithm::Algorithm;
use crate::comm::Comm;
use crate::datatype::Datatype;
use crate::demo::Collective;
use crate::engine::Mpi;
use crate::error::Error;
use crate::schedule::{Relative, child_masks, parent, subtree};
use crate::transport::Transport;

impl<T: Transport> Mpi<T> {
    /// Puts rank r's `send` at `recv[r * n .. (r + 1) * n]` on the root
    /// (`n = send.len()`, the same on every rank; `recv` holds `size * n`
    /// at the root and is ignored elsewhere).
    pub fn gather<D: Datatype>(
        &mut self,
        comm: &Comm,
        send: &[D],
        recv: &mut [D],
        root: usize,
        algo: Algorithm,
    ) -> Result<(), Error> {
        let call = Call {
            kind: Kind::Demo(Collective::Gather),
            root: Some(root),
            algo,
            count: send.len(),
            op: None,
            len: LenCheck::AtRoot {
                expected: send.len() * comm.size(),
                got: recv.len(),
            },
        };
        let (_span, mut c) = self.begin::<D>(comm, call)?;
        let all = run(&mut c, &encode(send)?, root, algo, tag::GATHER)?;
        c.finish()?;
        if let Some(all) = all {
            decode(&all, recv);
        }
        Ok(())
    }
}

/// Gathers `mine` to `root` with `algo`; `Some(all blocks)` at the root.
pub(crate) fn run<T: Transport>(
    c: &mut Coll<'_, T>,
    mine: &[u8],
    root: usize,
    algo: Algorithm,
    tag: i32,
) -> Result<Option<Vec<u8>>, Error> {
    match algo {
        Algorithm::Linear => linear(c, mine, root, tag),
        Algorithm::Tree => binomial(c, mine, root, tag),
    }
}

/// Everyone sends to the root, which receives in rank order.
fn linear<T: Transport>(
    c: &mut Coll<'_, T>,
    mine: &[u8],
    root: usize,
    tag: i32,
) -> Result<Option<Vec<u8>>, Error> {
    if c.rank() != root {
        c.send(root, tag, mine)?;
        return Ok(None);
    }
    let blk = mine.len();
    let mut all = crate::try_filled(blk * c.size(), 0)?;
    for r in 0..c.size() {
        let slot = &mut all[r * blk..(r + 1) * blk];
        if r == root {
            slot.copy_from_slice(mine);
        } else {
            c.recv_into(r, tag, slot)?;
        }
    }
    Ok(Some(all))
}

/// Each rank collects its subtree's blocks (contiguous in relative rank
/// order) and sends them to its parent; the root rotates them into place.
fn binomial<T: Transport>(
    c: &mut Coll<'_, T>,
    mine: &[u8],
    root: usize,
    tag: i32,
) -> Result<Option<Vec<u8>>, Error> {
    let rel = Relative {
        size: c.size(),
        root,
    };
    let (me, blk) = (rel.rel(c.rank()), mine.len());
    let mut held = crate::try_filled(blk * subtree(me, rel.size), 0)?;
    held[..blk].copy_from_slice(mine);
    for m in child_masks(me, rel.size) {
        let blocks = subtree(me + m, rel.size);
        c.recv_into(rel.abs(me + m), tag, &mut held[m * blk..(m + blocks) * blk])?;
    }
    match parent(me) {
        Some(p) => c.send(rel.abs(p), tag, &held).map(|()| None),
        None => {
            held.rotate_right(root * blk);
            Ok(Some(held))
        }
    }
}
