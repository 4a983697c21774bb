//! What every collective shares: its tags, the byte encoding of typed
//! vectors, the prologue every entry point runs ([`Mpi::begin`]), and
//! [`Coll`], the messenger that keeps a failed call from hanging.

mod allgather;
mod allreduce;
mod alltoall;
mod barrier;
mod bcast;
mod create;
mod gather;
mod in_place;
mod reduce;
mod reduce_scatter;
mod scan;
mod scatter;
mod split;

use alloc::vec::Vec;

use crate::algorithm::Algorithm;
use crate::comm::Comm;
use crate::datatype::Datatype;
use crate::demo::Collective;
use crate::engine::Mpi;
use crate::error::Error;
use crate::inbox::{Pattern, TagPattern};
use crate::outgoing::Label;
use crate::reduction::Reduction;
use crate::transport::{Transport, TransportError};

/// Which collective a call is: one of the demos' seven, or a newer one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// barrier … allgather (the shell's demos).
    Demo(Collective),
    /// `scan`
    Scan,
    /// `exscan`
    Exscan,
    /// `alltoall`
    Alltoall,
    /// `reduce_scatter`
    ReduceScatter,
    /// `reduce_scatter_block`
    ReduceScatterBlock,
}

/// A wrong buffer length found before any message moves, and what it does.
#[derive(Clone, Copy, Debug)]
pub(crate) enum LenCheck {
    /// Nothing to check.
    None,
    /// Checked at the root only; a mismatch returns at once (the others do
    /// not wait for anything from the root's buffer).
    AtRoot { expected: usize, got: usize },
    /// A mismatch does not return: the rank takes part with poisoned data,
    /// so every partner fails instead of waiting for it.
    Poison { expected: usize, got: usize },
}

/// What one collective call declares before it starts.
pub(crate) struct Call<'o, D: Datatype> {
    /// Which collective (names its trace span, `mpi.<name>`).
    pub(crate) kind: Kind,
    /// The root, for rooted collectives (checked against the size).
    pub(crate) root: Option<usize>,
    /// The algorithm, for the trace.
    pub(crate) algo: Algorithm,
    /// Elements per rank, for the trace.
    pub(crate) count: usize,
    /// The reduction op, checked against the element type and count.
    pub(crate) op: Option<Reduction<'o, D>>,
    /// The buffer-length check.
    pub(crate) len: LenCheck,
}

impl<'o, D: Datatype> Call<'o, D> {
    /// A call with no root on which every rank's `got` must be `expected`
    /// elements, a mismatch poisoning what the rank sends.
    pub(crate) fn unrooted(
        kind: Kind,
        algo: Algorithm,
        count: usize,
        op: Option<Reduction<'o, D>>,
        (expected, got): (usize, usize),
    ) -> Self {
        let len = LenCheck::Poison { expected, got };
        Self {
            kind,
            root: None,
            algo,
            count,
            op,
            len,
        }
    }
}

impl<T: Transport> Mpi<T> {
    /// The prologue every collective entry point shares: enters the call's
    /// trace span, checks the op, the root and the buffer length, and makes
    /// the messenger. The span stays entered while the returned guard lives.
    pub(crate) fn begin<'a, D: Datatype>(
        &'a mut self,
        comm: &'a Comm,
        call: Call<'_, D>,
    ) -> Result<(probe::Entered, Coll<'a, T>), Error> {
        let span = crate::trace::collective(&call, comm);
        if let Some(op) = call.op {
            op.check(D::TYPE, call.count)?;
        }
        if let Some(root) = call.root {
            comm.check_root(root)?;
        }
        let mut c = Coll::new(self, comm, D::SIZE);
        match call.len {
            LenCheck::None => {}
            LenCheck::AtRoot { expected, got } => {
                if Some(comm.rank()) == call.root {
                    expect_len(expected, got)?;
                }
            }
            LenCheck::Poison { expected, got } => {
                if let Err(e) = expect_len(expected, got) {
                    c.fail(e);
                }
            }
        }
        Ok((span, c))
    }
}

/// Negative tags, one per collective, so collectives never match user
/// receives (not even any-tag ones) nor each other.
pub(crate) mod tag {
    /// barrier
    pub(crate) const BARRIER: i32 = -1;
    /// bcast, and the second half of linear allreduce/allgather
    pub(crate) const BCAST: i32 = -2;
    /// reduce, and the first half of linear allreduce
    pub(crate) const REDUCE: i32 = -3;
    /// allreduce (recursive doubling)
    pub(crate) const ALLREDUCE: i32 = -4;
    /// gather, and the first half of linear allgather
    pub(crate) const GATHER: i32 = -5;
    /// scatter
    pub(crate) const SCATTER: i32 = -6;
    /// allgather (recursive doubling)
    pub(crate) const ALLGATHER: i32 = -7;
    /// context agreement in `Mpi::create`
    pub(crate) const CREATE: i32 = -8;
    /// scan and exscan
    pub(crate) const SCAN: i32 = -9;
    /// alltoall
    pub(crate) const ALLTOALL: i32 = -10;
}

