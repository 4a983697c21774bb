//! The sender's side of a queue, the spec's *device*: take posted buffers from
//! the available ring in order, put one fragment in each, publish them on the
//! used ring. Used only by the endpoint of core `src`.

use crate::error::SendError;
use crate::event;
use crate::frag::{self, HEADER_LEN, Header, MAX_MESSAGE};
use crate::queue::Queue;
use crate::spin::Spin;
use crate::sync::Ordering::{Acquire, Relaxed, Release};
use crate::sync::bump;
use crate::trace;

/// Most fragments published by one `used.idx` store. Large messages go out
/// in batches this big, so the receiver starts copying before the sender is
/// done and re-posts buffers while the message is still streaming.
const PUBLISH_BATCH: u16 = 16;

/// The sending half of one queue. Only core `src`'s endpoint makes one, so
/// there is exactly one sender per queue (src/endpoint.rs).
pub(crate) struct SendHalf<'q> {
    q: &'q Queue,
}

impl<'q> SendHalf<'q> {
    /// The sending half of `q`. Caller: the endpoint of core `q.src` only.
    pub(crate) fn new(q: &'q Queue) -> Self {
        Self { q }
    }

    /// Sends `data` if the ring has room for all of it now; otherwise sends
    /// nothing and says why.
    pub(crate) fn try_send(&self, data: &[u8]) -> Result<(), SendError> {
        let q = self.q;
        check_len(data)?;
        let needed = frag::count(data.len(), q.cap());
        if needed > usize::from(q.size) {
            return Err(SendError::NeedsStreaming {
                fragments: needed,
                queue_size: q.size,
            });
        }
        // Fits in u16: needed ≤ size ≤ 32768.
        let room = self.room(needed as u16)?;
        if usize::from(room) < needed {
            bump(&q.send.stalls, 1);
            event::mark_stalled(q);
            return Err(SendError::Full {
                needed,
                room: usize::from(room),
            });
        }
        self.stream(data, &mut crate::spin::NoWait)
    }

    /// Sends `data`, waiting with `spin` whenever the ring is full. A message
    /// bigger than the ring streams: fragments go out as buffers come back.
    pub(crate) fn send<S: Spin + ?Sized>(
        &self,
        data: &[u8],
        spin: &mut S,
    ) -> Result<(), SendError> {
        check_len(data)?;
        self.stream(data, spin)
    }

    /// Publishes every fragment of `data`, in batches, waiting when full.
    fn stream<S: Spin + ?Sized>(&self, data: &[u8], spin: &mut S) -> Result<(), SendError> {
        let q = self.q;
        let cap = q.cap();
        let frags = frag::count(data.len(), cap);
        let (mut done, mut waiting) = (0, false);
        while done < frags {
            let room = self.room(1)?;
            if room == 0 {
                if !waiting {
                    bump(&q.send.stalls, 1);
                    trace::stall(q);
                    waiting = true;
                }
                if !spin.wait(&mut || event::arm_send(q)) {
                    return Err(SendError::Aborted {
                        sent: (done * cap).min(data.len()),
                    });
                }
                continue;
            }
            waiting = false;
            let left = u16::try_from(frags - done).unwrap_or(u16::MAX);
            let n = room.min(left).min(PUBLISH_BATCH);
            self.publish(data, done, n)?;
            done += usize::from(n);
        }
        trace::send(q, data.len(), frags); // before the bump: `seq` counts from 0
        bump(&q.send.messages, 1);
        bump(&q.send.bytes, data.len() as u64);
        Ok(())
    }

    /// Before sleeping: asks for a notification of the next re-post if the
    /// last send found too little room, and re-checks (src/event.rs).
    /// `true`: the caller may sleep as far as this queue is concerned.
    pub(crate) fn arm_if_stalled(&self) -> bool {
        event::arm_if_stalled(self.q)
    }

    /// Posted buffers not yet taken. Trusts the cached `avail.idx` when it
    /// already shows `want`; otherwise reloads it.
    fn room(&self, want: u16) -> Result<u16, SendError> {
        let q = self.q;
        // Relaxed, both: sender-private values only the sender writes.
        let last = q.send.last_avail.load(Relaxed);
        let room = q.send.avail_cache.load(Relaxed).wrapping_sub(last);
        if room >= want {
            return Ok(room);
        }
        // Acquire, partner: the receiver's Release store of avail.idx in
        // RecvHalf::flush. Makes the avail entries below it visible, and
        // orders our writes to those buffers after the receiver's last reads.
        let fresh = q.avail.idx().load(Acquire);
        let room = fresh.wrapping_sub(last);
        if room > q.size {
            return Err(SendError::CorruptAvail);
        }
        // Relaxed: sender-private cache, read back only by the sender.
        q.send.avail_cache.store(fresh, Relaxed);
        Ok(room)
    }

