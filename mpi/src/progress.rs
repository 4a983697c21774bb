//! The receive side of the engine: pull one frame from the transport,
//! reassemble, and wait until the inbox holds a message a receive matches.

use crate::engine::Mpi;
use crate::error::Error;
use crate::hang::Blocked;
use crate::inbox::Pattern;
use crate::link::Envelope;
use crate::transport::{Transport, TransportError};
use crate::wire::{HEADER_LEN, Header};

/// What one poll of the transport found.
pub(crate) enum Progress {
    /// Nothing arrived.
    Idle,
    /// A fragment arrived that did not complete a message (or was dropped).
    Fragment,
    /// A message is complete.
    Message(Envelope),
}

impl<T: Transport> Mpi<T> {
    /// Takes at most one frame from the transport.
    pub(crate) fn poll(&mut self) -> Result<Progress, Error> {
        let Some((src, len)) = self.transport.try_recv(&mut self.frame_in)? else {
            return Ok(Progress::Idle);
        };
        self.moved();
        let bad = |what| Error::Transport(TransportError::with(src, what));
        let frame = self
            .frame_in
            .get(..len)
            .ok_or(bad("frame longer than max_message"))?;
        let header = Header::decode(frame).ok_or(bad("frame shorter than the mpi header"))?;
        let link = self
            .links
            .get_mut(src)
            .filter(|_| src != self.core)
            .ok_or(bad("frame from no such core"))?;
        match link.accept(src, header, &frame[HEADER_LEN..])? {
            Some(env) if !self.retired.contains(&env.context) => Ok(Progress::Message(env)),
            _ => Ok(Progress::Fragment),
        }
    }

    /// One turn of a blocking loop that has nothing else to do: take a frame
    /// (queueing a completed message), or idle, blocked on `why`, if none came.
    pub(crate) fn progress(&mut self, why: Blocked) -> Result<(), Error> {
        match self.poll()? {
            Progress::Message(env) => _ = self.deliver(env),
            Progress::Fragment => self.check_abort()?,
            Progress::Idle => self.idle(why)?,
        }
        Ok(())
    }

    /// Waits until the inbox holds a message `pat` matches; returns its
    /// position there (it stays queued until the caller removes it).
    pub(crate) fn wait_match(&mut self, pat: &Pattern<'_>) -> Result<usize, Error> {
        if let Some(i) = self.inbox.find(pat) {
            return Ok(i);
        }
        loop {
            match self.poll()? {
                Progress::Message(env) => {
                    let hit = pat.matches(&env);
                    // A posted receive may claim it first (src/request.rs).
                    if self.deliver(env) && hit {
                        return Ok(self.inbox.len() - 1);
                    }
                    self.check_abort()?; // still waiting
                }
                Progress::Fragment => self.check_abort()?,
                Progress::Idle => self.idle(Blocked::receive(pat))?,
            }
        }
    }

    /// Like [`wait_match`](Self::wait_match) without waiting: drains what
    /// has arrived, then looks.
    pub(crate) fn poll_match(&mut self, pat: &Pattern<'_>) -> Result<Option<usize>, Error> {
        loop {
            match self.poll()? {
                Progress::Message(env) => _ = self.deliver(env),
                Progress::Fragment => {}
                Progress::Idle => return Ok(self.inbox.find(pat)),
            }
        }
    }
}
