//! The receiver's side of a queue, the spec's *driver*: poll the used ring,
//! check every entry as Linux checks an untrusted device, copy fragments into
//! the caller's slice, and re-post the buffers. Used only by core `dst`.
//!
//! The checks on each used entry at position `pos` (src/frag.rs adds the header's):
//! * `used.idx - last_used ≤ size` (the index did not run ahead);
//! * `id < size`, and `id` is the buffer the receiver posted at `pos`: the
//!   sender fills buffers in posting order (VIRTIO 1.2 §2.7.9), so the
//!   receiver knows which buffer `pos` covers without believing the entry;
//! * `8 ≤ len ≤ buf_size`, and `len` agrees with the fragment header;
//! * the fragment is the one expected: a start (offset 0) between messages,
//!   the next offset of the same total inside one.
//!
//! A failed check skips the entry (its buffer is re-posted, so none leaks),
//! counts it in `corrupt`, and reports [`RecvError::Corrupt`].

use crate::error::{Fault, RecvError};
use crate::event;
use crate::frag::{self, HEADER_LEN, Header};
use crate::queue::Queue;
use crate::spec::VirtqUsedElem;
use crate::spin::{NoWait, Spin};
use crate::sync::Ordering::{Acquire, Relaxed, Release};
use crate::sync::bump;
use crate::trace;

/// The receiving half of one queue. Only core `dst`'s endpoint makes one, so
/// there is exactly one receiver per queue (src/endpoint.rs).
pub(crate) struct RecvHalf<'q> {
    pub(crate) q: &'q Queue,
}

/// A used entry that passed the entry and header checks.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Frag {
    /// Its used-ring position.
    pos: u16,
    /// The buffer it occupies (the one posted at `pos`).
    id: u16,
    /// Length of the whole message.
    pub(crate) total: usize,
    /// Where its payload starts in the message.
    pub(crate) offset: usize,
    /// Payload bytes in this fragment.
    payload: usize,
}

impl<'q> RecvHalf<'q> {
    /// The receiving half of `q`. Caller: the endpoint of core `q.dst` only.
    pub(crate) fn new(q: &'q Queue) -> Self {
        Self { q }
    }

    /// Receives the next message if all of it is already on the used ring.
    #[inline]
    pub(crate) fn try_recv(&self, buf: &mut [u8]) -> Result<usize, RecvError> {
        match self.poll_start()? {
            Some(first) => self.try_take(first, buf),
            None => Err(RecvError::Empty),
        }
    }

    /// Receives up to `max` messages that have fully arrived, each into `buf`
    /// and then handed to `deliver`; re-posts their buffers as `release`
    /// does (every `repost_batch`) and once more at the end. Returns how many; 0 if none has arrived. An error stops the
    /// batch (the messages before it were delivered).
    pub(crate) fn try_recv_batch(
        &self,
        buf: &mut [u8],
        max: usize,
        mut deliver: impl FnMut(&[u8]),
    ) -> Result<usize, RecvError> {
        let traced = trace::receiver_traced();
        let mut got = 0;
        while got < max {
            got += self.whole_run_as(traced, buf, max - got, &mut deliver)?;
            if got == max {
                break;
            }
            // Whatever stopped the run, the general path takes it.
            match self.try_recv(buf) {
                Ok(len) => deliver(&buf[..len]),
                Err(RecvError::Empty) => break,
                Err(e) => return Err(e),
            }
            got += 1;
        }
        self.flush();
        Ok(got)
    }

    /// [`Self::whole_run`], in its copy with trace points if `traced`
    /// (`trace::receiver_traced`, which the caller loads once).
    #[inline(always)]
    fn whole_run_as(
        &self,
        traced: bool,
        buf: &mut [u8],
        max: usize,
        deliver: &mut impl FnMut(&[u8]),
    ) -> Result<usize, RecvError> {
        if traced {
            self.whole_run::<true>(buf, max, deliver)
        } else {
            self.whole_run::<false>(buf, max, deliver)
        }
    }

