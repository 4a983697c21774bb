//! Decoding one frame (the bytes between two delimiters) into an owned
//! record: undo COBS, check the CRC, check a header's magic and version,
//! then let postcard parse. The streaming, resynchronising part is decoder.rs.

use core::fmt;

use crate::frame::{CRC_LEN, CRC32};
use crate::record::{MAGIC, OLDEST_VERSION, RecordBuf, VERSION};

/// What was wrong with a damaged frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// The COBS encoding is broken (a code byte points past the frame).
    Cobs,
    /// Fewer bytes than a CRC and a one-byte payload.
    TooShort,
    /// The CRC does not match the payload.
    Crc {
        /// The CRC the frame carries.
        stored: u32,
        /// The CRC of the payload as received.
        computed: u32,
    },
    /// A header whose magic is not [`MAGIC`]: not a ringlab trace.
    BadMagic,
    /// A header from a format version this decoder does not read.
    UnsupportedVersion(u16),
    /// The CRC matched but postcard could not parse a record.
    Payload,
    /// A record parsed but bytes were left over.
    TrailingBytes(usize),
    /// No delimiter within [`MAX_FRAME`](crate::MAX_FRAME) bytes (or the
    /// decoder's own limit): garbage, or a stream that lost its delimiters.
    TooLong,
    /// The input ended in the middle of a frame.
    Truncated,
    /// A block of raw records came before any header, so its clock rate is
    /// unknown (a viewer that joined late: the header comes every second).
    BlockBeforeHeader,
    /// A raw record's kind byte is not a kind, or it runs past its block.
    BadRawRecord,
    /// A record (or block) from a core the latest header does not have.
    CoreOutOfRange {
        /// The core it names.
        core: u16,
        /// The header's number of cores.
        cores: u16,
    },
}

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeErrorKind::Cobs => write!(f, "bad COBS encoding"),
            DecodeErrorKind::TooShort => write!(f, "frame too short"),
            DecodeErrorKind::Crc { stored, computed } => {
                write!(
                    f,
                    "CRC mismatch (stored {stored:08x}, computed {computed:08x})"
                )
            }
            DecodeErrorKind::BadMagic => write!(f, "header magic is not RLTR"),
            DecodeErrorKind::UnsupportedVersion(v) => {
                write!(
                    f,
                    "format version {v}: this reader reads versions {OLDEST_VERSION} to {VERSION}"
                )
            }
            DecodeErrorKind::Payload => write!(f, "CRC ok but the record does not parse"),
            DecodeErrorKind::TrailingBytes(n) => write!(f, "{n} bytes after the record"),
            DecodeErrorKind::TooLong => write!(f, "no delimiter within the frame limit"),
            DecodeErrorKind::Truncated => write!(f, "input ended inside a frame"),
            DecodeErrorKind::BlockBeforeHeader => {
                write!(f, "block of raw records before any header")
            }
            DecodeErrorKind::BadRawRecord => write!(f, "not a raw record"),
            DecodeErrorKind::CoreOutOfRange { core, cores } => {
                write!(
                    f,
                    "a record from core {core}, but the header has {cores} cores"
                )
            }
        }
    }
}

/// Decodes one frame, given without its delimiter. `encoded` is used as
/// scratch space (COBS is undone in place).
pub fn decode_frame(encoded: &mut [u8]) -> Result<RecordBuf, DecodeErrorKind> {
    let len = cobs::decode_in_place(encoded).map_err(|_| DecodeErrorKind::Cobs)?;
    let decoded = encoded.get(..len).ok_or(DecodeErrorKind::Cobs)?;
    if decoded.len() <= CRC_LEN {
        return Err(DecodeErrorKind::TooShort);
    }
    let (payload, crc) = decoded.split_at(decoded.len() - CRC_LEN);
    let stored = u32::from_le_bytes([crc[0], crc[1], crc[2], crc[3]]);
    let computed = CRC32.checksum(payload);
    if stored != computed {
        return Err(DecodeErrorKind::Crc { stored, computed });
    }
    check_header(payload)?;
    let (record, rest) =
        postcard::take_from_bytes::<RecordBuf>(payload).map_err(|_| DecodeErrorKind::Payload)?;
    if !rest.is_empty() {
        return Err(DecodeErrorKind::TrailingBytes(rest.len()));
    }
    Ok(record)
}

/// If `payload` is a header (variant 0), checks its magic and version before
/// the rest of it is parsed: a later version may lay out the rest otherwise.
fn check_header(payload: &[u8]) -> Result<(), DecodeErrorKind> {
    let Some((&0, rest)) = payload.split_first() else {
        return Ok(());
    };
    let (prefix, _) =
        postcard::take_from_bytes::<([u8; 4], u16)>(rest).map_err(|_| DecodeErrorKind::Payload)?;
    match prefix {
        (magic, _) if magic != MAGIC => Err(DecodeErrorKind::BadMagic),
        (_, version) if !(OLDEST_VERSION..=VERSION).contains(&version) => {
            Err(DecodeErrorKind::UnsupportedVersion(version))
        }
        _ => Ok(()),
    }
}
