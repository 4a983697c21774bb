//! Non-blocking point-to-point: `isend`, `irecv` and the [`Request`] handles
//! that `wait`, `waitall` and `test` complete, plus `sendrecv`.
//!
//! A posted receive claims messages in posting order, before any later
//! receive can: the oldest queued match when it is posted, else the first
//! arriving message it matches (MPI's matching rule for posted receives).

use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;

use crate::comm::Comm;
use crate::datatype::Datatype;
use crate::engine::Mpi;
use crate::error::Error;
use crate::hang::{Blocked, WaitTag};
use crate::inbox::{Pattern, TagPattern};
use crate::link::Envelope;
use crate::p2p::{Source, Status, Tag, TagMatch, fits, pattern, status_of};
use crate::progress::Progress;
use crate::transport::Transport;

/// A receive posted by [`Mpi::irecv`], kept by the engine until completed.
#[derive(Debug)]
pub(crate) struct Posted {
    /// The request's number.
    id: u64,
    /// The communicator it receives on (for status ranks).
    comm: Comm,
    /// `Some(core)`: from that core only.
    src_core: Option<usize>,
    /// Which tags.
    tag: TagPattern,
    /// The message it claimed, once one came.
    got: Option<Envelope>,
    /// Dead once its [`Request`] is dropped (`MPI_Request_free`).
    owner: Weak<()>,
}

impl Posted {
    /// Whether this still-open receive takes `env`.
    fn wants(&self, env: &Envelope) -> bool {
        self.got.is_none() && self.pattern().matches(env)
    }

    /// Whether its request was dropped: the message it claims is discarded.
    fn freed(&self) -> bool {
        self.owner.strong_count() == 0
    }

    /// The inbox pattern of this receive.
    fn pattern(&self) -> Pattern<'_> {
        Pattern {
            context: self.comm.context(),
            src_core: self.src_core,
            members: self.comm.cores(),
            tag: self.tag,
        }
    }
}

/// An operation started by [`Mpi::isend`] or [`Mpi::irecv`] (`MPI_Request`).
///
/// A receive request borrows its buffer until it completes, so the buffer
/// cannot be read early. Dropping one that has not completed is
/// `MPI_Request_free`: the message it matches is still taken, then dropped,
/// and the engine forgets the receive.
#[must_use = "a request completes only through wait, waitall or test"]
#[derive(Debug)]
pub struct Request<'b, D: Datatype> {
    state: State<'b, D>,
}

/// Where a request stands.
#[derive(Debug)]
enum State<'b, D: Datatype> {
    /// Complete, with this status.
    Done(Status),
    /// Receive `id`, into `buf` once its message is there. `_owner` is held
    /// only to be dropped: the engine's [`Posted`] sees it through a `Weak`.
    Recv {
        id: u64,
        buf: &'b mut [D],
        _owner: Arc<()>,
    },
    /// Its completion failed with this error, which every later wait,
    /// waitall or test returns again.
    Failed(Error),
}