    /// Receives in one pass the run of one-fragment messages at the head of
    /// the ring that are already visible, at most `max`, each copied into
    /// `buf` and delivered. Stops, consuming nothing more, at anything else:
    /// a fragment of a long message, an entry that fails a check, a message
    /// longer than `buf`, leftovers being discarded; the general path then
    /// takes it, and its `check` says what was wrong. The caller flushes.
    /// Its trace points fire only if `TRACED`.
    #[inline]
    fn whole_run<const TRACED: bool>(
        &self,
        buf: &mut [u8],
        max: usize,
        deliver: &mut impl FnMut(&[u8]),
    ) -> Result<usize, RecvError> {
        let q = self.q;
        // Relaxed: receiver-private flag.
        if q.recv.discarding.load(Relaxed) {
            return Ok(0);
        }
        // Relaxed: receiver-private, only the receiver writes it.
        let start = q.recv.last_used.load(Relaxed);
        let visible = usize::from(self.visible_from(start, 1)?).min(max);
        let mut n = 0;
        while n < visible {
            // Fits in u16: n < visible ≤ size.
            let pos = start.wrapping_add(n as u16);
            let Some((id, len)) = self.whole_message(pos, buf.len()) else {
                break;
            };
            if TRACED {
                trace::consume(q, id, HEADER_LEN + len, pos);
            }
            // SAFETY: as in `consume`: buffer `id`, posted at `pos`, is the
            // receiver's until the caller's `flush` re-posts it;
            // `HEADER_LEN + len ≤ buf_size` since `len ≤ cap`, `id < size`.
            unsafe { q.bufs.read(id, HEADER_LEN, &mut buf[..len]) };
            if TRACED {
                // Relaxed: the receiver's own counter (it is its one
                // writer), bumped once for the whole run below.
                let seq = q.recv.received.load(Relaxed) + n as u64;
                trace::recv(q, len, id, pos, seq);
            }
            deliver(&buf[..len]);
            n += 1;
        }
        if n > 0 {
            bump(&q.recv.received, n as u64);
            // Each buffer goes back in its own slot, which already names it
            // (see `release`), so only last_used moves.
            // Release, partner: the Acquire loads of last_used in
            // snapshot.rs, as in `release`.
            q.recv
                .last_used
                .store(start.wrapping_add(n as u16), Release);
        }
        Ok(n)
    }

    /// The used entry at `pos` (below a used.idx loaded with Acquire) if it
    /// is a whole message in one buffer, of at most `limit` bytes (the
    /// caller's buffer), that passes every check `check` makes: its buffer
    /// and length. The checks are folded for this case: the entry names
    /// the buffer posted at `pos` (so `id < size`), the header's offset is
    /// 0, the used length is the header plus its total, and the total is
    /// at most `limit` and `one_buffer_max` (so `8 ≤ len ≤ buf_size`).
    /// `None` for anything else, which `check` then accepts as a fragment
    /// or refuses as corrupt.
    #[inline]
    fn whole_message(&self, pos: u16, limit: usize) -> Option<(u16, usize)> {
        let q = self.q;
        // Relaxed: `pos` is below a used.idx loaded with Acquire.
        let VirtqUsedElem { id, len: used_len } = q.used.elem(usize::from(pos)).load(Relaxed);
        let posted = q.buffer_at(pos);
        if id != u32::from(posted) {
            return None;
        }
        // SAFETY: as in `check`: the receiver owns the buffer it posted at
        // `pos`, which the sender released with the used.idx store we
        // acquired; `posted < size`.
        let header = u64::from_le_bytes(unsafe { q.bufs.read_head(posted) });
        // The header the used length implies for a whole message, as one
        // word: its total `used_len - 8` in the low half, offset 0 in the
        // high half. Equal to it: offset 0, and the used length is the
        // header plus the total. A used length under 8 wraps to above
        // 2^64 - 8, which no limit admits.
        let total = u64::from(used_len).wrapping_sub(HEADER_LEN as u64);
        let fits = total <= limit as u64 && total <= q.one_buffer_max() as u64;
        (header == total && fits).then_some((posted, total as usize))
    }

    /// Receives the message starting with `first` (from `poll_start`) if all
    /// of it is already on the used ring; otherwise leaves it queued.
    #[inline]
    pub(crate) fn try_take(&self, first: Frag, buf: &mut [u8]) -> Result<usize, RecvError> {
        let q = self.q;
        self.fits(&first, buf)?;
        let needed = q.fragments(first.total);
        if needed > usize::from(q.size) {
            self.flush();
            return Err(RecvError::NeedsStreaming {
                src: q.src,
                fragments: needed,
            });
        }
        // Fits in u16: needed ≤ size.
        if usize::from(self.visible(needed as u16)?) < needed {
            // The sender may be waiting for buffers we still hold.
            self.flush();
            return Err(RecvError::Empty);
        }
        // Every fragment is visible, so this never waits.
        self.body(first, buf, &mut NoWait)
    }

