//! One queue's ring as the events describe it: four free-running heads
//! (posted, filled, published, consumed) and the buffer last seen in each
//! slot. Slot states are derived from the heads, as in bus/src/snapshot.rs.

use std::collections::HashMap;

use crate::bus::BusOp;

/// Ring size assumed until `bus.init` or the descriptors say otherwise.
const DEFAULT_SIZE: u16 = 8;

/// Where the entry in a slot is in its round trip.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotState {
    /// With the receiver: consumed, or not yet posted.
    Free,
    /// Posted by the receiver, empty, not taken by the sender.
    Posted,
    /// Taken and filled by the sender, not yet published.
    Filling,
    /// Published on the used ring, not yet consumed.
    Ready,
}

/// One slot of the ring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    /// The entry's state.
    pub state: SlotState,
    /// The buffer last seen in this slot.
    pub desc: Option<u16>,
}

/// One queue's state. Heads only move forward (modulo 2^16) and never pass
/// each other, so records arriving a little out of order (each core's
/// buffer drains on its own) do not make the picture jump.
#[derive(Clone, Debug, Default)]
pub struct RingState {
    /// Entries per ring, as the kernel announced it (`bus.init`).
    size: Option<u16>,
    /// Bytes per buffer, as the kernel announced it.
    buf_size: Option<u64>,
    /// Largest descriptor seen, to guess the size without `bus.init`.
    max_desc: u16,
    /// Whether any `bus.post` arrived (else the ring is taken as fully posted).
    saw_post: bool,
    /// Whether the heads have been placed by a first positional event: a
    /// viewer that joins late finds the counters anywhere in 0..2^16.
    placed: bool,
    /// avail.idx: the next position the receiver posts at.
    pub avail: u16,
    /// The sender's next position (its `last_avail`).
    pub filled: u16,
    /// used.idx: positions below it are published.
    pub used: u16,
    /// The receiver's next position to consume (its `last_used`).
    pub consumed: u16,
    /// Buffer by slot, under the size in force when it was stored.
    descs: HashMap<u16, u16>,
    /// Messages sent.
    pub messages: u64,
    /// Bytes sent.
    pub bytes: u64,
    /// Times the sender found the ring full.
    pub stalls: u64,
}

impl RingState {
    /// Updates the heads for one operation.
    pub fn apply(&mut self, op: &BusOp) {
        self.place(op);
        match *op {
            BusOp::Init { size, buf_size } => {
                self.set_size(size);
                self.buf_size = buf_size.or(self.buf_size);
            }
            BusOp::Post { desc, avail_idx } => {
                self.saw_post = true;
                advance(&mut self.avail, avail_idx.wrapping_add(1));
                self.note_desc(avail_idx, desc);
            }
            BusOp::Fill { desc, used_idx, .. } => {
                advance(&mut self.filled, used_idx.wrapping_add(1));
                self.note_desc(used_idx, desc);
            }
            BusOp::Publish { used_idx } => self.publish(used_idx),
            BusOp::Consume { desc, used_idx } => {
                advance(&mut self.consumed, used_idx.wrapping_add(1));
                self.note_desc(used_idx, desc);
            }
            BusOp::Stall => self.stalls += 1,
            BusOp::Send(m) => {
                self.messages += 1;
                self.bytes = self.bytes.saturating_add(m.len); // a damaged length must not wrap
                if let Some(at) = m.used_idx {
                    self.note_desc(at, m.desc);
                    self.publish(at.wrapping_add(m.frags));
                }
            }
            BusOp::Recv(m) => {
                if let Some(at) = m.used_idx {
                    advance(&mut self.consumed, at.wrapping_add(m.frags));
                }
            }
        }
        self.keep_order();
    }

    /// Entries per ring: from `bus.init`, else guessed from descriptors.
    pub fn size(&self) -> u16 {
        self.size.unwrap_or_else(|| {
            (self.max_desc.saturating_add(1))
                .max(DEFAULT_SIZE)
                .next_power_of_two()
        })
    }

