//! Fault injection for tests and the kernel's `vq corrupt` command: damage
//! the oldest unread used entry so the receiver's checks can be seen at work.
//! Debug tool; never needed for normal operation.
//!
//! It writes only the entry's `id` and `len`, which are atomics, so it is
//! safe from any core even while both ends run: at worst the write lands on
//! an entry just consumed (and is overwritten by the next send) or is itself
//! overwritten by the sender. It never writes `used.idx` or buffer bytes:
//! those the receiver must trust to stay free of data races (docs/bus.md).

use crate::bus::Bus;
use crate::error::CorruptError;
use crate::frag::HEADER_LEN;
use crate::spec::VirtqUsedElem;
use crate::sync::Ordering::{Acquire, Relaxed};

/// The damage [`Bus::corrupt_used`] does to a used entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Corruption {
    /// `id = size`: a descriptor outside the table.
    IdOutOfRange,
    /// `id` of another descriptor, not the one posted at that position.
    IdNotPosted,
    /// `len = buf_size + 1`: longer than the buffer.
    LenTooLong,
    /// `len` one off from what the fragment header says.
    LenMismatch,
}

/// What [`Bus::corrupt_used`] changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CorruptedEntry {
    /// Used-ring position of the entry (free-running).
    pub pos: u16,
    /// The entry before.
    pub before: VirtqUsedElem,
    /// The entry after.
    pub after: VirtqUsedElem,
}

impl Bus {
    /// Damages the oldest used entry of queue (src, dst) that the receiver
    /// has not consumed yet; its next receive from `src` reports
    /// [`RecvError::Corrupt`](crate::RecvError::Corrupt). See the module doc.
    pub fn corrupt_used(
        &self,
        src: usize,
        dst: usize,
        what: Corruption,
    ) -> Result<CorruptedEntry, CorruptError> {
        let q = self
            .queue(src, dst)
            .ok_or(CorruptError::NoSuchQueue { src, dst })?;
        // Acquire, partner: RecvHalf::release's Release store of last_used,
        // so the used.idx loaded next is at least `pos`.
        let pos = q.recv.last_used.load(Acquire);
        // Acquire, partner: the sender's Release store of used.idx, so the
        // entry we read below is the published one.
        if q.used.idx().load(Acquire) == pos {
            return Err(CorruptError::NothingToCorrupt);
        }
        let slot = q.slot(pos);
        let elem = q.used.elem(slot);
        // Relaxed, loads and stores: a debug write with no ordering promise;
        // the receiver's checks treat whatever it sees as untrusted.
        let before = elem.load(Relaxed);
        let mut after = before;
        match what {
            Corruption::IdOutOfRange => after.id = u32::from(q.size),
            Corruption::IdNotPosted if q.size == 1 => return Err(CorruptError::NotPossible),
            Corruption::IdNotPosted => after.id = (before.id + 1) % u32::from(q.size),
            Corruption::LenTooLong => after.len = q.buf_size + 1,
            Corruption::LenMismatch if before.len > HEADER_LEN as u32 => after.len = before.len - 1,
            Corruption::LenMismatch => after.len = before.len + 1,
        }
        if after == before {
            return Err(CorruptError::AlreadyDamaged);
        }
        elem.store(after, Relaxed);
        Ok(CorruptedEntry { pos, before, after })
    }
}
