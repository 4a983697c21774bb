//! A core's endpoint: the one handle through which a core sends to and
//! receives from every other core. Blocking, aborting and non-blocking forms.

use crate::bus::{Bus, queue_in};
use crate::error::{RecvError, SendError};
use crate::queue::Queue;
use crate::recv::RecvHalf;
use crate::send::SendHalf;
use crate::spin::{AbortWhen, Forever, Spin};

/// Core `core`'s side of every queue it touches: the sender of the queues
/// (core, x) and the receiver of the queues (x, core).
///
/// Only [`Bus::endpoint`] makes one, at most one per core at a time, and every
/// operation takes `&mut self`: so each queue has exactly one sender and one
/// receiver, which is all the lock-free protocol assumes. Dropping it gives
/// the core's endpoint back to the bus.
///
/// Blocking calls spin with `core::hint::spin_loop()` ([`Forever`]); the
/// `_until` forms also stop when their check returns `true` (Ctrl-C), and the
/// `_with` forms take any [`Spin`] policy.
///
/// A message bigger than the ring streams, so its blocking send finishes only
/// while the receiver is receiving: two cores that both send such a message
/// to each other before receiving wait for each other forever (as MPI_Send
/// may). Use an abort check, or receive before sending.
pub struct Endpoint<'bus> {
    bus: &'bus Bus,
    /// The bus's queues and its core count, kept here so that the lookup
    /// of each message's queue reads the endpoint (which nothing else
    /// writes) instead of the bus behind it.
    queues: &'bus [Queue],
    cores: usize,
    core: usize,
    /// Where `recv_any` starts its next scan (round-robin over sources).
    next_src: usize,
}

impl<'bus> Endpoint<'bus> {
    /// Made by [`Bus::endpoint`] after it claimed `core`.
    pub(crate) fn new(bus: &'bus Bus, core: usize) -> Self {
        Self {
            bus,
            queues: bus.queues(),
            cores: bus.cores(),
            core,
            next_src: 0,
        }
    }

    /// The core this endpoint belongs to.
    pub fn core(&self) -> usize {
        self.core
    }

