//! Point-to-point messages: blocking `send`/`recv` with source and tag
//! matching (any-source, any-tag), `probe`, and the [`Status`] of a receive.

use alloc::vec;

use crate::comm::Comm;
use crate::datatype::Datatype;
use crate::engine::Mpi;
use crate::error::Error;
use crate::inbox::{Pattern, TagPattern};
use crate::link::Envelope;
use crate::outgoing::Label;
use crate::transport::{Transport, TransportError};

/// A user tag: `0..=TAG_MAX` (negative tags on the wire are the collectives').
pub type Tag = u32;

/// The largest user tag (MPI's `MPI_TAG_UB`).
pub const TAG_MAX: Tag = i32::MAX as Tag;

/// Which sender a receive accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Any rank of the communicator (`MPI_ANY_SOURCE`).
    Any,
    /// This rank only.
    Rank(usize),
}

impl From<usize> for Source {
    fn from(rank: usize) -> Self {
        Source::Rank(rank)
    }
}

/// Which tags a receive accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagMatch {
    /// Any user tag (`MPI_ANY_TAG`); collectives' messages never match.
    Any,
    /// This tag only.
    Tag(Tag),
}

impl From<Tag> for TagMatch {
    fn from(tag: Tag) -> Self {
        TagMatch::Tag(tag)
    }
}

/// What a receive (or probe) matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Status {
    /// The sender's rank in the communicator.
    pub source: usize,
    /// The message's tag.
    pub tag: Tag,
    /// Elements received (bytes, for the byte calls and for probes).
    pub count: usize,
}

impl<T: Transport> Mpi<T> {
    /// Sends `data` to rank `dst` with `tag`. Returns once the message is
    /// handed to the transport (or queued, for a send to oneself): MPI's
    /// buffered semantics, so it never waits for the matching receive.
    pub fn send<D: Datatype>(
        &mut self,
        comm: &Comm,
        dst: usize,
        tag: Tag,
        data: &[D],
    ) -> Result<(), Error> {
        let mut bytes = vec![0u8; data.len() * D::SIZE];
        for (x, out) in data.iter().zip(bytes.chunks_exact_mut(D::SIZE)) {
            x.write_le(out);
        }
        self.send_bytes(comm, dst, tag, &bytes)
    }

    /// Sends raw bytes to rank `dst` with `tag`.
    pub fn send_bytes(
        &mut self,
        comm: &Comm,
        dst: usize,
        tag: Tag,
        data: &[u8],
    ) -> Result<(), Error> {
        if tag > TAG_MAX {
            return Err(Error::InvalidTag { tag });
        }
        let _inside = crate::trace::send(comm, dst, tag as i32, data.len());
        let dst_core = comm.core_of(dst)?;
        let label = Label {
            context: comm.context(),
            tag: tag as i32,
            src_rank: comm.rank() as u32,
            poisoned: false,
        };
        self.post(dst_core, label, data)
    }

    /// Receives the oldest message from `src` with `tag` into `buf`, waiting
    /// for it. A message longer than `buf` (or not a whole number of
    /// elements) is an error and stays queued.
    pub fn recv<D: Datatype>(
        &mut self,
        comm: &Comm,
        src: impl Into<Source>,
        tag: impl Into<TagMatch>,
        buf: &mut [D],
    ) -> Result<Status, Error> {
        let pat = pattern(comm, src.into(), tag.into())?;
        let (status, env) = self.take(comm, &pat, |bytes| fits(bytes, D::SIZE, buf.len()))?;
        for (x, chunk) in buf.iter_mut().zip(env.data.chunks_exact(D::SIZE)) {
            *x = D::read_le(chunk);
        }
        Ok(Status {
            count: env.data.len() / D::SIZE,
            ..status
        })
    }

    /// Receives raw bytes; `Status::count` is in bytes.
    pub fn recv_bytes(
        &mut self,
        comm: &Comm,
        src: impl Into<Source>,
        tag: impl Into<TagMatch>,
        buf: &mut [u8],
    ) -> Result<Status, Error> {
        let pat = pattern(comm, src.into(), tag.into())?;
        let (status, env) = self.take(comm, &pat, |bytes| fits(bytes, 1, buf.len()))?;
        buf[..env.data.len()].copy_from_slice(&env.data);
        Ok(status)
    }

