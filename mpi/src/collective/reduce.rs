//! `reduce`: every rank's vector folded with an op into the root's. Linear
//! folds in rank order at the root; tree folds subtrees up a binomial tree.

use alloc::vec::Vec;

use super::{Call, Coll, Kind, LenCheck, decode, encode, tag};
use crate::algorithm::Algorithm;
use crate::comm::Comm;
use crate::datatype::Datatype;
use crate::demo::Collective;
use crate::engine::Mpi;
use crate::error::Error;
use crate::op::Side;
use crate::reduction::Reduction;
#[cfg(not(feature = "lab-tree-reduce"))]
use crate::schedule::{Relative, child_masks, parent};
use crate::transport::Transport;

impl<T: Transport> Mpi<T> {
    /// Folds every rank's `send` with `op` into the root's `recv`.
    ///
    /// Every rank passes a `send` of the same length; `recv` is used at the
    /// root only (same length as `send`) and ignored elsewhere (pass `&mut []`).
    /// Order: [`Algorithm::Linear`] gives `((x0 op x1) op x2) …` in rank
    /// order; [`Algorithm::Tree`] pairs subtrees in ranks relative to the
    /// root (for a non-commutative [`UserOp`](crate::UserOp): rooted at 0,
    /// then sent to the root, so rank order holds). Floats may differ in the
    /// last bits between the two. `op` is an [`Op`](crate::Op) or a
    /// `&UserOp` (MINLOC, MAXLOC, or an op of your own).
    pub fn reduce<'o, D: Datatype>(
        &mut self,
        comm: &Comm,
        send: &[D],
        recv: &mut [D],
        op: impl Into<Reduction<'o, D>>,
        root: usize,
        algo: Algorithm,
    ) -> Result<(), Error> {
        let op = op.into();
        let call = Call {
            kind: Kind::Demo(Collective::Reduce),
            root: Some(root),
            algo,
            count: send.len(),
            op: Some(op),
            len: LenCheck::AtRoot {
                expected: send.len(),
                got: recv.len(),
            },
        };
        let (_span, mut c) = self.begin::<D>(comm, call)?;
        let result = run(&mut c, send, op, root, algo, tag::REDUCE)?;
        c.finish()?;
        if let Some(acc) = result {
            recv.copy_from_slice(&acc);
        }
        Ok(())
    }
}

/// Reduces to `root` with `algo`; the result is `Some` at the root only.
pub(crate) fn run<T: Transport, D: Datatype>(
    c: &mut Coll<'_, T>,
    send: &[D],
    op: Reduction<'_, D>,
    root: usize,
    algo: Algorithm,
    tag: i32,
) -> Result<Option<Vec<D>>, Error> {
    match algo {
        Algorithm::Linear => linear(c, send, op, root, tag),
        Algorithm::Tree if op.is_commutative() || root == 0 => binomial(c, send, op, root, tag),
        Algorithm::Tree => {
            // A tree relative to root r folds r, r+1, …, r-1: the wrong
            // order for a non-commutative op. Rooted at 0 it is rank order.
            let at_zero = binomial(c, send, op, 0, tag)?;
            hand_to_root(c, at_zero, send.len(), root, tag)
        }
    }
}

/// Rank 0 sends its result (`Some` there only) on to `root`.
fn hand_to_root<T: Transport, D: Datatype>(
    c: &mut Coll<'_, T>,
    at_zero: Option<Vec<D>>,
    len: usize,
    root: usize,
    tag: i32,
) -> Result<Option<Vec<D>>, Error> {
    match (c.rank(), at_zero) {
        (0, Some(acc)) => c.send(root, tag, &encode(&acc)?).map(|()| None),
        (r, _) if r == root => c
            .recv(0, tag, len * D::SIZE)?
            .map(|b| decoded(len, &b))
            .transpose(),
        _ => Ok(None),
    }
}

/// Everyone sends to the root, which folds the vectors in rank order.
fn linear<T: Transport, D: Datatype>(
    c: &mut Coll<'_, T>,
    send: &[D],
    op: Reduction<'_, D>,
    root: usize,
    tag: i32,
) -> Result<Option<Vec<D>>, Error> {
    if c.rank() != root {
        c.send(root, tag, &encode(send)?)?;
        return Ok(None);
    }
    let mut acc: Option<Vec<D>> = None;
    for r in 0..c.size() {
        let bytes = if r == root {
            encode(send)?
        } else {
            match c.recv(r, tag, send.len() * D::SIZE)? {
                Some(bytes) => bytes,
                None => continue,
            }
        };
        match acc.as_mut() {
            Some(acc) => {
                op.fold_in(acc, &bytes, Side::AccLeft);
                crate::trace::combine(c.rank(), r, send.len(), op.name());
            }
            None => acc = Some(decoded(send.len(), &bytes)?),
        }
    }
    match acc {
        Some(acc) => Ok(Some(acc)),
        None => crate::try_copy(send).map(Some),
    }
}

/// Fold the children's subtrees in, nearest first (the lower relative ranks
/// stay on the left), then pass the result to the parent. Lab 4
/// (docs/labs/4-reduce.md) has students write this; its student version
/// builds the stub below instead.
#[cfg(not(feature = "lab-tree-reduce"))]
fn binomial<T: Transport, D: Datatype>(
    c: &mut Coll<'_, T>,
    send: &[D],
    op: Reduction<'_, D>,
    root: usize,
    tag: i32,
) -> Result<Option<Vec<D>>, Error> {
    let rel = Relative {
        size: c.size(),
        root,
    };
    let me = rel.rel(c.rank());
    let mut acc = crate::try_copy(send)?;
    for m in child_masks(me, rel.size) {
        let child = rel.abs(me + m);
        if let Some(bytes) = c.recv(child, tag, send.len() * D::SIZE)? {
            op.fold_in(&mut acc, &bytes, Side::AccLeft);
            crate::trace::combine(c.rank(), child, send.len(), op.name());
        }
    }
    match parent(me) {
        Some(p) => c.send(rel.abs(p), tag, &encode(&acc)?).map(|()| None),
        None => Ok(Some(acc)),
    }
}

/// Lab 4's student version: no messages at all; the root "reduces" only its
/// own vector, so `reduce 64 sum --algo tree` on 4 cores gives 0, not 6.
#[cfg(feature = "lab-tree-reduce")]
fn binomial<T: Transport, D: Datatype>(
    c: &mut Coll<'_, T>,
    send: &[D],
    _op: Reduction<'_, D>,
    root: usize,
    _tag: i32,
) -> Result<Option<Vec<D>>, Error> {
    // LAB 4: receive from each child (`schedule::child_masks`), fold its
    // vector in with `combine`, then send the result to `schedule::parent`.
    Ok((c.rank() == root).then(|| send.to_vec()))
}

/// `len` elements decoded from `bytes`.
pub(crate) fn decoded<D: Datatype>(len: usize, bytes: &[u8]) -> Result<Vec<D>, Error> {
    let mut v: Vec<D> = crate::try_filled(len, D::from_index(0))?;
    decode(bytes, &mut v);
    Ok(v)
}
