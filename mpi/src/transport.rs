//! The one thing `mpi` needs from below: a byte transport between cores that
//! never blocks. Blocking, waiting and aborting are done above it, in `mpi`.

use core::fmt;

/// A non-blocking, message-oriented link from this core to every other core.
///
/// # Contract
///
/// * A message of `0..=max_message()` bytes handed to [`try_send`] arrives
///   whole, once, and in order with the other messages of the same
///   (source, destination) pair. Nothing is promised across pairs.
/// * [`try_send`] and [`try_recv`] never wait: "no room" and "nothing there"
///   are `Ok(false)` and `Ok(None)`. `mpi` loops over them, receiving while it
///   waits to send, so two cores sending to each other never deadlock.
/// * No message is ever sent to `core()` itself: `mpi` delivers those locally.
///
/// `bus::Endpoint` fits with `try_send`/`try_recv_any`; its `max_message` is
/// best kept to half a ring, so a whole fragment fits while the other half
/// drains (see docs/mpi.md, "Transports").
///
/// [`try_send`]: Transport::try_send
/// [`try_recv`]: Transport::try_recv
pub trait Transport {
    /// This core's id, in `0..cores()`.
    fn core(&self) -> usize;

    /// How many cores the transport connects (core ids `0..cores()`).
    fn cores(&self) -> usize;

    /// The longest message [`try_send`](Transport::try_send) accepts, in
    /// bytes; at least [`HEADER_LEN`](crate::HEADER_LEN)` + 1`. `mpi` cuts
    /// longer messages into fragments of at most this size.
    fn max_message(&self) -> usize;

    /// Sends `msg` to core `dst` if there is room for all of it now:
    /// `Ok(true)` sent, `Ok(false)` nothing sent (retry later).
    fn try_send(&mut self, dst: usize, msg: &[u8]) -> Result<bool, TransportError>;

    /// Takes the next whole message from any core, if one is there, into
    /// `buf` (at least `max_message()` bytes): `Ok(Some((src, len)))`, or
    /// `Ok(None)` when nothing has arrived.
    fn try_recv(&mut self, buf: &mut [u8]) -> Result<Option<(usize, usize)>, TransportError>;

    /// Called once per idle turn of a blocking `mpi` call (nothing to send,
    /// nothing arrived). The default is x86 `pause`; a host test transport
    /// yields the thread instead.
    fn pause(&mut self) {
        core::hint::spin_loop();
    }
}

/// A failure reported by a [`Transport`], or a frame `mpi` could not accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransportError {
    /// The core at the other end, when known.
    pub peer: Option<usize>,
    /// What went wrong, for the kernel to print.
    pub what: &'static str,
}

impl TransportError {
    /// An error about the link with `peer`.
    pub const fn with(peer: usize, what: &'static str) -> Self {
        Self {
            peer: Some(peer),
            what,
        }
    }

    /// An error not tied to one peer.
    pub const fn new(what: &'static str) -> Self {
        Self { peer: None, what }
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.peer {
            Some(core) => write!(f, "{} (core {core})", self.what),
            None => f.write_str(self.what),
        }
    }
}