    /// Fills fragments `first .. first + n` of `data` into the next `n`
    /// posted buffers and publishes them with one `used.idx` store.
    fn publish(&self, data: &[u8], first: usize, n: u16) -> Result<(), SendError> {
        let q = self.q;
        let cap = q.cap();
        // Relaxed: sender-private, only the sender writes it.
        let start = q.send.last_avail.load(Relaxed);
        for k in 0..n {
            let pos = start.wrapping_add(k);
            let slot = q.slot(pos);
            // Relaxed: `pos` is below an avail.idx loaded with Acquire in
            // `room`, which made this entry visible.
            let id = q.avail.slot(slot).load(Relaxed);
            if id >= q.size {
                return Err(SendError::CorruptAvail);
            }
            let offset = (first + usize::from(k)) * cap;
            let len = frag::payload_len(data.len(), offset, cap);
            // Both fit in u32: ≤ MAX_MESSAGE.
            let header = Header {
                total: data.len() as u32,
                offset: offset as u32,
            };
            // SAFETY: the sender owns buffer `id` (rules in buffers.rs): the
            // Acquire load of avail.idx in `room` showed it posted at `pos`,
            // and we hand it over only with the Release store of used.idx
            // in `publish_used`.
            unsafe {
                q.bufs.write_head(id, header.encode());
                q.bufs.write(id, HEADER_LEN, &data[offset..offset + len]);
            }
            // In order (§2.7.9): used position `pos` returns avail position `pos`.
            self.put_used(slot, id, (HEADER_LEN + len) as u32);
            trace::fill(q, id, HEADER_LEN + len, pos);
        }
        let end = start.wrapping_add(n);
        // Release, partner: the Acquire load of last_avail in snapshot.rs
        // (free on x86): whoever sees `end` here also sees the avail.idx we
        // acquired to take those entries, which keeps a snapshot in order.
        q.send.last_avail.store(end, Release);
        self.publish_used(end);
        event::after_publish_used(q, start, end);
        trace::publish(q, end);
        Ok(())
    }

    /// Writes the used element of buffer `id` at `slot`: `{id, len}`
    /// (§2.7.8). Lab 2 (docs/labs/2-ring.md) has students write this and
    /// [`Self::publish_used`]; its student version builds the stubs below.
    #[cfg(not(feature = "lab-ring"))]
    fn put_used(&self, slot: usize, id: u16, len: u32) {
        // Relaxed, both: published by the Release store of used.idx in
        // `publish_used`.
        self.q.used.id(slot).store(u32::from(id), Relaxed);
        self.q.used.len(slot).store(len, Relaxed);
    }

    /// Hands every buffer filled below used position `end` to the receiver.
    #[cfg(not(feature = "lab-ring"))]
    fn publish_used(&self, end: u16) {
        // Release, partner: the receiver's Acquire load of used.idx in
        // RecvHalf::visible. The entries and buffer bytes written before
        // happen-before its reads of them; the buffers are now the receiver's.
        self.q.used.idx().store(end, Release);
    }

    /// Lab 2's student version: the used element is never written.
    #[cfg(feature = "lab-ring")]
    fn put_used(&self, _slot: usize, _id: u16, _len: u32) {
        // LAB 2: record which buffer went out at `slot` and how many bytes
        // it holds, so the receiver can check and read it.
    }

    /// Lab 2's student version: used.idx never moves, so the receiver never
    /// sees a message (`vq dump` shows the buffers stuck in `filling`).
    #[cfg(feature = "lab-ring")]
    fn publish_used(&self, _end: u16) {
        // LAB 2: publish the used entries written so far. Which ordering,
        // and which load on the receiver's side is its partner?
    }
}

/// Refuses a message over the maximum.
fn check_len(data: &[u8]) -> Result<(), SendError> {
    if data.len() > MAX_MESSAGE {
        return Err(SendError::TooLarge {
            len: data.len(),
            max: MAX_MESSAGE,
        });
    }
    Ok(())
}
