//! Communicators: an ordered list of cores with a context id. Rank = position
//! in the list; the world is every core in id order, with context 0.

use alloc::vec::Vec;
use core::ops::RangeInclusive;

use crate::engine::Mpi;
use crate::error::Error;
use crate::transport::Transport;

/// The world communicator's context id.
pub const WORLD_CONTEXT: u16 = 0;

/// Context ids for communicators numbered by the caller ([`Mpi::group`]).
pub const EXPLICIT_CONTEXTS: RangeInclusive<u16> = 1..=0x7fff;

/// Context ids [`Mpi::create`] hands out by agreement.
pub(crate) const AGREED_CONTEXTS: core::ops::Range<u16> = 0x8000..0xffff;

/// [`Error::ContextsExhausted`], once [`AGREED_CONTEXTS`] are all used.
pub(crate) const CONTEXTS_EXHAUSTED: Error = Error::ContextsExhausted {
    made: AGREED_CONTEXTS.end as usize - AGREED_CONTEXTS.start as usize,
};

/// A communicator: which cores take part, in which order, and the context id
/// that keeps its messages apart from every other communicator's.
///
/// It is a plain value; every member core makes its own copy, with the same
/// core list and context (and its own rank). Calls take it by reference:
/// `mpi.reduce(&comm, ...)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comm {
    context: u16,
    cores: Vec<usize>,
    rank: usize,
}

impl Comm {
    /// This core's rank: its position in [`cores`](Self::cores).
    pub fn rank(&self) -> usize {
        self.rank
    }

    /// How many ranks.
    pub fn size(&self) -> usize {
        self.cores.len()
    }

    /// The context id every message of this communicator carries.
    pub fn context(&self) -> u16 {
        self.context
    }

    /// The member cores, in rank order.
    pub fn cores(&self) -> &[usize] {
        &self.cores
    }

    /// The core id of `rank`, or [`Error::InvalidRank`].
    pub fn core_of(&self, rank: usize) -> Result<usize, Error> {
        self.cores.get(rank).copied().ok_or(Error::InvalidRank {
            rank,
            size: self.size(),
        })
    }

    /// The rank of core `core`, or [`Error::NotInComm`].
    pub fn rank_of(&self, core: usize) -> Result<usize, Error> {
        self.cores
            .iter()
            .position(|&c| c == core)
            .ok_or(Error::NotInComm { core })
    }

    /// [`Error::InvalidRoot`] unless `root` is a rank of this communicator.
    pub fn check_root(&self, root: usize) -> Result<(), Error> {
        if root < self.size() {
            Ok(())
        } else {
            Err(Error::InvalidRoot {
                root,
                size: self.size(),
            })
        }
    }

    /// A communicator of `cores` (checked: non-empty, distinct, each below
    /// `total`, containing `me`).
    pub(crate) fn new(
        context: u16,
        cores: &[usize],
        me: usize,
        total: usize,
    ) -> Result<Self, Error> {
        if cores.is_empty() {
            return Err(Error::EmptyGroup);
        }
        for (i, &core) in cores.iter().enumerate() {
            if core >= total {
                return Err(Error::InvalidCore { core, cores: total });
            }
            if cores[..i].contains(&core) {
                return Err(Error::DuplicateCore { core });
            }
        }
        let rank = cores
            .iter()
            .position(|&c| c == me)
            .ok_or(Error::NotInComm { core: me })?;
        Ok(Self {
            context,
            cores: cores.to_vec(),
            rank,
        })
    }
}

impl<T: Transport> Mpi<T> {
    /// The world: every core of the transport, rank = core id, context 0.
    pub fn world(&self) -> Comm {
        let cores: Vec<usize> = (0..self.cores()).collect();
        Comm {
            context: WORLD_CONTEXT,
            rank: self.core,
            cores,
        }
    }

    /// A communicator of `cores` in that order (rank `i` is `cores[i]`),
    /// numbered `context` by the caller, with no messages exchanged: every
    /// member must make it with the same list and context, and no other
    /// communicator alive on those cores may use that context.
    ///
    /// This is how the kernel runs a command on some cores while the others
    /// stay out: it picks a fresh context per command, so messages left over
    /// by an aborted command can never match the next one. `context` must be
    /// in [`EXPLICIT_CONTEXTS`]; this core must be in `cores`.
    pub fn group(&mut self, cores: &[usize], context: u16) -> Result<Comm, Error> {
        if !EXPLICIT_CONTEXTS.contains(&context) {
            return Err(Error::InvalidContext { context });
        }
        let comm = Comm::new(context, cores, self.core, self.cores())?;
        self.retired.retain(|&c| c != context);
        Ok(comm)
    }

    /// Forgets a communicator: drops its queued messages and any that arrive
    /// later (leftovers of an aborted collective). Returns how many were
    /// dropped now. Making a group with the same context again revives it.
    pub fn retire(&mut self, comm: &Comm) -> usize {
        if !self.retired.contains(&comm.context) {
            self.retired.push(comm.context);
        }
        self.inbox.purge(comm.context)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_is_position_in_the_core_list() {
        let comm = Comm::new(5, &[3, 1], 1, 4).unwrap();
        assert_eq!((comm.rank(), comm.size(), comm.core_of(0)), (1, 2, Ok(3)));
        assert_eq!(comm.rank_of(3), Ok(0));
        assert_eq!(comm.rank_of(2), Err(Error::NotInComm { core: 2 }));
        assert_eq!(
            comm.check_root(2),
            Err(Error::InvalidRoot { root: 2, size: 2 })
        );
    }

    #[test]
    fn bad_core_lists_are_refused() {
        assert_eq!(Comm::new(1, &[], 0, 4), Err(Error::EmptyGroup));
        assert_eq!(
            Comm::new(1, &[0, 4], 0, 4),
            Err(Error::InvalidCore { core: 4, cores: 4 })
        );
        assert_eq!(
            Comm::new(1, &[0, 2, 0], 0, 4),
            Err(Error::DuplicateCore { core: 0 })
        );
        assert_eq!(
            Comm::new(1, &[1, 2], 0, 4),
            Err(Error::NotInComm { core: 0 })
        );
    }
}
