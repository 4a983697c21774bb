//! `vq check`: the invariants every queue keeps, checked on a snapshot.
//! Structure always holds; "nothing in flight" and the message accounting
//! hold only while neither end is running a job (the caller says which).

use alloc::vec::Vec;
use core::fmt;

use crate::bus::Bus;
use crate::frag::HEADER_LEN;
use crate::snapshot::QueueSnapshot;
use crate::spec::VIRTQ_DESC_F_WRITE;

/// One broken invariant of queue `src -> dst`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Violation {
    /// Sending core.
    pub src: usize,
    /// Receiving core.
    pub dst: usize,
    /// What is wrong.
    pub kind: ViolationKind,
}

/// What is wrong with a queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViolationKind {
    /// `last_used ≤ used.idx ≤ last_avail ≤ avail.idx ≤ last_used + size`
    /// (modulo 2^16) does not hold.
    IndicesOutOfOrder {
        /// Receiver's next used position.
        last_used: u16,
        /// The used ring's idx.
        used_idx: u16,
        /// Sender's next available position.
        last_avail: u16,
        /// The available ring's idx.
        avail_idx: u16,
    },
    /// A descriptor's address, length or flags are not those of its buffer.
    DescriptorChanged {
        /// The descriptor.
        id: u16,
    },
    /// An available-ring slot names another descriptor than its own: the
    /// receiver posts descriptor `i` in slot `i` (VIRTIO_F_IN_ORDER's ring
    /// order), and both ends take the buffer from the position.
    AvailOutOfOrder {
        /// The slot.
        slot: usize,
        /// What it holds.
        id: u16,
    },
    /// An unread used entry names another buffer than the one posted there.
    UsedIdNotPosted {
        /// Its used-ring position.
        pos: u16,
        /// The id it names.
        id: u32,
        /// The buffer posted at that position.
        posted: u16,
    },
    /// An unread used entry's length is shorter than a fragment header or
    /// longer than a buffer.
    UsedLenOutOfRange {
        /// Its used-ring position.
        pos: u16,
        /// The length it gives.
        len: u32,
    },
    /// Fragments published but unread, or taken but unpublished, while
    /// neither core runs a job.
    InFlight {
        /// Published, not consumed (`used.idx - last_used`).
        unread: u16,
        /// Taken by the sender, not published (`last_avail - used.idx`).
        filling: u16,
    },
    /// More messages delivered than published.
    ReceivedMoreThanSent {
        /// Delivered.
        received: u64,
        /// Published.
        messages: u64,
    },
    /// Messages published but neither delivered, lost nor damaged, with
    /// nothing in flight.
    MessagesUnaccounted {
        /// Published.
        messages: u64,
        /// Delivered + lost + damaged entries.
        accounted: u64,
    },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ViolationKind::*;
        write!(f, "vq {}->{}: ", self.src, self.dst)?;
        match self.kind {
            IndicesOutOfOrder {
                last_used,
                used_idx,
                last_avail,
                avail_idx,
            } => write!(
                f,
                "indices out of order: last_used={last_used} used.idx={used_idx} \
                 last_avail={last_avail} avail.idx={avail_idx}"
            ),
            DescriptorChanged { id } => write!(f, "descriptor {id} no longer describes its buffer"),
            AvailOutOfOrder { slot, id } => write!(
                f,
                "available slot {slot} names descriptor {id}; in ring order it names {slot}"
            ),
            UsedIdNotPosted { pos, id, posted } => write!(
                f,
                "used entry at position {pos} names descriptor {id}, but buffer {posted} was posted there"
            ),
            UsedLenOutOfRange { pos, len } => {
                write!(
                    f,
                    "used entry at position {pos} has length {len}, outside a buffer"
                )
            }
            InFlight { unread, filling } => write!(
                f,
                "{unread} fragment(s) unread and {filling} being filled, but neither core runs a job"
            ),
            ReceivedMoreThanSent { received, messages } => {
                write!(f, "{received} messages received but only {messages} sent")
            }
            MessagesUnaccounted {
                messages,
                accounted,
            } => write!(
                f,
                "{messages} messages sent but only {accounted} received, lost or damaged"
            ),
        }
    }
}

impl Bus {
    /// Checks every queue; `quiet(src, dst)` says that neither end runs a
    /// job now, so nothing may be in flight and every message must be
    /// accounted for. Returns the number of queues and what is wrong.
    pub fn check(&self, quiet: impl Fn(usize, usize) -> bool) -> (usize, Vec<Violation>) {
        let n = self.cores();
        let pairs = (0..n).flat_map(|src| {
            (0..n)
                .filter(move |&dst| dst != src)
                .map(move |dst| (src, dst))
        });
        let mut queues = 0;
        let mut found = Vec::new();
        for (src, dst) in pairs {
            if let Some(snapshot) = self.snapshot(src, dst) {
                queues += 1;
                found.extend(snapshot.check(quiet(src, dst)));
            }
        }
        (queues, found)
    }
}