impl<T: Transport> Mpi<T> {
    /// Starts sending `data` to `dst` (`MPI_Isend`). Sends are buffered, so
    /// it is handed to the transport now (receiving while the transport is
    /// full) and the request is already complete; its status names `dst`.
    pub fn isend<D: Datatype>(
        &mut self,
        comm: &Comm,
        dst: usize,
        tag: Tag,
        data: &[D],
    ) -> Result<Request<'static, D>, Error> {
        self.send(comm, dst, tag, data)?;
        let status = Status {
            source: dst,
            tag,
            count: data.len(),
        };
        Ok(Request {
            state: State::Done(status),
        })
    }

    /// Posts a receive into `buf` (`MPI_Irecv`); it claims its message
    /// before any receive posted later. Complete it with [`wait`](Self::wait),
    /// [`waitall`](Self::waitall) or [`test`](Self::test).
    pub fn irecv<'b, D: Datatype>(
        &mut self,
        comm: &Comm,
        src: impl Into<Source>,
        tag: impl Into<TagMatch>,
        buf: &'b mut [D],
    ) -> Result<Request<'b, D>, Error> {
        let pat = pattern(comm, src.into(), tag.into())?;
        let (src_core, tag) = (pat.src_core, pat.tag);
        let queued = self.inbox.find(&pat);
        let got = queued.and_then(|i| self.inbox.remove(i));
        let id = self.next_request;
        self.next_request += 1;
        let comm = comm.clone();
        let owner = Arc::new(());
        self.posted.retain(|p| p.got.is_none() || !p.freed());
        self.posted.push(Posted {
            id,
            comm,
            src_core,
            tag,
            got,
            owner: Arc::downgrade(&owner),
        });
        Ok(Request {
            state: State::Recv {
                id,
                buf,
                _owner: owner,
            },
        })
    }

    /// Waits until `req` completes and returns its status (`MPI_Wait`). A
    /// message longer than the buffer is [`Error::BufferTooSmall`] and is
    /// dropped with the request.
    pub fn wait<D: Datatype>(&mut self, mut req: Request<'_, D>) -> Result<Status, Error> {
        loop {
            if let Some(status) = self.complete(&mut req)? {
                return Ok(status);
            }
            let why = self.waiting_for(&req);
            self.progress(why)?;
        }
    }

    /// Waits for every request, in order (`MPI_Waitall`); the statuses in
    /// the same order. A failed request does not stop the others: each is
    /// waited for, so none is left posted, and the first error is returned.
    pub fn waitall<'b, D: Datatype>(
        &mut self,
        reqs: impl IntoIterator<Item = Request<'b, D>>,
    ) -> Result<Vec<Status>, Error> {
        let results: Vec<Result<Status, Error>> =
            reqs.into_iter().map(|req| self.wait(req)).collect();
        results.into_iter().collect()
    }

    /// Whether `req` has completed, without waiting (`MPI_Test`): takes what
    /// has arrived, then `Some(status)` if it is done. A done request stays
    /// done; `wait` on it returns the same status at once.
    pub fn test<D: Datatype>(&mut self, req: &mut Request<'_, D>) -> Result<Option<Status>, Error> {
        loop {
            match self.poll()? {
                Progress::Message(env) => _ = self.deliver(env),
                Progress::Fragment => {}
                Progress::Idle => return self.complete(req),
            }
        }
    }

    /// Sends `send` to `dst` and receives into `recv` from `src`
    /// (`MPI_Sendrecv`): a halo exchange that cannot deadlock, since the
    /// send is buffered and the receive waits while taking arrivals.
    #[allow(clippy::too_many_arguments)] // MPI_Sendrecv's arguments, one for one
    pub fn sendrecv<D: Datatype>(
        &mut self,
        comm: &Comm,
        send: &[D],
        dst: usize,
        send_tag: Tag,
        recv: &mut [D],
        src: impl Into<Source>,
        recv_tag: impl Into<TagMatch>,
    ) -> Result<Status, Error> {
        let (src, recv_tag) = (src.into(), recv_tag.into());
        pattern(comm, src, recv_tag)?; // a bad receive fails before the send
        self.send(comm, dst, send_tag, send)?;
        self.recv(comm, src, recv_tag, recv)
    }

    /// What a wait on the open receive `req` is blocked on.
    fn waiting_for<D: Datatype>(&self, req: &Request<'_, D>) -> Blocked {
        let posted = match &req.state {
            State::Recv { id, .. } => self.posted.iter().find(|p| p.id == *id),
            State::Done(_) | State::Failed(_) => None,
        };
        posted.map_or(
            Blocked::Recv {
                from: None,
                tag: WaitTag::Any,
            },
            |p| Blocked::receive(&p.pattern()),
        )
    }

    /// Finishes `req` if its message is there: `Some(status)` once done.
    /// A failure is kept in `req`, so asking again gives the same error
    /// rather than waiting for a receive the engine has forgotten.
    fn complete<D: Datatype>(&mut self, req: &mut Request<'_, D>) -> Result<Option<Status>, Error> {
        let result = self.try_complete(req);
        if let Err(err) = result {
            req.state = State::Failed(err);
        }
        result
    }

    /// [`complete`](Self::complete) without keeping the failure.
    fn try_complete<D: Datatype>(
        &mut self,
        req: &mut Request<'_, D>,
    ) -> Result<Option<Status>, Error> {
        let (id, buf) = match &mut req.state {
            State::Done(status) => return Ok(Some(*status)),
            State::Failed(err) => return Err(*err),
            State::Recv { id, buf, .. } => (id, buf),
        };
        let Some(i) = self
            .posted
            .iter()
            .position(|p| p.id == *id && p.got.is_some())
        else {
            return Ok(None);
        };
        let posted = self.posted.remove(i);
        let Some(env) = posted.got else {
            return Ok(None); // not reached: position() found it claimed
        };
        let status = status_of(&posted.comm, &env)?;
        fits(status.count, D::SIZE, buf.len())?;
        for (x, chunk) in buf.iter_mut().zip(env.data.chunks_exact(D::SIZE)) {
            *x = D::read_le(chunk);
        }
        let status = Status {
            count: env.data.len() / D::SIZE,
            ..status
        };
        req.state = State::Done(status);
        Ok(Some(status))
    }

    /// Gives a completed message to the oldest posted receive that wants it;
    /// else queues it. `true` if it went into the inbox. A receive whose
    /// request was dropped takes its message and is forgotten with it.
    pub(crate) fn deliver(&mut self, env: Envelope) -> bool {
        match self.posted.iter().position(|p| p.wants(&env)) {
            Some(i) if self.posted[i].freed() => {
                self.posted.remove(i);
                false
            }
            Some(i) => {
                self.posted[i].got = Some(env);
                false
            }
            None => {
                self.inbox.push(env);
                true
            }
        }
    }
}
