//! Fragments: how a message is cut into buffer-sized pieces, the 8-byte header
//! each piece carries, and the check the receiver makes of that header.
//!
//! Every buffer holds one fragment: `[total: u32 LE][offset: u32 LE][payload]`.
//! `total` is the whole message's length, `offset` where this payload starts in
//! it. Every fragment but the last is full (`buf_size - 8` payload bytes), so a
//! message of `total` bytes takes `max(1, ceil(total / (buf_size - 8)))`
//! buffers, and `offset == 0` marks the first fragment of a message, always.
//! This is virtio-net's "mergeable receive buffers" idea (one packet over
//! several posted buffers, counted in a header) rather than descriptor chains:
//! the receiver posts the buffers, so the sender could not chain them anyway.

use crate::error::Fault;

/// Bytes of the fragment header at the start of every buffer.
pub const HEADER_LEN: usize = 8;

/// The longest message, in bytes: 64 KiB. With the default 1 KiB buffers it is
/// 65 fragments, more than a 64-entry ring holds, so it streams: the receiver
/// copies fragments out and re-posts their buffers while the sender fills more.
pub const MAX_MESSAGE: usize = 64 * 1024;

/// The header of one fragment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Header {
    /// Length of the whole message.
    pub(crate) total: u32,
    /// Where this fragment's payload starts in the message.
    pub(crate) offset: u32,
}

impl Header {
    /// The header as it is stored in the buffer.
    #[inline]
    pub(crate) fn encode(self) -> [u8; HEADER_LEN] {
        let mut out = [0; HEADER_LEN];
        out[..4].copy_from_slice(&self.total.to_le_bytes());
        out[4..].copy_from_slice(&self.offset.to_le_bytes());
        out
    }

    /// The header read back from a buffer.
    #[inline]
    pub(crate) fn decode(bytes: [u8; HEADER_LEN]) -> Self {
        let [t0, t1, t2, t3, o0, o1, o2, o3] = bytes;
        Self {
            total: u32::from_le_bytes([t0, t1, t2, t3]),
            offset: u32::from_le_bytes([o0, o1, o2, o3]),
        }
    }
}

/// Fragments (buffers) a message of `len` bytes takes, `cap` payload bytes each.
#[inline]
pub(crate) fn count(len: usize, cap: usize) -> usize {
    // Most messages fit one buffer: skip the division (tens of cycles) for them.
    if len <= cap { 1 } else { len.div_ceil(cap) }
}

/// Payload bytes of the fragment starting at `offset` of a `total`-byte message.
#[inline]
pub(crate) fn payload_len(total: usize, offset: usize, cap: usize) -> usize {
    (total - offset).min(cap)
}

/// Checks a fragment's header against its used length; returns the payload
/// length. Catches a header that lies about the message and a used length
/// that disagrees with the header. Whether the offset is the *expected* one is
/// the receiver's business (src/recv.rs), as it depends on what came before.
#[inline]
pub(crate) fn check(header: Header, used_len: u32, cap: usize) -> Result<usize, Fault> {
    let Header { total, offset } = header;
    if total as usize > MAX_MESSAGE {
        return Err(Fault::TotalTooLarge { total });
    }
    // Only an empty message has a fragment that starts at its end.
    if offset > total || (offset == total && total != 0) {
        return Err(Fault::OffsetPastEnd { offset, total });
    }
    let payload = payload_len(total as usize, offset as usize, cap);
    // Fits in u32: payload ≤ cap < buf_size ≤ 1 MiB.
    let expected = (HEADER_LEN + payload) as u32;
    if used_len != expected {
        return Err(Fault::LenMismatch {
            len: used_len,
            expected,
        });
    }
    Ok(payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trips() {
        let h = Header {
            total: 65536,
            offset: 1016,
        };
        assert_eq!(Header::decode(h.encode()), h);
    }

    #[test]
    fn counts_fragments() {
        assert_eq!(count(0, 1016), 1);
        assert_eq!(count(1016, 1016), 1);
        assert_eq!(count(1017, 1016), 2);
        assert_eq!(count(MAX_MESSAGE, 1016), 65);
    }

    #[test]
    fn check_accepts_real_fragments_and_rejects_lies() {
        let cap = 56;
        assert_eq!(
            check(
                Header {
                    total: 0,
                    offset: 0
                },
                8,
                cap
            ),
            Ok(0)
        );
        assert_eq!(
            check(
                Header {
                    total: 100,
                    offset: 56
                },
                52,
                cap
            ),
            Ok(44)
        );
        assert_eq!(
            check(
                Header {
                    total: 70_000,
                    offset: 0
                },
                64,
                cap
            ),
            Err(Fault::TotalTooLarge { total: 70_000 })
        );
        assert_eq!(
            check(
                Header {
                    total: 100,
                    offset: 100
                },
                8,
                cap
            ),
            Err(Fault::OffsetPastEnd {
                offset: 100,
                total: 100
            })
        );
        assert_eq!(
            check(
                Header {
                    total: 100,
                    offset: 0
                },
                40,
                cap
            ),
            Err(Fault::LenMismatch {
                len: 40,
                expected: 64
            })
        );
    }
}
