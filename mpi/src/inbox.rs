//! The unexpected-message queue: whole messages that arrived before a receive
//! asked for them, kept in arrival order and matched by (context, source, tag).

use alloc::collections::VecDeque;

use crate::link::Envelope;

/// Which tags a receive accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TagPattern {
    /// Exactly this tag (user or collective).
    Exact(i32),
    /// Any user tag (`>= 0`); never a collective's message.
    AnyUser,
}

/// What a receive is waiting for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pattern<'a> {
    /// The communicator's context id.
    pub(crate) context: u16,
    /// `Some(core)`: from that core only; `None`: from any core in `members`.
    pub(crate) src_core: Option<usize>,
    /// The communicator's cores (for any-source receives).
    pub(crate) members: &'a [usize],
    /// Which tags.
    pub(crate) tag: TagPattern,
}

impl Pattern<'_> {
    /// Whether `env` is a message this receive takes.
    pub(crate) fn matches(&self, env: &Envelope) -> bool {
        let tag_ok = match self.tag {
            TagPattern::Exact(t) => env.tag == t,
            TagPattern::AnyUser => env.tag >= 0,
        };
        let src_ok = match self.src_core {
            Some(core) => env.src_core == core,
            None => self.members.contains(&env.src_core),
        };
        env.context == self.context && tag_ok && src_ok
    }
}

/// Messages waiting for a matching receive, oldest first.
///
/// Order is what makes matching MPI's: among the messages a receive matches,
/// it gets the oldest, so two messages from one source with one tag are
/// received in the order they were sent (the transport is FIFO per pair).
#[derive(Debug, Default)]
pub(crate) struct Inbox {
    queue: VecDeque<Envelope>,
    /// Most messages ever queued at once.
    pub(crate) peak: usize,
}

impl Inbox {
    /// Queues a message that arrived.
    pub(crate) fn push(&mut self, env: Envelope) {
        self.queue.push_back(env);
        self.peak = self.peak.max(self.queue.len());
    }

    /// Position of the oldest message `pat` matches.
    pub(crate) fn find(&self, pat: &Pattern<'_>) -> Option<usize> {
        self.queue.iter().position(|env| pat.matches(env))
    }

    /// The message at `i` (from [`find`](Self::find)).
    pub(crate) fn get(&self, i: usize) -> Option<&Envelope> {
        self.queue.get(i)
    }

    /// Takes the message at `i` out of the queue.
    pub(crate) fn remove(&mut self, i: usize) -> Option<Envelope> {
        self.queue.remove(i)
    }

    /// Messages queued now.
    pub(crate) fn len(&self) -> usize {
        self.queue.len()
    }

    /// Drops every message of `context`; returns how many.
    pub(crate) fn purge(&mut self, context: u16) -> usize {
        let before = self.queue.len();
        self.queue.retain(|env| env.context != context);
        before - self.queue.len()
    }
}
