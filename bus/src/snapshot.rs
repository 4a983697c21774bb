//! A read-only snapshot of one queue (what the kernel's `vq dump` prints),
//! taken from any core while both ends keep running, and the per-descriptor
//! state derived from it. The formatter is in dump.rs.
//!
//! Why this is safe from a third core: a snapshot is made only of atomic
//! loads (rings, indices, private state, counters) and reads of the
//! descriptor table, which nobody writes after `Bus::new`. It never touches
//! buffer bytes, the one plain memory that cores hand back and forth. In the
//! Rust memory model a data race needs a non-atomic access; racing atomic
//! loads only give *values* from slightly different moments, never undefined
//! behaviour. So a snapshot may be inconsistent (fields read a few
//! nanoseconds apart), and the derived state is computed defensively.

use alloc::vec;
use alloc::vec::Vec;

use crate::bus::Bus;
use crate::event::EventCounters;
use crate::queue::Queue;
use crate::spec::{VirtqDesc, VirtqUsedElem};
use crate::sync::Ordering::{Acquire, Relaxed};

/// One ring as loaded: its address, flags, idx and every entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RingSnapshot<T> {
    /// Address of the ring's first byte (0 under loom).
    pub addr: u64,
    /// The ring's `flags`.
    pub flags: u16,
    /// The ring's free-running `idx`.
    pub idx: u16,
    /// `ring[0..size]`, by slot.
    pub ring: Vec<T>,
}

/// A queue's counters. Each has one writer (named), so none needs an atomic
/// read-modify-write; all wrap at 2^64.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueCounters {
    /// Messages fully published (sender).
    pub messages: u64,
    /// Bytes of those messages (sender).
    pub bytes: u64,
    /// Times the sender found the ring full (sender).
    pub stalls: u64,
    /// Messages delivered to the receiving caller (receiver).
    pub received: u64,
    /// Used entries that failed the receiver's checks (receiver).
    pub corrupt: u64,
    /// Messages lost: aborted, abandoned, corrupt, or discarded (receiver).
    pub lost: u64,
}

/// Everything about one queue at (nearly) one moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueSnapshot {
    /// Sending core.
    pub src: usize,
    /// Receiving core.
    pub dst: usize,
    /// Entries per ring.
    pub size: u16,
    /// Bytes per buffer.
    pub buf_size: u32,
    /// The descriptor table.
    pub desc: Vec<VirtqDesc>,
    /// The available ring (receiver-written).
    pub avail: RingSnapshot<u16>,
    /// The used ring (sender-written).
    pub used: RingSnapshot<VirtqUsedElem>,
    /// Receiver's next used position to consume.
    pub last_used: u16,
    /// Sender's next available position to take.
    pub last_avail: u16,
    /// The queue's counters.
    pub counters: QueueCounters,
    /// The event indices and notification counters (src/event.rs).
    pub events: EventCounters,
}

/// Where a descriptor's buffer is in its round trip.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DescState {
    /// On the available ring, empty, not yet taken by the sender.
    Posted,
    /// Taken by the sender, being filled, not yet on the used ring.
    Filling,
    /// Published on the used ring, not yet consumed by the receiver.
    FilledUnread,
    /// With the receiver: consumed (or never posted), not on either ring.
    Free,
}

impl Bus {
    /// A snapshot of queue (src, dst), or `None` if there is no such queue.
    /// Callable from any core at any time; see the module doc for why.
    pub fn snapshot(&self, src: usize, dst: usize) -> Option<QueueSnapshot> {
        self.queue(src, dst).map(take)
    }
}

/// Tries to get indices from one moment this many times before settling
/// for a torn set (only if the queue moves very fast under the inspector).
const TRIES: usize = 8;

/// The four indices of a queue, loaded in "chasing" order.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Indices {
    last_used: u16,
    used_idx: u16,
    last_avail: u16,
    avail_idx: u16,
}

/// Loads each index after the one it chases, all with Acquire, so that
/// `last_used ≤ used.idx ≤ last_avail ≤ avail.idx` (modulo 2^16) holds as
/// seen. Each Acquire's partner is the Release store of the same index:
/// last_used in RecvHalf::release, used.idx in SendHalf::publish_used,
/// last_avail in SendHalf::publish, avail.idx in RecvHalf::flush. Every
/// writer stores an index only after acquiring the one it chases, so what
/// we see of one index carries what its writer had seen of the next.
fn indices(q: &Queue) -> Indices {
    // Acquire, all four: partners named in the doc comment above.
    Indices {
        last_used: q.recv.last_used.load(Acquire),
        used_idx: q.used.idx().load(Acquire),
        last_avail: q.send.last_avail.load(Acquire),
        avail_idx: q.avail.idx().load(Acquire),
    }
}

