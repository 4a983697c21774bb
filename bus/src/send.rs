//! The sender's side of a queue, the spec's *device*: take posted buffers from
//! the available ring in order, put a message (or one fragment of a long one)
//! in each, publish them on the used ring. Used only by the endpoint of core `src`.

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
    #[inline]
    pub(crate) fn try_send(&self, data: &[u8]) -> Result<(), SendError> {
        let needed = self.fragments_at_once(data)?;
        let room = self.room(needed)?;
        if room < needed {
            bump(&self.q.send.stalls, 1);
            event::mark_stalled(self.q);
            return Err(SendError::Full {
                needed: usize::from(needed),
                room: usize::from(room),
            });
        }
        let first = self.last_avail();
        let end = self.fill(data, 0, needed);
        self.publish(end);
        self.sent::<true>(data.len(), first);
        Ok(())
    }

    /// Sends whole messages from the front of `msgs` while the ring has room
    /// for each, with one `used.idx` store for all; returns how many went.
    /// 0 means the first did not fit now (counted as a stall). A message
    /// that can never go at once is an error only in front; behind others
    /// it ends the batch, and the next call reports it.
    #[inline]
    pub(crate) fn try_send_batch<M: AsRef<[u8]>>(&self, msgs: &[M]) -> Result<usize, SendError> {
        if trace::sender_traced() {
            self.send_batch::<true, M>(msgs)
        } else {
            self.send_batch::<false, M>(msgs)
        }
    }

    /// [`Self::try_send_batch`], with its trace points only if `TRACED`.
    #[inline(always)]
    fn send_batch<const TRACED: bool, M: AsRef<[u8]>>(
        &self,
        msgs: &[M],
    ) -> Result<usize, SendError> {
        let q = self.q;
        let first = self.last_avail();
        // The next position to fill, kept here and stored in last_avail once.
        let mut pos = first;
        let (mut sent, mut bytes) = (0, 0);
        let one_buffer_max = q.one_buffer_max();
        while let Some(data) = msgs.get(sent).map(AsRef::as_ref) {
            let needed = if data.len() <= one_buffer_max {
                1 // one buffer: the common case, without the division
            } else {
                match self.fragments_at_once(data) {
                    Ok(needed) => needed,
                    Err(e) if sent == 0 => return Err(e),
                    Err(_) => break,
                }
            };
            let room = match self.room_from(pos, needed) {
                Ok(room) if room >= needed => room,
                Err(e) if sent == 0 => return Err(e),
                _ => break,
            };
            if needed > 1 {
                for k in 0..needed {
                    self.fill_one::<TRACED>(data, usize::from(k), pos.wrapping_add(k));
                }
                pos = pos.wrapping_add(needed);
                sent += 1;
                bytes += data.len() as u64;
                continue;
            }
            // A run of one-buffer messages, this one first, into the
            // `room` buffers known to be posted: no room check between them.
            let end = msgs.len().min(sent + usize::from(room));
            for data in msgs[sent..end].iter().map(AsRef::as_ref) {
                if data.len() > one_buffer_max {
                    break;
                }
                self.fill_whole::<TRACED>(data, pos);
                pos = pos.wrapping_add(1);
                sent += 1;
                bytes += data.len() as u64;
            }
        }
        if sent == 0 {
            if !msgs.is_empty() {
                bump(&q.send.stalls, 1);
                event::mark_stalled(q);
            }
            return Ok(0);
        }
        self.taken(pos);
        self.publish_from::<TRACED>(first, pos);
        // Relaxed: the sender's own counter (it is its one writer).
        let before = q.send.messages.load(Relaxed);
        if TRACED {
            let mut at = first;
            for (seq, data) in (before..).zip(msgs[..sent].iter().map(AsRef::as_ref)) {
                trace::send(q, data.len(), at, seq);
                at = at.wrapping_add(q.fragments(data.len()) as u16);
            }
        }
        bump(&q.send.messages, sent as u64);
        bump(&q.send.bytes, bytes);
        Ok(sent)
    }

    /// Sends `data`, waiting with `spin` whenever the ring is full. A message
    /// bigger than the ring streams: fragments go out as buffers come back.
    #[inline]
    pub(crate) fn send<S: Spin + ?Sized>(
        &self,
        data: &[u8],
        spin: &mut S,
    ) -> Result<(), SendError> {
        let q = self.q;
        if data.len() > q.one_buffer_max() {
            check_len(data)?;
            return self.stream(data, q.fragments(data.len()), spin);
        }
        // One buffer: the common case, with each index loaded once.
        let first = self.last_avail();
        // Relaxed: sender-private cache, only the sender writes it.
        if q.send.avail_cache.load(Relaxed) == first {
            self.wait_room(spin, 0)?;
        }
        if trace::sender_traced() {
            self.send_whole::<true>(data, first);
        } else {
            self.send_whole::<false>(data, first);
        }
        Ok(())
    }

    /// Sends `data`, which fits one buffer, in the buffer posted at avail
    /// position `first`, which is `last_avail` and posted; with its trace
    /// points only if `TRACED`.
    #[inline(always)]
    fn send_whole<const TRACED: bool>(&self, data: &[u8], first: u16) {
        self.fill_whole::<TRACED>(data, first);
        let end = self.taken(first.wrapping_add(1));
        self.publish_from::<TRACED>(first, end);
        self.sent::<TRACED>(data.len(), first);
    }

    /// The buffers `data` needs, if it can go at once: at most the queue size.
    fn fragments_at_once(&self, data: &[u8]) -> Result<u16, SendError> {
        check_len(data)?;
        let needed = self.q.fragments(data.len());
        if needed > usize::from(self.q.size) {
            return Err(SendError::NeedsStreaming {
                fragments: needed,
                queue_size: self.q.size,
            });
        }
        // Fits in u16: needed ≤ size ≤ 32768.
        Ok(needed as u16)
    }

    /// Publishes every fragment of a message longer than one buffer, in
    /// batches, waiting when full.
    #[inline(never)]
    fn stream<S: Spin + ?Sized>(
        &self,
        data: &[u8],
        frags: usize,
        spin: &mut S,
    ) -> Result<(), SendError> {
        let first = self.last_avail();
        let mut done = 0;
        while done < frags {
            let sent = (done * self.q.cap()).min(data.len());
            let room = self.wait_room(spin, sent)?;
            let left = u16::try_from(frags - done).unwrap_or(u16::MAX);
            let n = room.min(left).min(PUBLISH_BATCH);
            let end = self.fill(data, done, n);
            self.publish(end);
            done += usize::from(n);
        }
        self.sent::<true>(data.len(), first);
        Ok(())
    }

    /// Posted buffers not yet taken, at least one: waits with `spin` while
    /// there are none. `sent` is what an abort reports as already published.
    #[inline(never)]
    fn wait_room<S: Spin + ?Sized>(&self, spin: &mut S, sent: usize) -> Result<u16, SendError> {
        let mut waiting = false;
        loop {
            let room = self.room(1)?;
            if room > 0 {
                return Ok(room);
            }
            if !waiting {
                bump(&self.q.send.stalls, 1);
                trace::stall(self.q);
                waiting = true;
            }
            if !spin.wait(&mut || event::arm_send(self.q)) {
                return Err(SendError::Aborted { sent });
            }
        }
    }

    /// Before sleeping: asks for a notification of the next re-post if the
    /// last send found too little room, and re-checks (src/event.rs).
    /// `true`: the caller may sleep as far as this queue is concerned.
    pub(crate) fn arm_if_stalled(&self) -> bool {
        event::arm_if_stalled(self.q)
    }

    /// The next available-ring position to take.
    #[inline]
    fn last_avail(&self) -> u16 {
        // Relaxed: sender-private, only the sender writes it.
        self.q.send.last_avail.load(Relaxed)
    }

    /// Posted buffers not yet taken. Trusts the cached `avail.idx` when it
    /// already shows `want`; otherwise reloads it.
    #[inline]
    fn room(&self, want: u16) -> Result<u16, SendError> {
        self.room_from(self.last_avail(), want)
    }

    /// Posted buffers from avail position `last` on, as [`Self::room`].
    #[inline]
    fn room_from(&self, last: u16, want: u16) -> Result<u16, SendError> {
        // Relaxed: sender-private cache, only the sender writes it.
        let room = self.q.send.avail_cache.load(Relaxed).wrapping_sub(last);
        if room >= want {
            return Ok(room);
        }
        self.reload(last)
    }

    /// Loads `avail.idx`, checks it, and returns the room. The entries
    /// below it are not read: each names the buffer of its own slot
    /// (`Queue::buffer_at`, VIRTIO_F_IN_ORDER), which is what the sender
    /// fills, so no entry can send it to another buffer.
    #[cold]
    fn reload(&self, last: u16) -> Result<u16, SendError> {
        let q = self.q;
        // Acquire, partner: the receiver's Release store of avail.idx in
        // RecvHalf::flush. Orders our writes to the buffers below it after
        // the receiver's last reads of them.
        let fresh = q.avail.idx().load(Acquire);
        // Relaxed: sender-private cache, only the sender writes it.
        let cached = q.send.avail_cache.load(Relaxed);
        if fresh.wrapping_sub(last) > q.size || fresh.wrapping_sub(cached) > q.size {
            return Err(SendError::CorruptAvail);
        }
        // Relaxed: sender-private cache, read back only by the sender.
        q.send.avail_cache.store(fresh, Relaxed);
        Ok(fresh.wrapping_sub(last))
    }

    /// Fills fragments `first .. first + n` of `data` into the next `n`
    /// posted buffers and writes their used entries; returns the used
    /// position after them (not yet published). Traced: its callers are
    /// `try_send` and `stream`, whose trace points cost little beside
    /// their other work.
    #[inline]
    fn fill(&self, data: &[u8], first: usize, n: u16) -> u16 {
        let start = self.last_avail();
        for k in 0..n {
            self.fill_one::<true>(data, first + usize::from(k), start.wrapping_add(k));
        }
        self.taken(start.wrapping_add(n))
    }

    /// Fills the whole of `data`, which fits one buffer (`len ≤
    /// one_buffer_max`), into the buffer posted at `pos`: `fill_one` of
    /// fragment 0 without its offset arithmetic.
    #[inline(always)]
    fn fill_whole<const TRACED: bool>(&self, data: &[u8], pos: u16) {
        let q = self.q;
        let id = q.buffer_at(pos);
        // Fits in u32: ≤ MAX_MESSAGE.
        let header = Header {
            total: data.len() as u32,
            offset: 0,
        };
        // SAFETY: as in `fill_one`, with `HEADER_LEN + data.len() ≤ buf_size`
        // since the caller checked `data.len() ≤ cap`.
        unsafe { q.bufs.write_fragment(id, header.encode(), data) }
        self.put_used(pos, id, (HEADER_LEN + data.len()) as u32);
        if TRACED {
            trace::fill(q, id, HEADER_LEN + data.len(), pos);
        }
    }

    /// Fills fragment `index` of `data` into the buffer posted at `pos`.
    #[inline(always)]
    fn fill_one<const TRACED: bool>(&self, data: &[u8], index: usize, pos: u16) {
        let q = self.q;
        let cap = q.cap();
        let id = q.buffer_at(pos);
        let offset = index * cap;
        let len = frag::payload_len(data.len(), offset, cap);
        // Both fit in u32: ≤ MAX_MESSAGE.
        let header = Header {
            total: data.len() as u32,
            offset: offset as u32,
        };
        // SAFETY: the sender owns buffer `id` (rules in buffers.rs): the
        // Acquire load of avail.idx in `reload` showed it posted at `pos`, and
        // we hand it over only with the Release store of used.idx in
        // `publish_used`. `id < size` (a slot) and `HEADER_LEN + len ≤
        // buf_size` since `len ≤ cap`.
        unsafe {
            q.bufs
                .write_fragment(id, header.encode(), &data[offset..offset + len])
        }
        // In order (§2.7.9): used position `pos` returns avail position `pos`.
        self.put_used(pos, id, (HEADER_LEN + len) as u32);
        if TRACED {
            trace::fill(q, id, HEADER_LEN + len, pos);
        }
    }

    /// Moves `last_avail` to `end`, past the positions just filled.
    #[inline]
    fn taken(&self, end: u16) -> u16 {
        // Release, partner: the Acquire load of last_avail in snapshot.rs
        // (free on x86): whoever sees `end` here also sees the avail.idx we
        // acquired to take those entries, which keeps a snapshot in order.
        self.q.send.last_avail.store(end, Release);
        end
    }

    /// Hands every buffer filled below used position `end` to the receiver.
    #[inline]
    fn publish(&self, end: u16) {
        // Relaxed: our own earlier store (the sender is used.idx's only writer).
        self.publish_from::<true>(self.q.used.idx().load(Relaxed), end);
    }

    /// [`Self::publish`] when the caller knows `used.idx` is `old`: the
    /// sender publishes whatever it takes before it returns, so `used.idx`
    /// equals `last_avail` when a send starts.
    #[inline]
    fn publish_from<const TRACED: bool>(&self, old: u16, end: u16) {
        self.publish_used(end);
        event::after_publish_used(self.q, old, end);
        if TRACED {
            trace::publish(self.q, end);
        }
    }

    /// Counts a message of `len` bytes, published from used position `first`.
    #[inline]
    fn sent<const TRACED: bool>(&self, len: usize, first: u16) {
        let q = self.q;
        // Relaxed: the sender's own counter (it is its one writer). The
        // message's `seq` is the count before it, so it counts from 0.
        let seq = q.send.messages.load(Relaxed);
        if TRACED {
            trace::send(q, len, first, seq);
        }
        q.send.messages.store(seq + 1, Relaxed);
        bump(&q.send.bytes, len as u64);
    }

    /// Writes the used element of buffer `id` at used position `pos`:
    /// `{id, len}` (§2.7.8). Lab 2 (docs/labs/2-ring.md) has students write this and
    /// [`Self::publish_used`]; its student version builds the stubs below.
    #[cfg(not(feature = "lab-ring"))]
    #[inline]
    fn put_used(&self, pos: u16, id: u16, len: u32) {
        let used = &self.q.used;
        // Relaxed, both: published by the Release store of used.idx in
        // `publish_used`. (The ring masks the position to a slot.)
        let elem = crate::spec::VirtqUsedElem { id: id.into(), len };
        used.elem(usize::from(pos)).store(elem, Relaxed);
    }

    /// Hands every buffer filled below used position `end` to the receiver.
    #[cfg(not(feature = "lab-ring"))]
    #[inline]
    fn publish_used(&self, end: u16) {
        // Release, partner: the receiver's Acquire load of used.idx in
        // RecvHalf::visible. The entries and buffer bytes written before
        // happen-before its reads of them; the buffers are now the receiver's.
        self.q.used.idx().store(end, Release);
    }

    /// Lab 2's student version: the used element is never written.
    #[cfg(feature = "lab-ring")]
    fn put_used(&self, _pos: u16, _id: u16, _len: u32) {
        // LAB 2: record which buffer went out at `pos` and how many bytes
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

#[cfg(all(test, not(loom)))]
mod tests {
    //! The sender's reload of `avail.idx`, with entries a broken receiver wrote.
    use super::*;
    use crate::config::Config;

    /// A queue of 8 whose sender has taken positions up to 6 and cached
    /// `avail.idx` there, and whose receiver has now moved `avail.idx` to
    /// `idx` with `ids` in the entries from position 6 on.
    fn posted_from_6(ids: &[u16], idx: u16) -> Queue {
        let q = Queue::new(0, 1, Config::new(8, 64));
        q.send.last_avail.store(6, Relaxed);
        q.used.idx().store(6, Relaxed);
        q.send.avail_cache.store(6, Relaxed);
        for (k, &id) in ids.iter().enumerate() {
            q.avail.slot(6 + k).store(id, Relaxed);
        }
        q.avail.idx().store(idx, Release);
        q
    }

    #[test]
    fn reload_takes_the_room_across_the_ring_end() {
        let q = posted_from_6(&[6, 7, 0, 1], 10);
        assert_eq!(SendHalf::new(&q).reload(6), Ok(4));
        assert_eq!(q.send.avail_cache.load(Relaxed), 10);
    }

    #[test]
    fn an_avail_idx_run_ahead_is_refused() {
        for idx in [6 + 9, 6 + 100, 5] {
            let q = posted_from_6(&[], idx);
            assert_eq!(
                SendHalf::new(&q).try_send(b"x"),
                Err(SendError::CorruptAvail),
                "avail.idx {idx}"
            );
            // Nothing was taken, and the bad index is not trusted later.
            assert_eq!(q.send.avail_cache.load(Relaxed), 6);
            assert_eq!(q.send.last_avail.load(Relaxed), 6);
        }
    }

    #[test]
    fn a_wrong_entry_does_not_change_the_buffer_filled() {
        // Out of range, and another slot's buffer, which the receiver may
        // still be reading: the sender fills the one posted at position 6.
        for bad in [8, u16::MAX, 1] {
            let q = posted_from_6(&[bad, 7], 8);
            SendHalf::new(&q).try_send(b"x").unwrap();
            let elem = q.used.elem(6).load(Relaxed);
            assert_eq!((elem.id, elem.len), (6, 9), "entry {bad}");
        }
    }
}
