//! Throwing away what is left in a core's receive rings: the messages and
//! fragments a stopped demo, a stray `vq send` or a faulted sender left
//! behind, so the next user of the rings starts clean. Receiver side only.

use core::fmt;
use core::ops::AddAssign;

use crate::endpoint::Endpoint;
use crate::error::{Fault, RecvError};
use crate::recv::RecvHalf;
use crate::sync::Ordering::Relaxed;
use crate::sync::bump;

/// What [`Endpoint::discard_pending`] threw away.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Discarded {
    /// Messages thrown away, whole or the part of them still in the ring.
    pub messages: u64,
    /// Used entries consumed unread (every fragment of those messages).
    pub fragments: u64,
    /// Used entries that failed the receiver's checks (skipped, counted in
    /// the queue's `corrupt`).
    pub damaged: u64,
}

impl Discarded {
    /// Whether nothing was there.
    pub fn is_empty(&self) -> bool {
        *self == Discarded::default()
    }
}

impl AddAssign for Discarded {
    fn add_assign(&mut self, other: Self) {
        self.messages += other.messages;
        self.fragments += other.fragments;
        self.damaged += other.damaged;
    }
}

impl fmt::Display for Discarded {
    /// E.g. `2 message(s) (65 fragments) and 1 damaged entry`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.fragments > 0 || self.damaged == 0 {
            write!(
                f,
                "{} message(s) ({} fragments)",
                self.messages, self.fragments
            )?;
            if self.damaged > 0 {
                write!(f, " and ")?;
            }
        }
        match self.damaged {
            0 => Ok(()),
            1 => write!(f, "1 damaged entry"),
            n => write!(f, "{n} damaged entries"),
        }
    }
}

impl Endpoint<'_> {
    /// Consumes, unread, every used entry now waiting on any of this core's
    /// receive rings, whole messages or not, and re-posts the buffers. Each
    /// message thrown away counts in its queue's `lost`; a damaged entry is
    /// skipped as a receive would skip it. Continuation fragments still to
    /// come of a message cut here are thrown away when they arrive.
    pub fn discard_pending(&mut self) -> Discarded {
        let mut total = Discarded::default();
        for src in (0..self.bus().cores()).filter(|&src| src != self.core()) {
            if let Some(q) = self.bus().queue(src, self.core()) {
                total += RecvHalf::new(q).discard_all();
            }
        }
        total
    }
}

impl RecvHalf<'_> {
    /// [`Endpoint::discard_pending`] for this one queue. Bounded by two
    /// rings' worth of entries, so a sender that keeps sending cannot keep
    /// it here forever.
    fn discard_all(&self) -> Discarded {
        let q = self.q;
        let mut seen = Discarded::default();
        // Relaxed, both: receiver-private flag. Set: the message now in the
        // ring was already counted lost when its receive gave up on it.
        let mut inside = q.recv.discarding.load(Relaxed);
        for _ in 0..2 * usize::from(q.size) {
            match self.peek() {
                Ok(None) => break,
                Ok(Some(f)) => {
                    if f.offset == 0 || !inside {
                        seen.messages += 1;
                        bump(&q.recv.lost, 1);
                    }
                    inside = true;
                    self.consume(&f, None);
                    seen.fragments += 1;
                }
                // used.idx itself is wrong: there is no entry to skip.
                Err(RecvError::Corrupt {
                    fault: Fault::UsedIdxAhead { .. },
                    ..
                }) => {
                    seen.damaged += 1;
                    break;
                }
                // `peek` skipped the bad entry and counted it.
                Err(_) => {
                    seen.damaged += 1;
                    inside = true;
                }
            }
        }
        // Relaxed: receiver-private flag (see the doc comment above).
        q.recv.discarding.store(true, Relaxed);
        self.flush();
        seen
    }
}
