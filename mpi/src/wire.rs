//! The wire format: the 24-byte header in front of every fragment `mpi` hands
//! to the transport. Little-endian throughout; drawn in docs/mpi.md.
//!
//! `[context u16][flags u16][tag i32][source rank u32][total u32][offset u32][seq u32][payload]`

/// Bytes of the header at the start of every fragment.
pub const HEADER_LEN: usize = 24;

/// Flag bit: the sender hit an error in this collective and passes on data
/// that must not be used; the receiver reports [`Error::Peer`](crate::Error::Peer).
pub(crate) const FLAG_POISON: u16 = 1;

/// The header of one fragment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Header {
    /// The communicator's context id: messages of different communicators never match.
    pub(crate) context: u16,
    /// [`FLAG_POISON`] or 0.
    pub(crate) flags: u16,
    /// User tags are `0..=TAG_MAX`; collectives use negative tags.
    pub(crate) tag: i32,
    /// The sender's rank in the communicator.
    pub(crate) src_rank: u32,
    /// Length of the whole message in bytes.
    pub(crate) total: u32,
    /// Where this fragment's payload starts in the message.
    pub(crate) offset: u32,
    /// Message number on this (source core, destination core) pair, from 0.
    pub(crate) seq: u32,
}

impl Header {
    /// The header as it goes on the wire.
    pub(crate) fn encode(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[0..2].copy_from_slice(&self.context.to_le_bytes());
        out[2..4].copy_from_slice(&self.flags.to_le_bytes());
        out[4..8].copy_from_slice(&self.tag.to_le_bytes());
        out[8..12].copy_from_slice(&self.src_rank.to_le_bytes());
        out[12..16].copy_from_slice(&self.total.to_le_bytes());
        out[16..20].copy_from_slice(&self.offset.to_le_bytes());
        out[20..24].copy_from_slice(&self.seq.to_le_bytes());
        out
    }

    /// The header of a received frame, or `None` if the frame is too short.
    pub(crate) fn decode(frame: &[u8]) -> Option<Self> {
        let h = frame.get(..HEADER_LEN)?;
        let u16_at = |i: usize| u16::from_le_bytes([h[i], h[i + 1]]);
        let u32_at = |i: usize| u32::from_le_bytes([h[i], h[i + 1], h[i + 2], h[i + 3]]);
        Some(Self {
            context: u16_at(0),
            flags: u16_at(2),
            tag: u32_at(4) as i32,
            src_rank: u32_at(8),
            total: u32_at(12),
            offset: u32_at(16),
            seq: u32_at(20),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trips_and_is_little_endian() {
        let h = Header {
            context: 0x0102,
            flags: 1,
            tag: -3,
            src_rank: 7,
            total: 70_000,
            offset: 1000,
            seq: 9,
        };
        let bytes = h.encode();
        assert_eq!(bytes[0..2], [2, 1]);
        assert_eq!(bytes[4..8], [0xfd, 0xff, 0xff, 0xff]);
        assert_eq!(Header::decode(&bytes), Some(h));
        assert_eq!(Header::decode(&bytes[..23]), None);
    }
}