    /// Receives the next message, waiting with `spin` while there is none.
    #[inline]
    pub(crate) fn recv<S: Spin + ?Sized>(
        &self,
        buf: &mut [u8],
        spin: &mut S,
    ) -> Result<usize, RecvError> {
        // The common case first, inline; the rest out of line.
        match self.try_whole(buf)? {
            Some(len) => Ok(len),
            None => self.recv_rest(buf, spin),
        }
    }

    /// A one-fragment message in one pass (`whole_run`), re-posting held
    /// buffers as `release` does; `None` if what comes next is not one.
    #[inline]
    fn try_whole(&self, buf: &mut [u8]) -> Result<Option<usize>, RecvError> {
        let mut len = 0;
        let traced = trace::receiver_traced();
        if self.whole_run_as(traced, buf, 1, &mut |msg| len = msg.len())? == 0 {
            return Ok(None);
        }
        // Relaxed: receiver-private, our own store in `whole_run`.
        if self.repost_due(self.q.recv.last_used.load(Relaxed)) {
            self.flush();
        }
        Ok(Some(len))
    }

    /// [`Self::recv`] past its first one-pass attempt: a long message, a
    /// bad entry, leftovers, or the wait for the next message.
    #[inline(never)]
    fn recv_rest<S: Spin + ?Sized>(
        &self,
        buf: &mut [u8],
        spin: &mut S,
    ) -> Result<usize, RecvError> {
        loop {
            if let Some(first) = self.poll_start()? {
                return self.take(first, buf, spin);
            }
            // Empty, and `poll_start` has re-posted what we held: wait on
            // used.idx alone, and try the one-pass path when it moves.
            loop {
                if !spin.wait(&mut || self.arm()) {
                    return Err(RecvError::Aborted { lost_from: None });
                }
                if self.visible(1)? > 0 {
                    break;
                }
            }
            if let Some(len) = self.try_whole(buf)? {
                return Ok(len);
            }
        }
    }

    /// The first fragment of the next message, if one has arrived; throws
    /// away leftovers of a lost message first. Re-posts held buffers and
    /// returns `None` when the ring is empty. Consumes nothing else.
    #[inline]
    pub(crate) fn poll_start(&self) -> Result<Option<Frag>, RecvError> {
        let q = self.q;
        loop {
            let Some(f) = self.peek()? else {
                self.flush();
                return Ok(None);
            };
            // Relaxed, both: receiver-private flag.
            if f.offset == 0 {
                q.recv.discarding.store(false, Relaxed);
                return Ok(Some(f));
            }
            if !q.recv.discarding.load(Relaxed) {
                return Err(self.reject(
                    f.pos,
                    Fault::OrphanFragment {
                        offset: f.offset as u32,
                    },
                ));
            }
            self.consume(&f, None);
        }
    }

    /// Receives the message starting with `first` (from `poll_start`) into
    /// `buf`, waiting with `spin` for fragments still to come.
    #[inline]
    pub(crate) fn take<S: Spin + ?Sized>(
        &self,
        first: Frag,
        buf: &mut [u8],
        spin: &mut S,
    ) -> Result<usize, RecvError> {
        self.fits(&first, buf)?;
        self.body(first, buf, spin)
    }

    /// Refuses, keeping the message, a buffer shorter than it.
    #[inline]
    fn fits(&self, first: &Frag, buf: &[u8]) -> Result<(), RecvError> {
        if first.total > buf.len() {
            return Err(RecvError::TooSmall {
                src: self.q.src,
                needed: first.total,
            });
        }
        Ok(())
    }

    /// Copies the message out fragment by fragment, `buf` being long enough.
    #[inline]
    fn body<S: Spin + ?Sized>(
        &self,
        first: Frag,
        buf: &mut [u8],
        spin: &mut S,
    ) -> Result<usize, RecvError> {
        let total = first.total;
        let (mut f, mut got) = (first, 0);
        loop {
            self.consume(&f, Some(&mut buf[got..]));
            got += f.payload;
            if got == total {
                let received = &self.q.recv.received;
                // Relaxed: the receiver's own counter (it is its one writer).
                // The message's `seq` is the count before it, from 0.
                let seq = received.load(Relaxed);
                trace::recv(self.q, total, first.id, first.pos, seq);
                received.store(seq + 1, Relaxed);
                return Ok(total);
            }
            f = self.next_fragment(total, got, spin)?;
        }
    }

