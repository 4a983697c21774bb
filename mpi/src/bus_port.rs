//! [`Transport`] for a `bus` endpoint (feature `bus`): how `mpi` runs over
//! the bus, in the kernel and in mpi's own tests and bench. MPI frames are
//! plain bus messages; "no room" and "nothing yet" map to the non-blocking
//! calls' `Full` and `Empty`. It lives here so that `bus` knows no client.

use core::borrow::BorrowMut;
use core::marker::PhantomData;

use bus::{Endpoint, MAX_MESSAGE, RecvError, SendError};

use crate::{HEADER_LEN, Transport, TransportError};

/// A core's endpoint (owned, or borrowed with `&mut`) as an MPI transport.
pub struct BusPort<'bus, E: BorrowMut<Endpoint<'bus>>> {
    endpoint: E,
    /// Largest frame MPI may hand us: half a ring of payload, so a frame
    /// fits at once while the receiver drains the other half.
    max_message: usize,
    /// What an idle turn does: spin (one thread per core), or yield.
    pause: fn(),
    /// What an idle turn does instead, given the endpoint (the kernel's
    /// nap until notified: `Endpoint::arm`, then halt). Overrides `pause`.
    idle_turn: Option<fn(&Endpoint<'bus>)>,
    _bus: PhantomData<&'bus ()>,
}

impl<'bus, E: BorrowMut<Endpoint<'bus>>> BusPort<'bus, E> {
    /// Wraps `endpoint`; idle turns spin with `core::hint::spin_loop`.
    pub fn new(endpoint: E) -> Self {
        let config = endpoint.borrow().bus().config();
        let half_ring = (usize::from(config.queue_size) / 2).max(1) * config.payload_per_buffer();
        BusPort {
            endpoint,
            max_message: half_ring.min(MAX_MESSAGE),
            pause: core::hint::spin_loop,
            idle_turn: None,
            _bus: PhantomData,
        }
    }

    /// Makes idle turns call `turn(endpoint)` instead: a waiter that can
    /// sleep until the bus notifies it (`bus::Endpoint::arm`).
    pub fn with_idle_turn(self, turn: fn(&Endpoint<'bus>)) -> Self {
        BusPort {
            idle_turn: Some(turn),
            ..self
        }
    }

    /// Offers MPI frames of at most `max` bytes (more fragments, each
    /// smaller), within what `new` chose and at least a header and one
    /// byte (the `Transport` contract).
    pub fn with_max_message(self, max: usize) -> Self {
        BusPort {
            max_message: max.clamp(HEADER_LEN + 1, self.max_message),
            ..self
        }
    }

    /// Makes idle turns call `pause` instead (e.g. `std::thread::yield_now`
    /// when there are more threads than cores).
    pub fn with_pause(self, pause: fn()) -> Self {
        BusPort { pause, ..self }
    }
}

impl<'bus, E: BorrowMut<Endpoint<'bus>>> Transport for BusPort<'bus, E> {
    fn core(&self) -> usize {
        self.endpoint.borrow().core()
    }

    fn cores(&self) -> usize {
        self.endpoint.borrow().bus().cores()
    }

    fn max_message(&self) -> usize {
        self.max_message
    }

    fn try_send(&mut self, dst: usize, msg: &[u8]) -> Result<bool, TransportError> {
        match self.endpoint.borrow_mut().try_send(dst, msg) {
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
        match self.endpoint.borrow_mut().try_recv_any(buf) {
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
        match self.idle_turn {
            Some(turn) => turn(self.endpoint.borrow()),
            None => (self.pause)(),
        }
    }
}
