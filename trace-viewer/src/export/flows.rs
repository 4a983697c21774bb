//! Matching each `bus.send` to its `bus.recv`, by queue and the used-ring
//! position of the message's first fragment. Not the drawing of flows.
//!
//! Both ends see that position (the sender wrote the entry, the receiver
//! consumed it); positions wrap at 2^16, so equal keys pair oldest first.
//! Without `used_idx`, the n-th send on a queue pairs with its n-th receive.

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

/// Pairs sends with receives; both lists are in time order.
pub fn pair(sends: &[End], recvs: &[End]) -> Matches {
    let mut waiting: HashMap<(QueueId, u64), VecDeque<usize>> = HashMap::new();
    for (key, end) in keys(sends) {
        waiting.entry(key).or_default().push_back(end.entry);
    }
    let mut m = Matches::default();
    for (key, end) in keys(recvs) {
        match waiting.get_mut(&key).and_then(VecDeque::pop_front) {
            Some(send) => m.pairs.push((send, end.entry)),
            None => m.unmatched_recvs += 1,
        }
    }
    m.unmatched_sends = waiting.values().map(VecDeque::len).sum();
    m.pairs.sort_unstable();
    m
}

/// Each end with its matching key: the used position, or (above 2^16) the
/// end's ordinal on its queue when the position was not sent.
fn keys(ends: &[End]) -> Vec<((QueueId, u64), &End)> {
    let mut ordinal: BTreeMap<QueueId, u64> = BTreeMap::new();
    ends.iter()
        .map(|e| {
            let n = ordinal.entry(e.queue).or_default();
            *n += 1;
            let key = e.msg.used_idx.map_or((1 << 16) + *n, u64::from);
            ((e.queue, key), e)
        })
        .collect()
}