impl QueueSnapshot {
    /// The invariants this snapshot breaks; with `quiet`, also those that
    /// hold only while neither end runs (see [`Bus::check`]).
    pub fn check(&self, quiet: bool) -> Vec<Violation> {
        let mut kinds = Vec::new();
        self.check_indices(&mut kinds);
        self.check_descriptors(&mut kinds);
        self.check_avail(&mut kinds);
        self.check_used(&mut kinds);
        if quiet {
            self.check_quiet(&mut kinds);
        }
        kinds
            .into_iter()
            .map(|kind| Violation {
                src: self.src,
                dst: self.dst,
                kind,
            })
            .collect()
    }

    /// The chasing order of the four indices, each within one ring's length.
    fn check_indices(&self, kinds: &mut Vec<ViolationKind>) {
        let (last_used, used_idx) = (self.last_used, self.used.idx);
        let (last_avail, avail_idx) = (self.last_avail, self.avail.idx);
        let spans = [
            used_idx.wrapping_sub(last_used),
            last_avail.wrapping_sub(used_idx),
            avail_idx.wrapping_sub(last_avail),
        ];
        let total = spans.iter().map(|&s| u32::from(s)).sum::<u32>();
        if total > u32::from(self.size) {
            kinds.push(ViolationKind::IndicesOutOfOrder {
                last_used,
                used_idx,
                last_avail,
                avail_idx,
            });
        }
    }

    /// Descriptor i describes buffer i: the same length and flags for all,
    /// addresses one buffer apart.
    fn check_descriptors(&self, kinds: &mut Vec<ViolationKind>) {
        let base = self.desc.first().map_or(0, |d| d.addr);
        for (id, desc) in (0u16..).zip(&self.desc) {
            let addr = base + u64::from(id) * u64::from(self.buf_size);
            if desc.addr != addr || desc.len != self.buf_size || desc.flags != VIRTQ_DESC_F_WRITE {
                kinds.push(ViolationKind::DescriptorChanged { id });
            }
        }
    }

    /// Every buffer is accounted for, in ring order: each available slot
    /// (posted, being filled, unread, or held by the receiver to re-post)
    /// names its own descriptor (`Queue::buffer_at`).
    fn check_avail(&self, kinds: &mut Vec<ViolationKind>) {
        for (slot, &id) in self.avail.ring.iter().enumerate() {
            if usize::from(id) != slot {
                kinds.push(ViolationKind::AvailOutOfOrder { slot, id });
            }
        }
    }

    /// Each unread used entry names the buffer posted at its position and a
    /// length that fits it.
    fn check_used(&self, kinds: &mut Vec<ViolationKind>) {
        let unread = self.in_flight();
        if unread > self.size {
            return; // reported by check_indices
        }
        let slot = |pos: u16| usize::from(pos & (self.size - 1));
        for pos in (0..unread).map(|k| self.last_used.wrapping_add(k)) {
            let entry = self.used.ring[slot(pos)];
            // Fits in u16: a slot.
            let posted = slot(pos) as u16;
            if entry.id != u32::from(posted) {
                kinds.push(ViolationKind::UsedIdNotPosted {
                    pos,
                    id: entry.id,
                    posted,
                });
            }
            if entry.len < HEADER_LEN as u32 || entry.len > self.buf_size {
                kinds.push(ViolationKind::UsedLenOutOfRange {
                    pos,
                    len: entry.len,
                });
            }
        }
    }

    /// Nothing in flight, and every message sent was received, lost or
    /// damaged (a message may count in more than one of those).
    fn check_quiet(&self, kinds: &mut Vec<ViolationKind>) {
        let unread = self.in_flight();
        let filling = self.last_avail.wrapping_sub(self.used.idx);
        if unread != 0 || filling != 0 {
            kinds.push(ViolationKind::InFlight { unread, filling });
        }
        let c = self.counters;
        if c.received > c.messages {
            kinds.push(ViolationKind::ReceivedMoreThanSent {
                received: c.received,
                messages: c.messages,
            });
        }
        let accounted = c.received + c.lost + c.corrupt;
        if unread == 0 && c.messages > accounted {
            kinds.push(ViolationKind::MessagesUnaccounted {
                messages: c.messages,
                accounted,
            });
        }
    }
}