    /// Waits for the fragment at offset `got` of the `total`-byte message.
    #[inline]
    fn next_fragment<S: Spin + ?Sized>(
        &self,
        total: usize,
        got: usize,
        spin: &mut S,
    ) -> Result<Frag, RecvError> {
        let src = self.q.src;
        loop {
            let f = match self.peek() {
                Ok(Some(f)) => f,
                Ok(None) => {
                    self.flush();
                    if spin.wait(&mut || self.arm()) {
                        continue;
                    }
                    self.lose();
                    return Err(RecvError::Aborted {
                        lost_from: Some(src),
                    });
                }
                Err(e) => {
                    self.lose();
                    return Err(e);
                }
            };
            if f.offset == 0 {
                // The sender abandoned this message; the new one is kept.
                self.lose();
                // Relaxed: receiver-private flag.
                self.q.recv.discarding.store(false, Relaxed);
                self.flush();
                return Err(RecvError::Truncated {
                    src,
                    received: got,
                    expected: total,
                });
            }
            let fault = if f.total != total {
                Fault::TotalChanged {
                    total: f.total as u32,
                    expected: total as u32,
                }
            } else if f.offset != got {
                Fault::OutOfSequence {
                    offset: f.offset as u32,
                    expected: got as u32,
                }
            } else {
                return Ok(f);
            };
            self.lose();
            return Err(self.reject(f.pos, fault));
        }
    }

    /// Used entries visible to the receiver. Trusts the cached `used.idx`
    /// when it already shows `want`; otherwise reloads it.
    #[inline]
    fn visible(&self, want: u16) -> Result<u16, RecvError> {
        // Relaxed: receiver-private, only the receiver writes it.
        self.visible_from(self.q.recv.last_used.load(Relaxed), want)
    }

    /// [`Self::visible`] from used position `last`, which is `last_used`.
    #[inline]
    fn visible_from(&self, last: u16, want: u16) -> Result<u16, RecvError> {
        let q = self.q;
        // Relaxed: receiver-private cache, only the receiver writes it.
        let n = q.recv.used_cache.load(Relaxed).wrapping_sub(last);
        if n >= want {
            return Ok(n);
        }
        // Acquire, partner: the sender's Release store of used.idx in
        // SendHalf::publish_used. Makes the used entries below it, and the bytes
        // of their buffers, visible; those buffers are now the receiver's.
        let fresh = q.used.idx().load(Acquire);
        let n = fresh.wrapping_sub(last);
        if n > q.size {
            bump(&q.recv.corrupt, 1);
            return Err(RecvError::Corrupt {
                src: q.src,
                fault: Fault::UsedIdxAhead { ahead: n },
            });
        }
        // Relaxed: receiver-private cache, read back only by the receiver.
        q.recv.used_cache.store(fresh, Relaxed);
        Ok(n)
    }

    /// The next used entry, checked; `None` if there is none. A bad entry is
    /// skipped and reported.
    #[inline]
    pub(crate) fn peek(&self) -> Result<Option<Frag>, RecvError> {
        if self.visible(1)? == 0 {
            return Ok(None);
        }
        // Relaxed: receiver-private.
        let pos = self.q.recv.last_used.load(Relaxed);
        match self.check(pos) {
            Ok(f) => Ok(Some(f)),
            Err(fault) => Err(self.reject(pos, fault)),
        }
    }

    /// Checks the used entry at `pos` and the header of its buffer.
    #[inline]
    fn check(&self, pos: u16) -> Result<Frag, Fault> {
        let q = self.q;
        let at = usize::from(pos); // the rings mask it to a slot
        // Relaxed: `pos` is below a used.idx loaded with Acquire in `visible`.
        let VirtqUsedElem { id, len } = q.used.elem(at).load(Relaxed);
        let posted = q.buffer_at(pos);
        if id >= u32::from(q.size) {
            return Err(Fault::IdOutOfRange { id });
        }
        if id != u32::from(posted) {
            return Err(Fault::IdNotPosted { id, posted });
        }
        if len < HEADER_LEN as u32 || len > q.buf_size {
            return Err(Fault::LenOutOfRange { len });
        }
        // SAFETY: the receiver owns buffer `posted` (rules in buffers.rs): our
        // Acquire load of used.idx is past `pos`, and the sender, filling in
        // posting order, released the buffer posted at `pos` with that store.
        // We read the buffer *we* posted there, not the entry's id, so even a
        // lying entry cannot make us read one the sender still owns.
        // `posted < size`: a slot.
        let header = Header::decode(unsafe { q.bufs.read_head(posted) });
        let payload = frag::check(header, len, q.cap())?;
        Ok(Frag {
            pos,
            id: posted,
            total: header.total as usize,
            offset: header.offset as usize,
            payload,
        })
    }

