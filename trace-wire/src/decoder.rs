//! The streaming decoder: feed it bytes as they arrive, get records and
//! damage reports back. It splits at every 0x00, so after a damaged byte it
//! is back in step at the next delimiter, and it says what it skipped.

use alloc::vec::{IntoIter, Vec};
use core::fmt;

use crate::frame::MAX_FRAME;
use crate::raw::SLOT_BYTES;
use crate::rawdecode::RawDecoder;
use crate::record::{Block, Record, RecordBuf};
use crate::unframe::{DecodeErrorKind, decode_frame};

/// The longest block of raw records accepted (a longer one is damage).
pub const MAX_BLOCK: u32 = 16 << 20;

/// A block of raw records being read.
#[derive(Debug)]
struct PendingBlock {
    /// Its header.
    block: Block,
    /// Stream offset of its first byte.
    start: u64,
    /// Its bytes so far.
    bytes: Vec<u8>,
    /// Why the whole block is damage once read, if its core is not one of
    /// the header's ([`DecodeErrorKind::CoreOutOfRange`]).
    refused: Option<DecodeErrorKind>,
}

/// A stretch of the stream that did not decode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Stream offset of the stretch's first byte (0 = first byte pushed).
    pub offset: u64,
    /// Bytes skipped, not counting the delimiter that ended the stretch.
    pub len: u64,
    /// What was wrong.
    pub kind: DecodeErrorKind,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "skipped {} bytes at offset {}: {}",
            self.len, self.offset, self.kind
        )
    }
}

impl core::error::Error for DecodeError {}

/// What one decoder has seen so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecoderStats {
    /// Bytes pushed.
    pub bytes: u64,
    /// Records decoded.
    pub records: u64,
    /// Damaged stretches reported.
    pub damaged: u64,
    /// Bytes in those stretches.
    pub damaged_bytes: u64,
}

