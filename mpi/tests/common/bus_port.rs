//! `mpi::Transport` for a real `bus::Endpoint`: the adapter the kernel needs
//! (a newtype, as neither the trait nor the type is the kernel's own).

use bus::{Endpoint, MAX_MESSAGE, RecvError, SendError};
use mpi::{Transport, TransportError};

/// One core's bus endpoint, seen as an `mpi` transport.
pub struct BusPort<'bus> {
    ep: Endpoint<'bus>,
    /// Half a ring of payload (capped at the bus maximum): a fragment fits
    /// at once while the receiver drains the other half.
    max: usize,
    /// Idle turns yield the thread (tests: more threads than cores) rather
    /// than spin with `pause` (the bench, the kernel).
    polite: bool,
}

impl<'bus> BusPort<'bus> {
    /// Wraps `ep`; idle turns yield the thread.
    pub fn new(ep: Endpoint<'bus>) -> Self {
        let config = ep.bus().config();
        let half_ring = (usize::from(config.queue_size) / 2).max(1) * config.payload_per_buffer();
        Self {
            ep,
            max: half_ring.min(MAX_MESSAGE),
            polite: true,
        }
    }

    /// Wraps `ep`; idle turns spin (one thread per core only).
    #[allow(dead_code)]
    pub fn spinning(ep: Endpoint<'bus>) -> Self {
        Self {
            polite: false,
            ..Self::new(ep)
        }
    }
}

impl Transport for BusPort<'_> {
    fn core(&self) -> usize {
        self.ep.core()
    }

    fn cores(&self) -> usize {
        self.ep.bus().cores()
    }

    fn max_message(&self) -> usize {
        self.max
    }

    fn try_send(&mut self, dst: usize, msg: &[u8]) -> Result<bool, TransportError> {
        match self.ep.try_send(dst, msg) {
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
        match self.ep.try_recv_any(buf) {
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

    fn pause(&mut self) {
        if self.polite {
            std::thread::yield_now();
        } else {
            core::hint::spin_loop();
        }
    }
}
