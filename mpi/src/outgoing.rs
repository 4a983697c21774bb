//! The send side of the engine: cut a message into fragments of the
//! transport's size, and keep receiving while the transport has no room.

use crate::engine::Mpi;
use crate::error::Error;
use crate::hang::Blocked;
use crate::link::Envelope;
use crate::transport::{Transport, TransportError};
use crate::wire::{FLAG_POISON, HEADER_LEN, Header};

/// Who a message is from and what it matches: everything in its header but
/// the fragment fields.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Label {
    /// The communicator's context id.
    pub(crate) context: u16,
    /// The tag.
    pub(crate) tag: i32,
    /// The sender's rank in the communicator.
    pub(crate) src_rank: u32,
    /// Mark the data as poisoned.
    pub(crate) poisoned: bool,
}

impl Label {
    /// The header of the fragment at `offset` of message `seq`.
    fn header(&self, total: u32, offset: u32, seq: u32) -> Header {
        let flags = if self.poisoned { FLAG_POISON } else { 0 };
        let (context, tag, src_rank) = (self.context, self.tag, self.src_rank);
        Header {
            context,
            flags,
            tag,
            src_rank,
            total,
            offset,
            seq,
        }
    }

    /// The message as delivered locally, for a send to `core` itself.
    fn envelope(&self, core: usize, data: &[u8]) -> Envelope {
        let (context, tag, src_rank, poisoned) =
            (self.context, self.tag, self.src_rank, self.poisoned);
        Envelope {
            context,
            tag,
            src_core: core,
            src_rank,
            poisoned,
            data: data.to_vec(),
        }
    }
}

impl<T: Transport> Mpi<T> {
    /// Sends `data` to core `dst` as one message, waiting as long as the
    /// transport has no room (and receiving meanwhile). A message to this
    /// core itself is delivered at once (to a posted receive, or the inbox).
    pub(crate) fn post(&mut self, dst: usize, label: Label, data: &[u8]) -> Result<(), Error> {
        if dst == self.core {
            self.deliver(label.envelope(dst, data));
            return Ok(());
        }
        let bad = |what| Error::Transport(TransportError::with(dst, what));
        let total = u32::try_from(data.len()).map_err(|_| bad("message longer than 4 GiB"))?;
        let seq = self.links.get(dst).ok_or(bad("no such core"))?.next_tx;
        let mut offset = 0;
        loop {
            let end = data.len().min(offset + self.chunk);
            let header = label.header(total, offset as u32, seq);
            self.frame_out.clear();
            self.frame_out.extend_from_slice(&header.encode());
            self.frame_out.extend_from_slice(&data[offset..end]);
            self.push_frame(dst)?;
            if offset == 0 {
                // Only now does the peer know this seq: an abort before the
                // first fragment leaves no gap in the sequence.
                self.links[dst].next_tx = seq.wrapping_add(1);
            }
            offset = end;
            if offset == data.len() {
                return Ok(());
            }
        }
    }

    /// Hands `frame_out` to the transport, receiving while it has no room.
    fn push_frame(&mut self, dst: usize) -> Result<(), Error> {
        debug_assert!(self.frame_out.len() <= self.chunk + HEADER_LEN);
        while !self.transport.try_send(dst, &self.frame_out)? {
            self.progress(Blocked::Send { to: dst })?;
        }
        self.moved();
        Ok(())
    }
}