    /// Whether the size came from the kernel rather than a guess.
    pub fn size_known(&self) -> bool {
        self.size.is_some()
    }

    /// Bytes per buffer, when the kernel announced it.
    pub fn buf_size(&self) -> Option<u64> {
        self.buf_size
    }

    /// Entries published and not yet consumed.
    pub fn in_flight(&self) -> u16 {
        self.used.wrapping_sub(self.consumed).min(self.size())
    }

    /// The avail head used for drawing: without `bus.post` events the
    /// receiver is taken to keep every free buffer posted, as bus/ does.
    pub fn avail_head(&self) -> u16 {
        if self.saw_post {
            self.avail
        } else {
            self.consumed.wrapping_add(self.size())
        }
    }

    /// Every slot, in slot order.
    pub fn slots(&self) -> Vec<Slot> {
        let size = self.size();
        let span = |head: u16| head.wrapping_sub(self.consumed).min(size);
        let (ready, filling, posted) =
            (span(self.used), span(self.filled), span(self.avail_head()));
        (0..size)
            .map(|slot| {
                let off = slot.wrapping_sub(self.consumed) % size;
                let state = match off {
                    o if o < ready => SlotState::Ready,
                    o if o < filling.max(ready) => SlotState::Filling,
                    o if o < posted => SlotState::Posted,
                    _ => SlotState::Free,
                };
                Slot {
                    state,
                    desc: self.descs.get(&slot).copied(),
                }
            })
            .collect()
    }

    /// The slot a free-running position falls in.
    pub fn slot_of(&self, pos: u16) -> u16 {
        pos % self.size()
    }

    /// Keeps consumed ≤ used ≤ filled ≤ avail. Cores' buffers drain
    /// separately, so the receiver's `bus.consume` can arrive before the
    /// sender's `bus.publish` of the same entry; consuming an entry proves
    /// it was published, filled and posted, so the heads behind catch up.
    fn keep_order(&mut self) {
        advance(&mut self.used, self.consumed);
        advance(&mut self.filled, self.used);
        if self.saw_post {
            advance(&mut self.avail, self.filled);
        }
    }

    /// On the first event that carries a position, moves all four heads
    /// there, so later events advance them from the right neighbourhood.
    fn place(&mut self, op: &BusOp) {
        if self.placed {
            return;
        }
        let pos = match *op {
            BusOp::Post { avail_idx, .. } => avail_idx,
            BusOp::Fill { used_idx, .. }
            | BusOp::Publish { used_idx }
            | BusOp::Consume { used_idx, .. } => used_idx,
            BusOp::Send(m) | BusOp::Recv(m) => match m.used_idx {
                Some(at) => at,
                None => return,
            },
            BusOp::Init { .. } | BusOp::Stall => return,
        };
        (self.avail, self.filled, self.used, self.consumed) = (pos, pos, pos, pos);
        self.placed = true;
    }

    /// Sets used.idx and keeps the sender's head at or past it.
    fn publish(&mut self, used_idx: u16) {
        advance(&mut self.used, used_idx);
        advance(&mut self.filled, used_idx);
    }

    /// Takes the size from `bus.init`.
    fn set_size(&mut self, size: u16) {
        if size > 0 && self.size != Some(size) {
            self.size = Some(size);
            self.descs.clear();
        }
    }

    /// Remembers which buffer sits at position `pos`.
    fn note_desc(&mut self, pos: u16, desc: Option<u16>) {
        let Some(desc) = desc else { return };
        let before = self.size();
        self.max_desc = self.max_desc.max(desc);
        if self.size() != before {
            self.descs.clear();
        }
        let slot = self.slot_of(pos);
        self.descs.insert(slot, desc);
    }
}

/// Moves `head` to `to` if `to` is ahead of it (by less than half the
/// 16-bit range, which tells a wrap from a step back).
fn advance(head: &mut u16, to: u16) {
    let step = to.wrapping_sub(*head);
    if step != 0 && step < 0x8000 {
        *head = to;
    }
}