    /// The bus this endpoint belongs to.
    pub fn bus(&self) -> &'bus Bus {
        self.bus
    }

    /// The sending half of queue (core, dst).
    #[inline]
    fn tx(&self, dst: usize) -> Result<SendHalf<'bus>, SendError> {
        let q = queue_in(self.queues, self.cores, self.core, dst)
            .ok_or(SendError::BadDestination { dst })?;
        debug_assert_eq!(q.src, self.core);
        Ok(SendHalf::new(q))
    }

    /// The receiving half of queue (src, core).
    #[inline]
    fn rx(&self, src: usize) -> Result<RecvHalf<'bus>, RecvError> {
        let q = queue_in(self.queues, self.cores, src, self.core)
            .ok_or(RecvError::BadSource { src })?;
        debug_assert_eq!(q.dst, self.core);
        Ok(RecvHalf::new(q))
    }

    /// Sends `data` to `dst` only if the ring has room for all of it now.
    /// [`SendError::Full`]: nothing sent, retry; a message needing more
    /// buffers than the queue has gives [`SendError::NeedsStreaming`].
    pub fn try_send(&mut self, dst: usize, data: &[u8]) -> Result<(), SendError> {
        self.tx(dst)?.try_send(data)
    }

    /// Sends whole messages from the front of `msgs` to `dst` while the ring
    /// has room for each, publishing them all with one `used.idx` store (as
    /// rtrb's `write_chunk` commits many slots at once); returns how many
    /// went, 0 if the first did not fit now. Every message is one
    /// [`try_send`](Self::try_send) would send; one that can never go at once
    /// ([`SendError::NeedsStreaming`], [`SendError::TooLarge`]) is an error
    /// when it is first, and ends the batch behind others.
    #[inline]
    pub fn try_send_batch<M: AsRef<[u8]>>(
        &mut self,
        dst: usize,
        msgs: &[M],
    ) -> Result<usize, SendError> {
        self.tx(dst)?.try_send_batch(msgs)
    }

    /// Sends `data` to `dst`, waiting as long as it takes.
    #[inline]
    pub fn send(&mut self, dst: usize, data: &[u8]) -> Result<(), SendError> {
        self.send_with(dst, data, &mut Forever)
    }

    /// Sends `data` to `dst`, waiting until done or until `abort()` is true.
    pub fn send_until(
        &mut self,
        dst: usize,
        data: &[u8],
        abort: &dyn Fn() -> bool,
    ) -> Result<(), SendError> {
        self.send_with(dst, data, &mut AbortWhen(abort))
    }

    /// Sends `data` to `dst`, asking `spin` at each wait.
    #[inline]
    pub fn send_with<S: Spin + ?Sized>(
        &mut self,
        dst: usize,
        data: &[u8],
        spin: &mut S,
    ) -> Result<(), SendError> {
        self.tx(dst)?.send(data, spin)
    }

    /// Receives the next message from `src` into `buf` if it has fully
    /// arrived; returns its length. [`RecvError::Empty`] if not yet.
    pub fn try_recv(&mut self, src: usize, buf: &mut [u8]) -> Result<usize, RecvError> {
        self.rx(src)?.try_recv(buf)
    }

    /// Receives up to `max` messages from `src` that have fully arrived, each
    /// copied into `buf` and then passed to `deliver`, and re-posts their
    /// buffers with one `avail.idx` store per `size / 4` and one at the end;
    /// returns how many, 0 if none has
    /// arrived. Every check of [`try_recv`](Self::try_recv) is made on each;
    /// an error ends the batch (the messages before it were delivered).
    #[inline]
    pub fn try_recv_batch(
        &mut self,
        src: usize,
        buf: &mut [u8],
        max: usize,
        deliver: impl FnMut(&[u8]),
    ) -> Result<usize, RecvError> {
        self.rx(src)?.try_recv_batch(buf, max, deliver)
    }

    /// Receives the next message from `src` into `buf`, waiting as long as
    /// it takes; returns its length.
    #[inline]
    pub fn recv(&mut self, src: usize, buf: &mut [u8]) -> Result<usize, RecvError> {
        self.recv_with(src, buf, &mut Forever)
    }

    /// Like [`recv`](Self::recv), giving up when `abort()` is true.
    pub fn recv_until(
        &mut self,
        src: usize,
        buf: &mut [u8],
        abort: &dyn Fn() -> bool,
    ) -> Result<usize, RecvError> {
        self.recv_with(src, buf, &mut AbortWhen(abort))
    }

    /// Like [`recv`](Self::recv), asking `spin` at each wait.
    #[inline]
    pub fn recv_with<S: Spin + ?Sized>(
        &mut self,
        src: usize,
        buf: &mut [u8],
        spin: &mut S,
    ) -> Result<usize, RecvError> {
        self.rx(src)?.recv(buf, spin)
    }

    /// Receives a message that has fully arrived from any source, without
    /// waiting; returns (source, length). Sources are scanned round-robin.
    /// [`RecvError::Empty`] if no source has a complete message.
    pub fn try_recv_any(&mut self, buf: &mut [u8]) -> Result<(usize, usize), RecvError> {
        for src in self.sources() {
            let rx = self.rx(src)?;
            let Some(first) = rx.poll_start()? else {
                continue;
            };
            match rx.try_take(first, buf) {
                Err(RecvError::Empty) => continue,
                Err(e @ RecvError::TooSmall { .. }) => {
                    self.next_src = src;
                    return Err(e);
                }
                result => {
                    self.next_src = (src + 1) % self.bus.cores();
                    return result.map(|len| (src, len));
                }
            }
        }
        Err(RecvError::Empty)
    }

    /// Receives the next message from whichever source has one, taking
    /// sources in round-robin order so none is starved; returns (source, length).
    pub fn recv_any(&mut self, buf: &mut [u8]) -> Result<(usize, usize), RecvError> {
        self.recv_any_with(buf, &mut Forever)
    }

    /// Like [`recv_any`](Self::recv_any), giving up when `abort()` is true.
    pub fn recv_any_until(
        &mut self,
        buf: &mut [u8],
        abort: &dyn Fn() -> bool,
    ) -> Result<(usize, usize), RecvError> {
        self.recv_any_with(buf, &mut AbortWhen(abort))
    }

    /// Like [`recv_any`](Self::recv_any), asking `spin` at each wait.
    ///
    /// A message too big for `buf` gives [`RecvError::TooSmall`] naming its
    /// source; it stays queued and that source is scanned first next time.
    pub fn recv_any_with<S: Spin + ?Sized>(
        &mut self,
        buf: &mut [u8],
        spin: &mut S,
    ) -> Result<(usize, usize), RecvError> {
        loop {
            for src in self.sources() {
                let rx = self.rx(src)?;
                let Some(first) = rx.poll_start()? else {
                    continue;
                };
                if first.total > buf.len() {
                    self.next_src = src;
                    return Err(RecvError::TooSmall {
                        src,
                        needed: first.total,
                    });
                }
                self.next_src = (src + 1) % self.bus.cores();
                return rx.take(first, buf, spin).map(|len| (src, len));
            }
            if !spin.wait(&mut || self.arm_receives()) {
                return Err(RecvError::Aborted { lost_from: None });
            }
        }
    }
}

impl Endpoint<'_> {
    /// Before sleeping in a loop of non-blocking calls (MPI's idle turn):
    /// asks for a notification on every queue this core receives from and
    /// on every queue whose last send found too little room, then
    /// re-checks them all (src/event.rs). `true`: nothing arrived and none
    /// of them got room, and whichever does will notify this core, so the
    /// caller may sleep until it is notified. Always `false` when the bus
    /// polls. Call it with interrupts off if sleeping is `sti; hlt`.
    pub fn arm(&self) -> bool {
        let sends = (0..self.bus.cores()).filter(|&dst| dst != self.core);
        self.arm_receives()
            && sends
                .filter_map(|dst| self.tx(dst).ok())
                .all(|tx| tx.arm_if_stalled())
    }

    /// Arms every queue this core receives from; `true` if all are empty.
    fn arm_receives(&self) -> bool {
        self.bus.notify()
            && self
                .sources()
                .filter_map(|src| self.rx(src).ok())
                .all(|rx| rx.arm())
    }

    /// Every other core, starting at `next_src` and wrapping around.
    fn sources(&self) -> impl Iterator<Item = usize> + use<> {
        let (n, start, me) = (self.bus.cores(), self.next_src, self.core);
        (0..n)
            .map(move |k| (start + k) % n)
            .filter(move |&src| src != me)
    }
}

impl Drop for Endpoint<'_> {
    fn drop(&mut self) {
        self.bus.release_endpoint(self.core);
    }
}