/// Turns a byte stream into records. Never panics on any input; every byte
/// ends up in a record, a delimiter, or a [`DecodeError`].
#[derive(Debug)]
pub struct Decoder {
    /// The current frame's bytes, at most `max_frame` of them.
    frame: Vec<u8>,
    /// Bytes the current frame has had, including any beyond `max_frame`.
    frame_len: u64,
    /// Stream offset of the current frame's first byte.
    frame_start: u64,
    /// Longest frame accepted, delimiter excluded.
    max_frame: usize,
    /// Totals.
    stats: DecoderStats,
    /// The block of raw records being read, if a `Block` frame announced one.
    block: Option<PendingBlock>,
    /// The clock rate of the latest header (raw records carry cycles).
    tsc_hz: Option<u64>,
    /// The number of cores of the latest header: a record from any other
    /// core is damage.
    cores: Option<u16>,
    /// Strings the raw records interned.
    raw: RawDecoder,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Decoder {
    /// A decoder that accepts frames up to [`MAX_FRAME`] bytes.
    pub fn new() -> Self {
        Self::with_max_frame(MAX_FRAME)
    }

    /// A decoder that accepts frames up to `max_frame` bytes (delimiter
    /// included; at least 8).
    pub fn with_max_frame(max_frame: usize) -> Self {
        let max_frame = max_frame.max(8) - 1;
        Self {
            frame: Vec::with_capacity(max_frame),
            frame_len: 0,
            frame_start: 0,
            max_frame,
            stats: DecoderStats::default(),
            block: None,
            tsc_hz: None,
            cores: None,
            raw: RawDecoder::default(),
        }
    }

    /// Decodes what `bytes` completes. A frame cut off at the end of `bytes`
    /// is kept and finished by a later push.
    pub fn push(&mut self, bytes: &[u8]) -> IntoIter<Result<RecordBuf, DecodeError>> {
        let mut out = Vec::new();
        let mut rest = bytes;
        while !rest.is_empty() {
            if self.block.is_some() {
                rest = self.extend_block(rest, &mut out);
                continue;
            }
            let Some(pos) = rest.iter().position(|&b| b == 0) else {
                self.extend(rest);
                break;
            };
            self.extend(&rest[..pos]);
            self.stats.bytes += 1;
            if let Some(result) = self.end_frame() {
                self.take(result, &mut out);
            }
            rest = &rest[pos + 1..];
        }
        out.into_iter()
    }

    /// Reports a frame or block left unfinished when the input ends, and resets.
    pub fn finish(&mut self) -> Option<DecodeError> {
        if let Some(pending) = self.block.take() {
            self.stats.damaged += 1;
            self.stats.damaged_bytes += pending.bytes.len() as u64;
            return Some(DecodeError {
                offset: pending.start,
                len: pending.bytes.len() as u64,
                kind: DecodeErrorKind::Truncated,
            });
        }
        if self.frame_len == 0 {
            return None;
        }
        Some(self.damaged(DecodeErrorKind::Truncated))
    }

    /// Hands a decoded frame on; a header's clock rate is kept, and a
    /// `Block` starts reading raw bytes instead of frames.
    fn take(
        &mut self,
        result: Result<RecordBuf, DecodeError>,
        out: &mut Vec<Result<RecordBuf, DecodeError>>,
    ) {
        if let Ok(Record::Block(_)) = result {
            self.stats.records -= 1; // framing, not a record
        }
        match result {
            Ok(Record::Block(block))
                if block.len % SLOT_BYTES as u32 == 0 && block.len <= MAX_BLOCK =>
            {
                // Read even from a foreign core, so that its raw bytes are
                // one damaged stretch rather than taken for frames.
                self.block = Some(PendingBlock {
                    block,
                    start: self.stats.bytes,
                    bytes: Vec::with_capacity(block.len as usize),
                    refused: self.foreign(block.core),
                });
            }
            Ok(Record::Block(_)) => {
                self.stats.damaged += 1;
                out.push(Err(DecodeError {
                    offset: self.stats.bytes,
                    len: 0,
                    kind: DecodeErrorKind::BadRawRecord,
                }));
            }
            Ok(Record::Header(header)) => {
                self.tsc_hz = Some(header.tsc_hz);
                self.cores = Some(header.cores);
                out.push(Ok(Record::Header(header)));
            }
            other => out.push(other),
        }
    }

    /// Adds raw bytes to the pending block; when it is whole, decodes it.
    /// Returns what is left of `bytes`.
    fn extend_block<'b>(
        &mut self,
        bytes: &'b [u8],
        out: &mut Vec<Result<RecordBuf, DecodeError>>,
    ) -> &'b [u8] {
        let pending = self.block.as_mut().expect("a block is pending");
        let want = pending.block.len as usize - pending.bytes.len();
        let (now, rest) = bytes.split_at(want.min(bytes.len()));
        pending.bytes.extend_from_slice(now);
        self.stats.bytes += now.len() as u64;
        if pending.bytes.len() == pending.block.len as usize {
            let pending = self.block.take().expect("a block is pending");
            self.decode_block(&pending, out);
        }
        rest
    }

    /// Turns a whole block into records (or damage reports).
    fn decode_block(
        &mut self,
        pending: &PendingBlock,
        out: &mut Vec<Result<RecordBuf, DecodeError>>,
    ) {
        let tsc_hz = match (&pending.refused, self.tsc_hz) {
            (None, Some(tsc_hz)) => tsc_hz,
            (refused, _) => {
                self.stats.damaged += 1;
                self.stats.damaged_bytes += pending.bytes.len() as u64;
                out.push(Err(DecodeError {
                    offset: pending.start,
                    len: pending.bytes.len() as u64,
                    kind: refused
                        .clone()
                        .unwrap_or(DecodeErrorKind::BlockBeforeHeader),
                }));
                return;
            }
        };
        let mut items = Vec::new();
        self.raw
            .block(pending.block.core, tsc_hz, &pending.bytes, &mut items);
        for item in items {
            out.push(match item {
                Ok(record) => {
                    self.stats.records += 1;
                    Ok(record)
                }
                Err(at) => {
                    self.stats.damaged += 1;
                    self.stats.damaged_bytes += SLOT_BYTES as u64;
                    Err(DecodeError {
                        offset: pending.start + at as u64,
                        len: SLOT_BYTES as u64,
                        kind: DecodeErrorKind::BadRawRecord,
                    })
                }
            });
        }
    }

    /// The stream offset of the next byte to be pushed.
    pub fn offset(&self) -> u64 {
        self.stats.bytes
    }

    /// Totals so far.
    pub fn stats(&self) -> DecoderStats {
        self.stats
    }

    /// Adds bytes (no delimiter among them) to the current frame.
    fn extend(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        if self.frame_len == 0 {
            self.frame_start = self.stats.bytes;
        }
        let room = self.max_frame.saturating_sub(self.frame.len());
        self.frame
            .extend_from_slice(&bytes[..bytes.len().min(room)]);
        self.frame_len += bytes.len() as u64;
        self.stats.bytes += bytes.len() as u64;
    }

    /// A delimiter arrived: decodes the current frame, if there is one.
    /// Two delimiters in a row make an empty frame, which is only padding.
    fn end_frame(&mut self) -> Option<Result<RecordBuf, DecodeError>> {
        if self.frame_len == 0 {
            return None;
        }
        if self.frame_len > self.max_frame as u64 {
            return Some(Err(self.damaged(DecodeErrorKind::TooLong)));
        }
        match decode_frame(&mut self.frame) {
            Ok(record) => {
                // A block's core is judged once its bytes are read (`take`).
                if let Some(kind) = record.core().and_then(|core| self.foreign(core))
                    && !matches!(record, Record::Block(_))
                {
                    return Some(Err(self.damaged(kind)));
                }
                self.stats.records += 1;
                self.reset();
                Some(Ok(record))
            }
            Err(kind) => Some(Err(self.damaged(kind))),
        }
    }

    /// Why a record from `core` is damage: the latest header has no such
    /// core. `None` when it has, or before any header.
    fn foreign(&self, core: u16) -> Option<DecodeErrorKind> {
        let cores = self.cores?;
        (core >= cores).then_some(DecodeErrorKind::CoreOutOfRange { core, cores })
    }

    /// Reports the current frame as damaged and starts a new one.
    fn damaged(&mut self, kind: DecodeErrorKind) -> DecodeError {
        let err = DecodeError {
            offset: self.frame_start,
            len: self.frame_len,
            kind,
        };
        self.stats.damaged += 1;
        self.stats.damaged_bytes += self.frame_len;
        self.reset();
        err
    }

    /// Forgets the current frame.
    fn reset(&mut self) {
        self.frame.clear();
        self.frame_len = 0;
    }
}
