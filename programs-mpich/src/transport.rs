//! [`MpichTransport`]: ringlab's `mpi::Transport` on MPI point-to-point
//! (`MPI_Isend` and `MPI_Improbe`/`MPI_Mrecv` through rsmpi). It never blocks
//! except in `Drop`, which waits until every rank has finished sending.

use std::collections::VecDeque;

use mpi::{Transport, TransportError};
use rsmpi::request::{Request, StaticScope};
use rsmpi::topology::{Communicator, SimpleCommunicator};
use rsmpi::traits::{CommunicatorCollectives, Destination, Equivalence, Source};

/// The one tag every transport message carries (matching by source and tag
/// is ringlab `mpi`'s job, inside the message).
const TAG: rsmpi::Tag = 0;

/// The longest message: `mpi` cuts longer ones into fragments this big.
pub const MAX_MESSAGE: usize = 64 * 1024;

/// Sends started but not yet complete before `try_send` says "no room".
pub const MAX_IN_FLIGHT: usize = 64;

/// A send MPI is still reading from, with the buffer it reads.
///
/// The buffer is a leaked `Box<[u8]>`, so that it can be `'static` as a
/// request that outlives one `try_send` call must be; it is freed in
/// [`MpichTransport::reap`] once MPI reports the send complete.
type InFlight = Request<'static, [u8], StaticScope>;

/// One MPI process's link to every other process of a communicator.
pub struct MpichTransport {
    /// A duplicate of the communicator it was made from, so that nothing
    /// else in the process can receive its messages.
    comm: SimpleCommunicator,
    /// This process's rank in `comm`.
    rank: usize,
    /// How many processes `comm` has.
    size: usize,
    /// Sends not yet known to be complete, oldest first.
    in_flight: VecDeque<InFlight>,
}

impl MpichTransport {
    /// A transport between the processes of `comm` (collective: every
    /// process of `comm` must call it, as `MPI_Comm_dup` requires).
    pub fn new(comm: &SimpleCommunicator) -> Self {
        let comm = comm.duplicate();
        let rank = usize::try_from(comm.rank()).expect("MPI ranks are not negative");
        let size = usize::try_from(comm.size()).expect("MPI sizes are positive");
        Self {
            comm,
            rank,
            size,
            in_flight: VecDeque::new(),
        }
    }

    /// Frees the buffers of the sends MPI has finished with (`MPI_Test`).
    fn reap(&mut self) {
        for _ in 0..self.in_flight.len() {
            let request = self.in_flight.pop_front().expect("counted");
            match request.test_with_data() {
                Ok((_, sent)) => free(sent),
                Err(pending) => self.in_flight.push_back(pending),
            }
        }
    }

    /// Receives and drops one message if one is there; whether it did.
    fn discard_one(&mut self) -> bool {
        let mut buf = vec![0; MAX_MESSAGE];
        matches!(self.try_recv(&mut buf), Ok(Some(_)))
    }
}

/// Gives back a buffer [`Transport::try_send`] leaked.
fn free(sent: &'static [u8]) {
    // SAFETY: `sent` came from `Box::leak` in `try_send`, and its send has
    // completed, so MPI no longer reads it and no other reference to it exists.
    drop(unsafe { Box::from_raw(std::ptr::from_ref(sent).cast_mut()) });
}

impl Transport for MpichTransport {
    fn core(&self) -> usize {
        self.rank
    }

    fn cores(&self) -> usize {
        self.size
    }

    fn max_message(&self) -> usize {
        MAX_MESSAGE
    }

    fn try_send(&mut self, dst: usize, msg: &[u8]) -> Result<bool, TransportError> {
        if dst >= self.size || dst == self.rank {
            return Err(TransportError::with(dst, "no such peer"));
        }
        if msg.len() > MAX_MESSAGE {
            return Err(TransportError::with(dst, "message longer than max_message"));
        }
        if self.in_flight.len() >= MAX_IN_FLIGHT {
            self.reap();
            if self.in_flight.len() >= MAX_IN_FLIGHT {
                return Ok(false);
            }
        }
        let buffer: &'static [u8] = Box::leak(msg.into());
        let peer = self.comm.process_at_rank(dst as rsmpi::Rank);
        let request = peer.immediate_send_with_tag(StaticScope, buffer, TAG);
        self.in_flight.push_back(request);
        Ok(true)
    }

    fn try_recv(&mut self, buf: &mut [u8]) -> Result<Option<(usize, usize)>, TransportError> {
        let Some((message, status)) = self
            .comm
            .any_process()
            .immediate_matched_probe_with_tag(TAG)
        else {
            return Ok(None);
        };
        let src = usize::try_from(status.source_rank()).expect("a matched message has a source");
        let len = usize::try_from(status.count(u8::equivalent_datatype())).unwrap_or(usize::MAX);
        if len > buf.len() {
            return Err(TransportError::with(
                src,
                "message longer than the receive buffer",
            ));
        }
        message.matched_receive_into(&mut buf[..len]);
        Ok(Some((src, len)))
    }

    fn pause(&mut self) {
        self.reap();
        std::thread::yield_now();
    }
}

impl Drop for MpichTransport {
    /// Waits until every process has finished sending before the
    /// communicator goes (`MPI_Ibarrier`), receiving and dropping whatever
    /// still arrives meanwhile, so that no peer waits on a send to us.
    fn drop(&mut self) {
        while !self.in_flight.is_empty() {
            self.reap();
            self.discard_one();
        }
        let mut barrier = self.comm.immediate_barrier();
        loop {
            match barrier.test() {
                Ok(_) => break,
                Err(pending) => barrier = pending,
            }
            if !self.discard_one() {
                std::thread::yield_now();
            }
        }
    }
}
