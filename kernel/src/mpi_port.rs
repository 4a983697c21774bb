//! MPI over the VirtIOBus: `mpi::Transport` for a core's bus endpoint, and
//! the fresh communicator context each demo command gets, so messages left
//! over by an aborted command can never match the next one.

use core::sync::atomic::{AtomicU16, Ordering};

use bus::{Endpoint, MAX_MESSAGE, RecvError, SendError};
use mpi::{EXPLICIT_CONTEXTS, Transport, TransportError};

/// A core's endpoint, borrowed for the length of one demo.
pub struct BusPort<'a> {
    endpoint: &'a mut Endpoint<'static>,
    /// Largest frame MPI may hand us: half a ring of payload, so a frame
    /// fits at once while the receiver drains the other half.
    max_message: usize,
}

impl<'a> BusPort<'a> {
    /// Wraps `endpoint`.
    pub fn new(endpoint: &'a mut Endpoint<'static>) -> Self {
        let config = endpoint.bus().config();
        let half_ring = (usize::from(config.queue_size) / 2).max(1) * config.payload_per_buffer();
        BusPort {
            endpoint,
            max_message: half_ring.min(MAX_MESSAGE),
        }
    }
}

impl Transport for BusPort<'_> {
    fn core(&self) -> usize {
        self.endpoint.core()
    }

    fn cores(&self) -> usize {
        self.endpoint.bus().cores()
    }

    fn max_message(&self) -> usize {
        self.max_message
    }

    fn try_send(&mut self, dst: usize, msg: &[u8]) -> Result<bool, TransportError> {
        match self.endpoint.try_send(dst, msg) {
            Ok(()) => Ok(true),
            Err(SendError::Full { .. }) => Ok(false),
            Err(SendError::BadDestination { .. }) => {
                Err(TransportError::with(dst, "bus: bad destination"))
            }
            Err(SendError::TooLarge { .. } | SendError::NeedsStreaming { .. }) => {
                Err(TransportError::with(dst, "bus: frame larger than a ring"))
            }
            Err(SendError::CorruptAvail) => {
                Err(TransportError::with(dst, "bus: available ring corrupt"))
            }
            Err(SendError::Aborted { .. }) => Err(TransportError::with(dst, "bus: send aborted")),
        }
    }

    fn try_recv(&mut self, buf: &mut [u8]) -> Result<Option<(usize, usize)>, TransportError> {
        match self.endpoint.try_recv_any(buf) {
            Ok(got) => Ok(Some(got)),
            Err(RecvError::Empty) => Ok(None),
            Err(RecvError::BadSource { src }) => Err(TransportError::with(src, "bus: bad source")),
            Err(RecvError::TooSmall { src, .. } | RecvError::NeedsStreaming { src, .. }) => Err(
                TransportError::with(src, "bus: frame larger than max_message"),
            ),
            Err(RecvError::Truncated { src, .. }) => {
                Err(TransportError::with(src, "bus: truncated message"))
            }
            Err(RecvError::Corrupt { src, .. }) => {
                Err(TransportError::with(src, "bus: used ring corrupt"))
            }
            Err(RecvError::Aborted { .. }) => Err(TransportError::new("bus: receive aborted")),
        }
    }
}

/// The last context handed out (only the shell core writes it).
static LAST_CONTEXT: AtomicU16 = AtomicU16::new(0);

/// A context no recent command used, cycling through the explicit range.
pub fn fresh_context() -> u16 {
    let (first, last) = (*EXPLICIT_CONTEXTS.start(), *EXPLICIT_CONTEXTS.end());
    let previous = LAST_CONTEXT.load(Ordering::Relaxed);
    let next = if previous < first || previous >= last {
        first
    } else {
        previous + 1
    };
    LAST_CONTEXT.store(next, Ordering::Relaxed);
    next
}