    /// Waits for a message from `src` with `tag` and describes it (count in
    /// bytes) without receiving it.
    pub fn probe(
        &mut self,
        comm: &Comm,
        src: impl Into<Source>,
        tag: impl Into<TagMatch>,
    ) -> Result<Status, Error> {
        let pat = pattern(comm, src.into(), tag.into())?;
        let i = self.wait_match(&pat)?;
        self.status_at(comm, i)
    }

    /// Like [`probe`](Self::probe), without waiting: `None` if no such
    /// message has arrived.
    pub fn iprobe(
        &mut self,
        comm: &Comm,
        src: impl Into<Source>,
        tag: impl Into<TagMatch>,
    ) -> Result<Option<Status>, Error> {
        let pat = pattern(comm, src.into(), tag.into())?;
        match self.poll_match(&pat)? {
            Some(i) => self.status_at(comm, i).map(Some),
            None => Ok(None),
        }
    }

    /// Waits for a match, checks its length with `fits`, takes it out.
    fn take(
        &mut self,
        comm: &Comm,
        pat: &Pattern<'_>,
        fits: impl Fn(usize) -> Result<(), Error>,
    ) -> Result<(Status, Envelope), Error> {
        let peer = pat.src_core.and_then(|core| comm.rank_of(core).ok());
        let tag = match pat.tag {
            TagPattern::Exact(tag) => tag,
            TagPattern::AnyUser => -1,
        };
        let inside = crate::trace::recv(comm, peer, tag, 0);
        let i = self.wait_match(pat)?;
        let status = self.status_at(comm, i)?;
        fits(status.count)?;
        let env = self
            .inbox
            .remove(i)
            .ok_or(Error::Transport(TransportError::new(
                "inbox lost a message",
            )))?;
        inside.record(crate::trace::RECV_LEN, env.data.len() as u64);
        Ok((status, env))
    }

    /// The status of queued message `i`, checking that its sender's claimed
    /// rank is the one its core has in `comm` (a reused context would not be).
    fn status_at(&self, comm: &Comm, i: usize) -> Result<Status, Error> {
        let env = self
            .inbox
            .get(i)
            .ok_or(Error::Transport(TransportError::new(
                "inbox lost a message",
            )))?;
        status_of(comm, env)
    }
}

/// The status of message `env` (count in bytes), checking that its sender's
/// claimed rank is the one its core has in `comm`.
pub(crate) fn status_of(comm: &Comm, env: &Envelope) -> Result<Status, Error> {
    let source = comm.rank_of(env.src_core)?;
    if env.src_rank as usize != source {
        return Err(Error::Transport(TransportError::with(
            env.src_core,
            "sender's rank disagrees with comm",
        )));
    }
    Ok(Status {
        source,
        tag: env.tag as Tag,
        count: env.data.len(),
    })
}

/// The inbox pattern for a user receive on `comm`.
pub(crate) fn pattern(comm: &Comm, src: Source, tag: TagMatch) -> Result<Pattern<'_>, Error> {
    let src_core = match src {
        Source::Any => None,
        Source::Rank(rank) => Some(comm.core_of(rank)?),
    };
    let tag = match tag {
        TagMatch::Any => TagPattern::AnyUser,
        TagMatch::Tag(t) if t <= TAG_MAX => TagPattern::Exact(t as i32),
        TagMatch::Tag(t) => return Err(Error::InvalidTag { tag: t }),
    };
    Ok(Pattern {
        context: comm.context(),
        src_core,
        members: comm.cores(),
        tag,
    })
}

/// Whether a `bytes`-long message fits `room` elements of `size` bytes.
pub(crate) fn fits(bytes: usize, size: usize, room: usize) -> Result<(), Error> {
    if !bytes.is_multiple_of(size) {
        return Err(Error::LengthMismatch {
            expected: bytes.div_ceil(size),
            got: bytes / size,
        });
    }
    if bytes / size > room {
        return Err(Error::BufferTooSmall {
            needed: bytes / size,
            got: room,
        });
    }
    Ok(())
}
