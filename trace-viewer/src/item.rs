//! What a decoded stream is made of, for everything downstream: a record,
//! or a report of bytes that could not be decoded. Also decodes a whole
//! byte buffer (a recorded file) at once.

use trace_wire::{DecodeError, Decoder, RecordBuf};

/// One thing decoded from the stream.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// A record that decoded.
    Record(RecordBuf),
    /// A stretch of bytes that did not.
    Damaged(DecodeError),
}

impl From<Result<RecordBuf, DecodeError>> for Item {
    fn from(r: Result<RecordBuf, DecodeError>) -> Self {
        match r {
            Ok(rec) => Item::Record(rec),
            Err(e) => Item::Damaged(e),
        }
    }
}

/// Decodes all of `bytes`, reporting a frame cut off at the end as
/// truncated. Never fails: damage becomes [`Item::Damaged`].
pub fn decode_all(bytes: &[u8]) -> Vec<Item> {
    let mut dec = Decoder::new();
    let mut items: Vec<Item> = dec.push(bytes).map(Item::from).collect();
    items.extend(dec.finish().map(Item::Damaged));
    items
}