/// Loads everything. The indices are taken again until `last_used` is the
/// same before and after (then `avail.idx ≤ last_used + size` holds too,
/// since the receiver stores avail.idx only after last_used); the rings are
/// loaded in between and may still be a little newer than the indices.
fn take(q: &Queue) -> QueueSnapshot {
    let mut ix = indices(q);
    let mut rings = load_rings(q);
    for _ in 1..TRIES {
        // Acquire, partner: RecvHalf::release's Release store, as above.
        if q.recv.last_used.load(Acquire) == ix.last_used {
            break;
        }
        ix = indices(q);
        rings = load_rings(q);
    }
    let (avail_ring, used_ring) = rings;
    QueueSnapshot {
        src: q.src,
        dst: q.dst,
        size: q.size,
        buf_size: q.buf_size,
        desc: q.desc.to_vec(),
        // Relaxed, the flags: written once at creation.
        avail: RingSnapshot {
            addr: q.avail.addr(),
            flags: q.avail.flags().load(Relaxed),
            idx: ix.avail_idx,
            ring: avail_ring,
        },
        used: RingSnapshot {
            addr: q.used.addr(),
            flags: q.used.flags().load(Relaxed),
            idx: ix.used_idx,
            ring: used_ring,
        },
        last_used: ix.last_used,
        last_avail: ix.last_avail,
        counters: counters(q),
        events: crate::event::counters(q),
    }
}

/// Every entry of both rings. Relaxed: entries are ordered by the index
/// loads before them; a torn entry is harmless (ids are bounds-checked).
fn load_rings(q: &Queue) -> (Vec<u16>, Vec<VirtqUsedElem>) {
    let slots = 0..usize::from(q.size);
    let avail = slots
        .clone()
        .map(|i| q.avail.slot(i).load(Relaxed))
        .collect();
    let used = slots.map(|i| q.used.elem(i).load(Relaxed)).collect();
    (avail, used)
}

/// The counters, each a Relaxed load of a single-writer counter.
fn counters(q: &Queue) -> QueueCounters {
    // Relaxed, all six: statistics that order nothing; a recent value will do.
    QueueCounters {
        messages: q.send.messages.load(Relaxed),
        bytes: q.send.bytes.load(Relaxed),
        stalls: q.send.stalls.load(Relaxed),
        received: q.recv.received.load(Relaxed),
        corrupt: q.recv.corrupt.load(Relaxed),
        lost: q.recv.lost.load(Relaxed),
    }
}

impl QueueSnapshot {
    /// Fragments published and not yet consumed (`used.idx - last_used`).
    /// At most `size`, unless the snapshot is torn (see `desc_states`).
    pub fn in_flight(&self) -> u16 {
        self.used.idx.wrapping_sub(self.last_used)
    }

    /// The state of each descriptor, by index, from the ring positions:
    /// `[last_used, used.idx)` filled-unread, `[used.idx, last_avail)`
    /// filling, `[last_avail, avail.idx)` posted, every other descriptor free.
    /// A range that looks longer than the queue is skipped: that only
    /// happens to a torn snapshot, if the queue kept moving through every
    /// retry of `Bus::snapshot`.
    pub fn desc_states(&self) -> Vec<DescState> {
        let mut states = vec![DescState::Free; usize::from(self.size)];
        let avail_id = |pos: u16| u32::from(self.avail.ring[self.slot(pos)]);
        let used_id = |pos: u16| self.used.ring[self.slot(pos)].id;
        self.mark(
            &mut states,
            self.last_avail,
            self.avail.idx,
            avail_id,
            DescState::Posted,
        );
        self.mark(
            &mut states,
            self.used.idx,
            self.last_avail,
            avail_id,
            DescState::Filling,
        );
        self.mark(
            &mut states,
            self.last_used,
            self.used.idx,
            used_id,
            DescState::FilledUnread,
        );
        states
    }

    /// Marks the descriptors named at positions `[from, to)` as `state`.
    fn mark(
        &self,
        states: &mut [DescState],
        from: u16,
        to: u16,
        id_at: impl Fn(u16) -> u32,
        state: DescState,
    ) {
        let n = to.wrapping_sub(from);
        if n > self.size {
            return;
        }
        for pos in (0..n).map(|k| from.wrapping_add(k)) {
            if let Some(s) = usize::try_from(id_at(pos))
                .ok()
                .and_then(|id| states.get_mut(id))
            {
                *s = state;
            }
        }
    }

    /// The slot of a free-running position.
    fn slot(&self, pos: u16) -> usize {
        usize::from(pos & (self.size - 1))
    }
}