    /// Skips the bad entry at `pos`, counts it, and throws away the rest of
    /// whatever message it belonged to.
    fn reject(&self, pos: u16, fault: Fault) -> RecvError {
        let q = self.q;
        self.release(pos);
        bump(&q.recv.corrupt, 1);
        // Relaxed: receiver-private flag.
        q.recv.discarding.store(true, Relaxed);
        RecvError::Corrupt { src: q.src, fault }
    }

    /// Counts a message lost part-way and throws away its remaining fragments.
    fn lose(&self) {
        bump(&self.q.recv.lost, 1);
        // Relaxed: receiver-private flag.
        self.q.recv.discarding.store(true, Relaxed);
    }

    /// Copies the fragment's payload into `dst` (unless discarding it) and
    /// gives its buffer back.
    #[inline]
    pub(crate) fn consume(&self, f: &Frag, dst: Option<&mut [u8]>) {
        trace::consume(self.q, f.id, HEADER_LEN + f.payload, f.pos);
        if let Some(dst) = dst {
            // SAFETY: as in `check`: buffer `f.id`, posted at `f.pos`, is the
            // receiver's until `release` re-posts it just below; `check`
            // bounded `HEADER_LEN + f.payload` by the used length, at most
            // buf_size, and `f.id < size` (a slot).
            unsafe { self.q.bufs.read(f.id, HEADER_LEN, &mut dst[..f.payload]) };
        }
        self.release(f.pos);
    }

    /// Re-posts the buffer consumed at `pos` at position `pos + size` (the
    /// same slot), and moves past `pos`. The slot already names that buffer
    /// (`Queue::buffer_at`: buffers go back in ring order), so re-posting is
    /// the `avail.idx` store alone, and it is batched: see `flush`.
    #[inline]
    fn release(&self, pos: u16) {
        let q = self.q;
        // Release, partner: the Acquire loads of last_used in snapshot.rs
        // (free on x86). Whoever sees this value also sees the used.idx we
        // acquired to get here, which keeps a snapshot's indices in order.
        let next = pos.wrapping_add(1);
        q.recv.last_used.store(next, Release);
        if self.repost_due(next) {
            self.flush();
        }
    }

    /// Whether `repost_batch` buffers are held once `last_used` is
    /// `last_used`: `held() >= repost_batch` in one compare. The difference
    /// from `repost_at` is `held() - repost_batch`, which lies between
    /// `-repost_batch` and `size - repost_batch`, inside an `i16`'s range.
    #[inline]
    fn repost_due(&self, last_used: u16) -> bool {
        // Relaxed: receiver-private, only the receiver writes it.
        let due = self.q.recv.repost_at.load(Relaxed);
        last_used.wrapping_sub(due) as i16 >= 0
    }

    /// Buffers consumed but not yet handed back with an `avail.idx` store.
    #[inline]
    fn held(&self) -> u16 {
        let q = self.q;
        // Relaxed, both: receiver-private, and avail.idx is our own store.
        let target = q.recv.last_used.load(Relaxed).wrapping_add(q.size);
        target.wrapping_sub(q.avail.idx().load(Relaxed))
    }

    /// Before sleeping on an empty ring: asks for a notification and
    /// re-checks (src/event.rs). `true`: the caller may sleep.
    pub(crate) fn arm(&self) -> bool {
        event::arm_recv(self.q)
    }

