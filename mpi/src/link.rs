//! One peer core's link state: the sequence numbers each way and the message
//! being reassembled from its fragments. Not the matching (src/inbox.rs).

use alloc::vec::Vec;

use crate::error::Error;
use crate::transport::TransportError;
use crate::wire::{FLAG_POISON, Header};

/// A message that has fully arrived and waits to be matched.
#[derive(Debug)]
pub(crate) struct Envelope {
    /// The communicator's context id.
    pub(crate) context: u16,
    /// The tag (negative for collectives).
    pub(crate) tag: i32,
    /// The core it came from (the transport says so, not the header).
    pub(crate) src_core: usize,
    /// The rank the sender gave in its header, checked when matched.
    pub(crate) src_rank: u32,
    /// The sender marked the data as poisoned ([`FLAG_POISON`]).
    pub(crate) poisoned: bool,
    /// The whole message.
    pub(crate) data: Vec<u8>,
}

/// What this core knows about its traffic with one other core.
/// Only the owning core's `Mpi` touches it: no sharing, no locks.
#[derive(Debug, Default)]
pub(crate) struct Link {
    /// Seq of the next message this core sends to the peer.
    pub(crate) next_tx: u32,
    /// Seq the next new message from the peer must carry.
    next_rx: u32,
    /// The peer's message in reassembly: its first header and the bytes so far.
    partial: Option<(Header, Vec<u8>)>,
    /// Messages abandoned mid-way by the peer (its send was aborted).
    pub(crate) discarded: u64,
}

impl Link {
    /// Takes one fragment from `peer`; returns the message it completes.
    ///
    /// A first fragment (offset 0) must carry the next seq; if a message was
    /// still in reassembly, the peer gave up on it (an aborted send) and it is
    /// dropped. Any other fragment must continue the message in reassembly.
    pub(crate) fn accept(
        &mut self,
        peer: usize,
        h: Header,
        payload: &[u8],
    ) -> Result<Option<Envelope>, Error> {
        let bad = |what| Error::Transport(TransportError::with(peer, what));
        if h.offset == 0 {
            if h.seq != self.next_rx {
                return Err(bad("message out of sequence"));
            }
            self.next_rx = self.next_rx.wrapping_add(1);
            if self.partial.take().is_some() {
                self.discarded += 1;
            }
            let data = crate::buffer::try_with_capacity(h.total as usize)?;
            self.partial = Some((h, data));
        }
        let Some((first, data)) = self.partial.as_mut() else {
            return Err(bad("fragment without a start"));
        };
        let continues =
            first.seq == h.seq && first.total == h.total && data.len() == h.offset as usize;
        if !continues
            || data.len() + payload.len() > h.total as usize
            || (payload.is_empty() && h.total != 0)
        {
            return Err(bad("fragment does not continue its message"));
        }
        data.extend_from_slice(payload);
        if data.len() < h.total as usize {
            return Ok(None);
        }
        Ok(self.partial.take().map(|(first, data)| Envelope {
            context: first.context,
            tag: first.tag,
            src_core: peer,
            src_rank: first.src_rank,
            poisoned: first.flags & FLAG_POISON != 0,
            data,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frag(seq: u32, total: u32, offset: u32) -> Header {
        Header {
            context: 1,
            flags: 0,
            tag: 5,
            src_rank: 2,
            total,
            offset,
            seq,
        }
    }

    #[test]
    fn reassembles_in_order_and_checks_sequence() {
        let mut link = Link::default();
        assert!(link.accept(3, frag(0, 5, 0), b"abc").unwrap().is_none());
        let env = link.accept(3, frag(0, 5, 3), b"de").unwrap().unwrap();
        assert_eq!(
            (env.data.as_slice(), env.src_core, env.tag),
            (&b"abcde"[..], 3, 5)
        );
        assert!(link.accept(3, frag(1, 0, 0), b"").unwrap().is_some());
        assert!(link.accept(3, frag(5, 1, 0), b"x").is_err());
    }

    #[test]
    fn a_new_message_replaces_an_abandoned_one() {
        let mut link = Link::default();
        assert!(link.accept(0, frag(0, 10, 0), b"abc").unwrap().is_none());
        let env = link.accept(0, frag(1, 1, 0), b"z").unwrap().unwrap();
        assert_eq!((env.data.as_slice(), link.discarded), (&b"z"[..], 1));
        assert!(link.accept(0, frag(1, 10, 3), b"def").is_err());
    }
}
