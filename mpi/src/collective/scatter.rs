//! `scatter`: the root's buffer cut into blocks, block r to rank r, sent
//! straight from the root (linear) or split down a binomial tree (tree).
//! The blocks are equal here; `reduce_scatter` cuts them by its counts.

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
    /// Puts the root's `send[r * n .. (r + 1) * n]` into rank r's `recv`
    /// (`n = recv.len()`, the same on every rank; `send` holds `size * n` at
    /// the root and is ignored elsewhere).
    pub fn scatter<D: Datatype>(
        &mut self,
        comm: &Comm,
        send: &[D],
        recv: &mut [D],
        root: usize,
        algo: Algorithm,
    ) -> Result<(), Error> {
        let (is_root, size) = (comm.rank() == root, comm.size());
        // Everyone waits for the root's blocks: a root with a `send` of the
        // wrong length sends poisoned zeros rather than nothing.
        let len = if is_root {
            LenCheck::Poison {
                expected: recv.len() * size,
                got: send.len(),
            }
        } else {
            LenCheck::None
        };
        let call = Call {
            kind: Kind::Demo(Collective::Scatter),
            root: Some(root),
            algo,
            count: recv.len(),
            op: None,
            len,
        };
        let mut mine = crate::try_filled(recv.len() * D::SIZE, 0)?;
        let (_span, mut c) = self.begin::<D>(comm, call)?;
        let all = match (is_root, c.faulted()) {
            (false, _) => Vec::new(),
            (true, false) => encode(send)?,
            (true, true) => crate::try_filled(mine.len() * size, 0)?,
        };
        let blocks = Blocks::Equal(mine.len());
        run(&mut c, &all, &mut mine, blocks, root, algo)?;
        c.finish()?;
        decode(&mine, recv);
        Ok(())
    }
}

/// How the root's bytes are cut: block r is [`len(r)`](Blocks::len) bytes,
/// the blocks back to back in rank order.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Blocks<'a> {
    /// Every block this many bytes.
    Equal(usize),
    /// Block r is `counts[r]` elements of `elem` bytes (none past the end of
    /// `counts`, which is short only in a call that has already failed).
    Counts {
        /// Elements per rank.
        counts: &'a [usize],
        /// Bytes per element.
        elem: usize,
    },
}

impl Blocks<'_> {
    /// The bytes of rank `rank`'s block.
    pub(crate) fn len(&self, rank: usize) -> usize {
        match *self {
            Self::Equal(n) => n,
            Self::Counts { counts, elem } => counts.get(rank).map_or(0, |&n| n * elem),
        }
    }

    /// The bytes of the blocks of `ranks`, together.
    pub(crate) fn total(&self, ranks: impl Iterator<Item = usize>) -> usize {
        ranks.map(|r| self.len(r)).sum()
    }
}

/// Scatters the root's `all` (ignored elsewhere; every block of `blocks`,
/// in rank order) into every rank's `mine` (`blocks.len(rank)` bytes).
pub(crate) fn run<T: Transport>(
    c: &mut Coll<'_, T>,
    all: &[u8],
    mine: &mut [u8],
    blocks: Blocks<'_>,
    root: usize,
    algo: Algorithm,
) -> Result<(), Error> {
    match algo {
        Algorithm::Linear => linear(c, all, mine, blocks, root),
        Algorithm::Tree => binomial(c, all, mine, blocks, root),
    }
}

/// The root sends block r to rank r, in rank order.
fn linear<T: Transport>(
    c: &mut Coll<'_, T>,
    all: &[u8],
    mine: &mut [u8],
    blocks: Blocks<'_>,
    root: usize,
) -> Result<(), Error> {
    if c.rank() != root {
        return c.recv_into(root, tag::SCATTER, mine);
    }
    let mut start = 0;
    for r in 0..c.size() {
        let block = &all[start..start + blocks.len(r)];
        start += block.len();
        if r == root {
            mine.copy_from_slice(block);
        } else {
            c.send(r, tag::SCATTER, block)?;
        }
    }
    Ok(())
}

/// Each rank receives its subtree's blocks from its parent, sends each
/// child its subtree's share (farthest first), and keeps the first block.
fn binomial<T: Transport>(
    c: &mut Coll<'_, T>,
    all: &[u8],
    mine: &mut [u8],
    blocks: Blocks<'_>,
    root: usize,
) -> Result<(), Error> {
    let rel = Relative {
        size: c.size(),
        root,
    };
    let me = rel.rel(c.rank());
    // Bytes from the start of this rank's block to relative rank `to`'s.
    let upto = |to: usize| blocks.total((me..to).map(|i| rel.abs(i)));
    let held = match parent(me) {
        None => {
            let mut held = crate::try_copy(all)?;
            held.rotate_left(blocks.total(0..root));
            held
        }
        Some(p) => {
            let mut held = crate::try_filled(upto(me + subtree(me, rel.size)), 0)?;
            c.recv_into(rel.abs(p), tag::SCATTER, &mut held)?;
            held
        }
    };
    for m in child_masks(me, rel.size).rev() {
        let end = me + m + subtree(me + m, rel.size);
        c.send(
            rel.abs(me + m),
            tag::SCATTER,
            &held[upto(me + m)..upto(end)],
        )?;
    }
    mine.copy_from_slice(&held[..mine.len()]);
    Ok(())
}