    /// Hands every consumed buffer back to the sender with one store.
    pub(crate) fn flush(&self) {
        let q = self.q;
        if self.held() != 0 {
            // Relaxed: receiver-private.
            let target = q.recv.last_used.load(Relaxed).wrapping_add(q.size);
            // Relaxed: avail.idx is our own store.
            let from = q.avail.idx().load(Relaxed);
            // Release, partner: the sender's Acquire load of avail.idx in
            // SendHalf::room. Publishes the re-posted entries, and our reads
            // of those buffers happen-before the sender's next writes to them.
            q.avail.idx().store(target, Release);
            // Relaxed: receiver-private, read back only by the receiver.
            q.recv.repost_at.store(
                target.wrapping_sub(q.size).wrapping_add(q.repost_batch),
                Relaxed,
            );
            event::after_post(q, from, target);
            trace::post(q, from, target);
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    //! Hand-made fragments the real sender never produces: a lying header.
    use super::*;
    use crate::config::Config;
    use crate::send::SendHalf;

    /// Publishes one fragment with `header` and `len`, as a broken sender would.
    fn publish_raw(q: &Queue, header: Header, len: u32) {
        let pos = q.send.last_avail.load(Relaxed);
        let slot = q.slot(pos);
        let id = q.buffer_at(pos);
        // SAFETY: single thread; buffer `id` is posted and unused.
        unsafe { q.bufs.write_fragment(id, header.encode(), &[]) };
        let elem = VirtqUsedElem { id: id.into(), len };
        q.used.elem(slot).store(elem, Relaxed);
        q.send.last_avail.store(pos.wrapping_add(1), Relaxed);
        q.used.idx().store(pos.wrapping_add(1), Release);
    }

    #[test]
    fn buffers_are_reposted_every_repost_batch_across_the_index_wrap() {
        // Size 8, so every 2 buffers; both receive paths, past 65,536.
        let q = Queue::new(0, 1, Config::new(8, 64));
        let (tx, rx) = (SendHalf::new(&q), RecvHalf::new(&q));
        assert_eq!(q.repost_batch, 2);
        let mut buf = [0; 8];
        for k in 1..=70_000u32 {
            tx.try_send(&k.to_le_bytes()).unwrap();
            let got = if k % 3 == 0 {
                rx.try_recv(&mut buf)
            } else {
                rx.recv(&mut buf, &mut NoWait)
            };
            assert_eq!(got, Ok(4));
            assert_eq!(buf[..4], k.to_le_bytes());
            assert_eq!(rx.held(), (k % 2) as u16, "after message {k}");
        }
    }

    #[test]
    fn header_claiming_too_much_is_corrupt() {
        let q = Queue::new(0, 1, Config::new(8, 64));
        publish_raw(
            &q,
            Header {
                total: 1 << 20,
                offset: 0,
            },
            64,
        );
        let err = RecvHalf::new(&q).try_recv(&mut [0; 64]).unwrap_err();
        assert_eq!(
            err,
            RecvError::Corrupt {
                src: 0,
                fault: Fault::TotalTooLarge { total: 1 << 20 }
            }
        );
        assert_eq!(q.recv.corrupt.load(Relaxed), 1);
    }

    #[test]
    fn orphan_continuation_is_corrupt_and_queue_recovers() {
        let q = Queue::new(0, 1, Config::new(8, 64));
        publish_raw(
            &q,
            Header {
                total: 100,
                offset: 56,
            },
            8 + 44,
        );
        let rx = RecvHalf::new(&q);
        let err = rx.try_recv(&mut [0; 128]).unwrap_err();
        assert_eq!(
            err,
            RecvError::Corrupt {
                src: 0,
                fault: Fault::OrphanFragment { offset: 56 }
            }
        );
        SendHalf::new(&q).try_send(b"after").unwrap();
        let mut buf = [0; 16];
        assert_eq!(rx.try_recv(&mut buf), Ok(5));
        assert_eq!(&buf[..5], b"after");
    }

    #[test]
    fn fragment_out_of_sequence_loses_the_message() {
        let q = Queue::new(0, 1, Config::new(8, 64));
        publish_raw(
            &q,
            Header {
                total: 100,
                offset: 0,
            },
            64,
        );
        publish_raw(
            &q,
            Header {
                total: 100,
                offset: 40,
            },
            8 + 56,
        );
        let err = RecvHalf::new(&q).try_recv(&mut [0; 128]).unwrap_err();
        assert_eq!(
            err,
            RecvError::Corrupt {
                src: 0,
                fault: Fault::OutOfSequence {
                    offset: 40,
                    expected: 56
                }
            }
        );
        assert_eq!(q.recv.lost.load(Relaxed), 1);
    }
}
