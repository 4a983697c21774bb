//! Matching each `bus.send` to its `bus.recv`, by queue and the used-ring
//! position of the message's first fragment. Not the drawing of flows.
//!
//! Both ends see that position (the sender wrote the entry, the receiver
//! consumed it); positions wrap at 2^16, so equal keys pair oldest first.
//! Without `used_idx`, the n-th send on a queue pairs with its n-th receive.
//! [`Matcher`] pairs ends as they arrive, in either order (each core's
//! buffer drains on its own); [`pair`] matches whole lists with it.

use std::collections::{BTreeMap, HashMap, VecDeque};

use crate::bus::{Message, QueueId};

/// One end of a message: where it sits in the timeline, and its key.
#[derive(Clone, Copy, Debug)]
pub struct End {
    /// Index of its entry in the timeline.
    pub entry: usize,
    /// The queue.
    pub queue: QueueId,
    /// The message as the event described it.
    pub msg: Message,
}

/// What matching found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Matches {
    /// (send entry, receive entry) pairs, in send order.
    pub pairs: Vec<(usize, usize)>,
    /// Sends never received (still in flight at the end, or lost).
    pub unmatched_sends: usize,
    /// Receives whose send is not in the trace (it began too late).
    pub unmatched_recvs: usize,
}

/// The key both ends of one message share.
type Key = (QueueId, u64);

/// Ends waiting for their other end, per key, oldest first.
#[derive(Clone, Debug)]
struct Waiting<T> {
    by_key: HashMap<Key, VecDeque<T>>,
    /// Ends seen per queue, for keys without a position.
    ordinal: BTreeMap<QueueId, u64>,
}

impl<T> Default for Waiting<T> {
    fn default() -> Self {
        Self {
            by_key: HashMap::new(),
            ordinal: BTreeMap::new(),
        }
    }
}

impl<T> Waiting<T> {
    /// The key of the next end on `queue`: the used position, or (above
    /// 2^16) the end's ordinal on its queue when the position was not sent.
    fn key(&mut self, queue: QueueId, msg: &Message) -> Key {
        let n = self.ordinal.entry(queue).or_default();
        *n += 1;
        (queue, msg.used_idx.map_or((1 << 16) + *n, u64::from))
    }

    /// Ends still waiting.
    fn len(&self) -> usize {
        self.by_key.values().map(VecDeque::len).sum()
    }
}

/// Pairs sends and receives as they arrive, each side in its own order.
#[derive(Clone, Debug)]
pub struct Matcher<T> {
    sends: Waiting<T>,
    recvs: Waiting<T>,
}

impl<T> Default for Matcher<T> {
    fn default() -> Self {
        Self {
            sends: Waiting::default(),
            recvs: Waiting::default(),
        }
    }
}

impl<T> Matcher<T> {
    /// A send arrived: returns the waiting receive it pairs with, or keeps
    /// `send` waiting.
    pub fn send(&mut self, queue: QueueId, msg: &Message, send: T) -> Option<T> {
        let key = self.sends.key(queue, msg);
        arrive(key, send, &mut self.recvs, &mut self.sends)
    }

    /// A receive arrived: returns the waiting send it pairs with, or keeps
    /// `recv` waiting.
    pub fn recv(&mut self, queue: QueueId, msg: &Message, recv: T) -> Option<T> {
        let key = self.recvs.key(queue, msg);
        arrive(key, recv, &mut self.sends, &mut self.recvs)
    }

    /// (sends, receives) still waiting for their other end.
    pub fn unmatched(&self) -> (usize, usize) {
        (self.sends.len(), self.recvs.len())
    }
}

/// An end with `key`: paired with the oldest of `others` under that key,
/// or queued in `own`.
fn arrive<T>(key: Key, end: T, others: &mut Waiting<T>, own: &mut Waiting<T>) -> Option<T> {
    if let Some(other) = others.by_key.get_mut(&key).and_then(VecDeque::pop_front) {
        return Some(other);
    }
    own.by_key.entry(key).or_default().push_back(end);
    None
}

/// Pairs sends with receives; both lists are in time order.
pub fn pair(sends: &[End], recvs: &[End]) -> Matches {
    let mut matcher = Matcher::default();
    for s in sends {
        let none = matcher.send(s.queue, &s.msg, s.entry);
        debug_assert!(none.is_none(), "no receive was given yet");
    }
    let mut m = Matches::default();
    for r in recvs {
        if let Some(send) = matcher.recv(r.queue, &r.msg, r.entry) {
            m.pairs.push((send, r.entry));
        }
    }
    (m.unmatched_sends, m.unmatched_recvs) = matcher.unmatched();
    m.pairs.sort_unstable();
    m
}
