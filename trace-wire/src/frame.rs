//! One frame: postcard bytes, then their CRC-32 (little-endian), all
//! COBS-encoded and ended by a 0x00. Encoding needs no heap; decoding one
//! frame into an owned record needs `alloc`. The stream decoder is decode.rs.

use crc::{CRC_32_ISO_HDLC, Crc};
use postcard::ser_flavors::crc::CrcModifier;
use postcard::ser_flavors::{Cobs, Slice};
use serde::Serialize;

use crate::record::Record;

/// The longest frame, delimiter included. Encoders must stay under it (the
/// kernel truncates long strings); the decoder skips longer runs as damage.
pub const MAX_FRAME: usize = 1024;

/// Bytes of CRC after the payload.
pub const CRC_LEN: usize = 4;

/// The frame delimiter. COBS guarantees it appears nowhere else.
pub const DELIMITER: u8 = 0x00;

/// CRC-32/ISO-HDLC (the zlib/Ethernet CRC) over the postcard bytes.
pub(crate) static CRC32: Crc<u32> = Crc::<u32>::new(&CRC_32_ISO_HDLC);

/// The largest frame a payload of `payload` bytes can become: the CRC, one
/// COBS code byte per 254 bytes plus the leading one, and the delimiter.
pub const fn max_frame_len(payload: usize) -> usize {
    let body = payload + CRC_LEN;
    body + body / 254 + 1 + 1
}

/// Why a record could not be encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// The output buffer is too small for this record.
    BufferFull,
    /// The frame fits the buffer but is longer than [`MAX_FRAME`].
    TooLong {
        /// The frame's length, delimiter included.
        len: usize,
    },
    /// serde refused the value (not expected for [`Record`]).
    Serialize,
}

impl core::fmt::Display for EncodeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            EncodeError::BufferFull => write!(f, "output buffer too small for the frame"),
            EncodeError::TooLong { len } => {
                write!(f, "frame of {len} bytes is over the {MAX_FRAME}-byte limit")
            }
            EncodeError::Serialize => write!(f, "record could not be serialised"),
        }
    }
}

impl core::error::Error for EncodeError {}

/// Encodes `record` as one complete frame (delimiter included) into `out`
/// and returns the frame. No heap: safe to call from the kernel's
/// subscriber with a stack buffer of [`MAX_FRAME`] bytes.
///
/// ```
/// use trace_wire::{encode_frame, Dropped, Record, RecordRef, MAX_FRAME};
///
/// let rec: RecordRef = Record::Dropped(Dropped { core: 2, ts_ns: 1_000, count: 5 });
/// let mut buf = [0u8; MAX_FRAME];
/// let frame = encode_frame(&rec, &mut buf).unwrap();
/// assert_eq!(frame.last(), Some(&0x00));
/// assert!(!frame[..frame.len() - 1].contains(&0x00));
/// ```
pub fn encode_frame<'b, S, F, V>(
    record: &Record<S, F, V>,
    out: &'b mut [u8],
) -> Result<&'b [u8], EncodeError>
where
    Record<S, F, V>: Serialize,
{
    let cobs = Cobs::try_new(Slice::new(out)).map_err(|_| EncodeError::BufferFull)?;
    let flavor = CrcModifier::new(cobs, CRC32.digest());
    let frame: &[u8] = postcard::serialize_with_flavor(record, flavor).map_err(|e| match e {
        postcard::Error::SerializeBufferFull => EncodeError::BufferFull,
        _ => EncodeError::Serialize,
    })?;
    if frame.len() > MAX_FRAME {
        return Err(EncodeError::TooLong { len: frame.len() });
    }
    Ok(frame)
}