/// `data` as little-endian bytes.
pub(crate) fn encode<D: Datatype>(data: &[D]) -> Result<Vec<u8>, Error> {
    let mut bytes = crate::try_filled(data.len() * D::SIZE, 0u8)?;
    for (x, out) in data.iter().zip(bytes.chunks_exact_mut(D::SIZE)) {
        x.write_le(out);
    }
    Ok(bytes)
}

/// Fills `out` from little-endian `bytes`.
pub(crate) fn decode<D: Datatype>(bytes: &[u8], out: &mut [D]) {
    for (x, chunk) in out.iter_mut().zip(bytes.chunks_exact(D::SIZE)) {
        *x = D::read_le(chunk);
    }
}

/// [`Error::LengthMismatch`] unless `got == expected` (a local check).
pub(crate) fn expect_len(expected: usize, got: usize) -> Result<(), Error> {
    if got == expected {
        Ok(())
    } else {
        Err(Error::LengthMismatch { expected, got })
    }
}

/// The messenger of one collective call on one rank.
///
/// A message can be wrong only in ways the sender could not see: another
/// length than this rank expects, or poisoned. Such a receive does not stop
/// the call (its partners would hang): [`recv`](Coll::recv) records the
/// first fault and returns `None`, the algorithm carries on with its own
/// data, and every later [`send`](Coll::send) is marked poisoned, so every
/// rank downstream fails too, with [`Error::Peer`]. Abort and transport
/// errors do stop the call at once.
pub(crate) struct Coll<'a, T: Transport> {
    mpi: &'a mut Mpi<T>,
    comm: &'a Comm,
    /// Bytes per element, to report lengths in elements.
    elem: usize,
    /// The first fault this rank saw in this call.
    fault: Option<Error>,
}

impl<'a, T: Transport> Coll<'a, T> {
    /// A messenger for a call on `comm` moving `elem`-byte elements.
    pub(crate) fn new(mpi: &'a mut Mpi<T>, comm: &'a Comm, elem: usize) -> Self {
        Self {
            mpi,
            comm,
            elem,
            fault: None,
        }
    }

    /// This rank.
    pub(crate) fn rank(&self) -> usize {
        self.comm.rank()
    }

    /// The communicator's size.
    pub(crate) fn size(&self) -> usize {
        self.comm.size()
    }

    /// Sends `data` to `rank` (poisoned if this call has a fault).
    pub(crate) fn send(&mut self, rank: usize, tag: i32, data: &[u8]) -> Result<(), Error> {
        let _inside = crate::trace::send(self.comm, rank, tag, data.len());
        let core = self.comm.core_of(rank)?;
        let label = Label {
            context: self.comm.context(),
            tag,
            src_rank: self.rank() as u32,
            poisoned: self.fault.is_some(),
        };
        self.mpi.post(core, label, data)
    }

    /// Receives the next `tag` message from `rank`; `None` (fault recorded)
    /// if it is poisoned or not `len` bytes long.
    pub(crate) fn recv(
        &mut self,
        rank: usize,
        tag: i32,
        len: usize,
    ) -> Result<Option<Vec<u8>>, Error> {
        let _inside = crate::trace::recv(self.comm, Some(rank), tag, len);
        let core = self.comm.core_of(rank)?;
        let pat = Pattern {
            context: self.comm.context(),
            src_core: Some(core),
            members: &[],
            tag: TagPattern::Exact(tag),
        };
        let i = self.mpi.wait_match(&pat)?;
        let env = self
            .mpi
            .inbox
            .remove(i)
            .ok_or(TransportError::new("inbox lost a message"))?;
        if env.poisoned {
            self.fail(Error::Peer { rank });
        } else if env.data.len() != len {
            let (expected, got) = (len / self.elem, env.data.len().div_ceil(self.elem));
            self.fail(Error::LengthMismatch { expected, got });
        } else {
            return Ok(Some(env.data));
        }
        Ok(None)
    }

    /// Receives into `out`; leaves it as it is on a fault.
    pub(crate) fn recv_into(&mut self, rank: usize, tag: i32, out: &mut [u8]) -> Result<(), Error> {
        if let Some(data) = self.recv(rank, tag, out.len())? {
            out.copy_from_slice(&data);
        }
        Ok(())
    }

    /// Whether this call has recorded a fault.
    pub(crate) fn faulted(&self) -> bool {
        self.fault.is_some()
    }

    /// Records `e` unless a fault is already recorded.
    pub(crate) fn fail(&mut self, e: Error) {
        self.fault.get_or_insert(e);
    }

    /// The call's result: the first fault, if any.
    pub(crate) fn finish(self) -> Result<(), Error> {
        self.fault.map_or(Ok(()), Err)
    }
}
