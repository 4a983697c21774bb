//! Raw records: the fixed 64-byte slots a core writes into its own ring with
//! plain stores (no encoding on the hot path), and their layout. Turning them
//! back into [`Record`](crate::Record)s is the consumer's job (rawdecode.rs).
//!
//! ```text
//! word  bits    head slot (every record)          extension slot (more than 5 wide values)
//! 0     0..64   ts: TSC cycles since boot         value 5
//! 1     0..16   callsite id                       value 6
//!       16..24  kind (RawKind; 0 = not a record)
//!       24..31  values: 1 + highest field index recorded (0..=8)
//!       31      narrow: values are 32 bits, two to a word
//!       32..64  span: own span id, or an event's parent (0 = none)
//! 2     0..32   parent: a new span's parent (0 = none)        value 7
//!       32..64  types: 4 bits per field 0..7 (ValueType)
//! 3..8          values 0..4 (narrow: 0..7, and 0)  (unused)
//! ```
//!
//! A wide value is the field's index-th word (word 3 + index, running on
//! into the extension slot). A narrow record (since stream version 3) has
//! no extension slot: value i is the low (i even) or high (i odd) half of
//! word 3 + i/2, an `I64` one sign-extended from its 32 bits, and word 7
//! is 0. A string value is the id of a [`RawKind::String`]
//! record the same core wrote earlier: kind 7, `span` = string id,
//! `parent` = its length in bytes, `values` = extension slots that follow,
//! its UTF-8 bytes from byte 24 on.

/// Bytes per slot: one cache line.
pub const SLOT_BYTES: usize = 64;
/// 64-bit words per slot.
pub const SLOT_WORDS: usize = SLOT_BYTES / 8;
/// One slot.
pub type Slot = [u64; SLOT_WORDS];
/// Values held in the head slot.
pub const HEAD_VALUES: usize = 5;
/// Most fields recorded per record; later fields of a callsite are ignored.
pub const MAX_VALUES: usize = 8;
/// Word of value 0.
const FIRST_VALUE_WORD: usize = 3;
/// Byte where a string record's text starts.
pub const TEXT_START: usize = FIRST_VALUE_WORD * 8;
/// Word 1's bit that marks a narrow record.
const NARROW_BIT: u64 = 1 << 31;
/// Word 1's bits that count the values.
const COUNT_MASK: u64 = 0x7F;
/// Most extension slots a string record takes.
pub const MAX_STRING_EXTRA_SLOTS: usize = 3;
/// Longest string text a record carries; longer strings are cut.
pub const MAX_STRING: usize = (1 + MAX_STRING_EXTRA_SLOTS) * SLOT_BYTES - TEXT_START;

/// What a raw record is. 0 is never written, so a zeroed slot is no record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum RawKind {
    /// An event: `span` is its parent.
    Event = 1,
    /// A span was created: `span` is its id, `parent` its parent.
    SpanNew = 2,
    /// Values recorded on span `span`.
    SpanValues = 3,
    /// The core entered span `span`.
    SpanEnter = 4,
    /// The core left span `span`.
    SpanExit = 5,
    /// Span `span` was closed.
    SpanClose = 6,
    /// An interned string: `span` is its id (see the module docs).
    String = 7,
}

impl RawKind {
    /// The kind stored as `byte`, if it is one.
    pub fn from_byte(byte: u8) -> Option<Self> {
        Some(match byte {
            1 => RawKind::Event,
            2 => RawKind::SpanNew,
            3 => RawKind::SpanValues,
            4 => RawKind::SpanEnter,
            5 => RawKind::SpanExit,
            6 => RawKind::SpanClose,
            7 => RawKind::String,
            _ => return None,
        })
    }
}

/// The type of one value, 4 bits in the head slot's `types`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ValueType {
    /// The field was given no value.
    Absent = 0,
    /// `u64`.
    U64 = 1,
    /// `i64`, two's complement.
    I64 = 2,
    /// `bool`: 0 or 1.
    Bool = 3,
    /// `f64` bits.
    F64 = 4,
    /// The id of a string record.
    Str = 5,
}

impl ValueType {
    /// The type an integer field is recorded with: [`ValueType::I64`] if
    /// `signed`, else [`ValueType::U64`] (narrow ones too: their values
    /// are widened to these on reading).
    pub const fn integer(signed: bool) -> Self {
        if signed {
            ValueType::I64
        } else {
            ValueType::U64
        }
    }
}

/// A record being built on the producer's stack: a head slot and an
/// extension slot, copied into the ring whole ([`RawRecord::slots`]).
#[derive(Clone, Copy, Debug)]
#[repr(C, align(64))]
pub struct RawRecord {
    /// The two slots' words.
    pub words: [u64; 2 * SLOT_WORDS],
}

impl RawRecord {
    /// A record of `kind` with no values yet.
    #[inline]
    pub fn new(kind: RawKind, callsite: u16, ts: u64, span: u32, parent: u32) -> Self {
        let mut words = [0; 2 * SLOT_WORDS];
        words[0] = ts;
        words[1] = u64::from(callsite) | (kind as u64) << 16 | u64::from(span) << 32;
        words[2] = u64::from(parent);
        RawRecord { words }
    }

    /// Stores field `index`'s value; an index of [`MAX_VALUES`] or more is
    /// ignored.
    #[inline]
    pub fn set(&mut self, index: usize, ty: ValueType, value: u64) {
        if index >= MAX_VALUES {
            return;
        }
        self.words[FIRST_VALUE_WORD + index] = value;
        let shift = 32 + 4 * index;
        self.words[2] = (self.words[2] & !(0xF << shift)) | (ty as u64) << shift;
        let count = (self.words[1] >> 24) & COUNT_MASK;
        if index as u64 >= count {
            self.words[1] = (self.words[1] & !(COUNT_MASK << 24)) | (index as u64 + 1) << 24;
        }
    }

    /// The slots to copy into the ring: one, or two with more than
    /// [`HEAD_VALUES`] values.
    #[inline]
    pub fn slots(&self) -> &[u64] {
        let count = ((self.words[1] >> 24) & COUNT_MASK) as usize;
        let slots = if count > HEAD_VALUES { 2 } else { 1 };
        &self.words[..slots * SLOT_WORDS]
    }
}

/// The parts of an integer record's header that are the same for every
/// record of one callsite: kind, callsite id, value count and value types,
/// in the bits where the head slot keeps them (word 1's low half, word 2's
/// high half). A writer computes it once per callsite (the kernel when it
/// turns a probe on) and per record only adds the time stamp and span ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout(u64);

impl Layout {
    /// The layout of a record of `kind` from `callsite` with `count` values
    /// (at most [`MAX_VALUES`] are kept), value i [`ValueType::I64`] when
    /// bit i of `signed` is set and [`ValueType::U64`] otherwise.
    pub const fn new(kind: RawKind, callsite: u16, count: usize, signed: u32) -> Self {
        let count = if count < MAX_VALUES {
            count
        } else {
            MAX_VALUES
        };
        let mut types = 0;
        let mut i = 0;
        while i < count {
            let ty = ValueType::integer(signed >> i & 1 == 1);
            types |= (ty as u64) << (4 * i);
            i += 1;
        }
        Layout(callsite as u64 | (kind as u64) << 16 | (count as u64) << 24 | types << 32)
    }

    /// The same layout for a narrow record: every value 32 bits, two to a
    /// word, so up to [`MAX_VALUES`] fit the head slot.
    pub const fn narrow(self) -> Self {
        Layout(self.0 | NARROW_BIT)
    }

    /// Whether its records are narrow.
    #[inline(always)]
    pub const fn is_narrow(self) -> bool {
        self.0 & NARROW_BIT != 0
    }

    /// The layout as one word, never 0 (a kind is never 0): what a probe
    /// can carry as its tag.
    pub const fn bits(self) -> u64 {
        self.0
    }

    /// The layout whose [`bits`](Self::bits) are `bits`. A word that no
    /// `new` made gives records the decoder refuses or misreads, never
    /// memory unsafety.
    pub const fn from_bits(bits: u64) -> Self {
        Layout(bits)
    }

    /// Its callsite id.
    pub const fn callsite(self) -> u16 {
        self.0 as u16
    }

    /// Whether its records take an extension slot (more than
    /// [`HEAD_VALUES`] wide values).
    #[inline(always)]
    pub const fn needs_extension(self) -> bool {
        !self.is_narrow() && ((self.0 >> 24) & COUNT_MASK) as usize > HEAD_VALUES
    }
}

/// The low 32 bits of a word.
const LOW: u64 = 0xFFFF_FFFF;

/// A record whose values are all integers, written straight into the ring's
/// slots ([`Integers::write`]) instead of built elsewhere and copied: what a
/// probe writes, with straight-line stores and no branch per value.
#[derive(Clone, Copy, Debug)]
pub struct Integers<'a> {
    /// Kind, callsite id, count and types of the values.
    pub layout: Layout,
    /// Time stamp: TSC cycles since boot.
    pub ts: u64,
    /// Own span id, or an event's parent.
    pub span: u32,
    /// A new span's parent (0 = none).
    pub parent: u32,
    /// The values, then zeros up to [`MAX_VALUES`]; the layout's count of
    /// them are the record's.
    pub values: &'a [u64; MAX_VALUES],
}

impl Integers<'_> {
    /// Whether the record takes an extension slot.
    #[inline(always)]
    pub fn needs_extension(&self) -> bool {
        self.layout.needs_extension()
    }

    /// Writes the record: every word of `slot`, and of `extension` when
    /// [`Integers::needs_extension`] (its unused words zeroed, so a slot
    /// carries nothing of the record it replaced). Its layout is not
    /// narrow (a narrow record is a [`Narrow`]).
    #[inline(always)]
    pub fn write(&self, slot: &mut Slot, extension: Option<&mut Slot>) {
        debug_assert!(!self.layout.is_narrow(), "a narrow record is a Narrow");
        write_head(slot, self.layout, self.ts, self.span, self.parent);
        slot[FIRST_VALUE_WORD..].copy_from_slice(&self.values[..HEAD_VALUES]);
        if let Some(extension) = extension {
            extension[..MAX_VALUES - HEAD_VALUES].copy_from_slice(&self.values[HEAD_VALUES..]);
            extension[MAX_VALUES - HEAD_VALUES..].fill(0);
        }
    }
}

/// A narrow event, its values already packed two to a word (value 2i in
/// the low half of word i, value 2i + 1 in the high half), as a narrow
/// probe hands them over: written into one slot. (Only events are narrow,
/// so it has no parent field of its own.)
#[derive(Clone, Copy, Debug)]
pub struct Narrow {
    /// Kind (an event), callsite id, count and types of the values; narrow.
    pub layout: Layout,
    /// Time stamp: TSC cycles since boot.
    pub ts: u64,
    /// The event's parent span (0 = none).
    pub span: u32,
    /// The packed values, zeros past the last.
    pub words: [u64; MAX_VALUES / 2],
}

impl Narrow {
    /// Writes the record: every word of `slot`.
    #[inline(always)]
    pub fn write(&self, slot: &mut Slot) {
        debug_assert!(self.layout.is_narrow(), "a Narrow's layout is narrow");
        write_head(slot, self.layout, self.ts, self.span, 0);
        slot[FIRST_VALUE_WORD..SLOT_WORDS - 1].copy_from_slice(&self.words);
        slot[SLOT_WORDS - 1] = 0;
    }
}

/// Words 0 to 2 of a head slot.
#[inline(always)]
fn write_head(slot: &mut Slot, layout: Layout, ts: u64, span: u32, parent: u32) {
    slot[0] = ts;
    slot[1] = (layout.0 & LOW) | u64::from(span) << 32;
    slot[2] = (layout.0 & !LOW) | u64::from(parent);
}

/// The slots of a string record for `text` (cut at [`MAX_STRING`] bytes on
/// a character boundary) with id `id`, written into `out`; returns how many
/// slots it uses.
pub fn string_record(id: u32, ts: u64, text: &str, out: &mut [Slot; 4]) -> usize {
    let mut cut = text.len().min(MAX_STRING);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let bytes = &text.as_bytes()[..cut];
    let slots = (TEXT_START + bytes.len()).div_ceil(SLOT_BYTES).max(1);
    for slot in out.iter_mut() {
        *slot = [0; SLOT_WORDS];
    }
    out[0][0] = ts;
    out[0][1] = (RawKind::String as u64) << 16 | ((slots - 1) as u64) << 24 | u64::from(id) << 32;
    out[0][2] = bytes.len() as u64;
    for (i, &byte) in bytes.iter().enumerate() {
        let at = TEXT_START + i;
        let (slot, word, shift) = (at / SLOT_BYTES, at % SLOT_BYTES / 8, at % 8 * 8);
        out[slot][word] |= u64::from(byte) << shift;
    }
    slots
}

/// The fields of a head slot, read back (the consumer's side).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawHead {
    /// TSC cycles since boot.
    pub ts: u64,
    /// Callsite id.
    pub callsite: u16,
    /// The kind byte (see [`RawKind::from_byte`]).
    pub kind: u8,
    /// Values (or, for a string, extension slots).
    pub count: u8,
    /// Whether the values are narrow (32 bits, two to a word).
    pub narrow: bool,
    /// Span id (own or parent).
    pub span: u32,
    /// Parent span of a new span; a string's length.
    pub parent: u32,
    /// 4 bits per value.
    pub types: u32,
}

impl RawHead {
    /// Reads the head fields of `slot`.
    pub fn read(slot: &Slot) -> Self {
        RawHead {
            ts: slot[0],
            callsite: slot[1] as u16,
            kind: (slot[1] >> 16) as u8,
            count: ((slot[1] >> 24) & COUNT_MASK) as u8,
            narrow: slot[1] & NARROW_BIT != 0,
            span: (slot[1] >> 32) as u32,
            parent: slot[2] as u32,
            types: (slot[2] >> 32) as u32,
        }
    }

    /// Slots this record takes, head included.
    pub fn slots(&self) -> usize {
        match RawKind::from_byte(self.kind) {
            Some(RawKind::String) => 1 + usize::from(self.count),
            _ if !self.narrow && usize::from(self.count) > HEAD_VALUES => 2,
            _ => 1,
        }
    }

    /// The type of value `index`, as its 4 bits.
    pub fn value_type(&self, index: usize) -> u32 {
        (self.types >> (4 * index)) & 0xF
    }

    /// Value `index` of this record, whose slots are `words` (head, then
    /// extension): a narrow one widened (sign-extended when its type is
    /// [`ValueType::I64`]).
    pub fn value(&self, words: &[u64], index: usize) -> Option<u64> {
        if !self.narrow {
            return words.get(FIRST_VALUE_WORD + index).copied();
        }
        let half = (words.get(FIRST_VALUE_WORD + index / 2)? >> (32 * (index % 2))) as u32;
        Some(if self.value_type(index) == ValueType::I64 as u32 {
            i64::from(half as i32) as u64
        } else {
            u64::from(half)
        })
    }
}

/// The text of a string record whose slots are `words`.
pub fn string_text(words: &[u64], len: usize) -> impl Iterator<Item = u8> + '_ {
    (TEXT_START..TEXT_START + len)
        .map(move |at| (words.get(at / 8).copied().unwrap_or(0) >> (at % 8 * 8)) as u8)
}

#[cfg(test)]
mod tests {
    extern crate std;

    use std::vec::Vec;

    use super::*;

    #[test]
    fn a_record_with_few_values_takes_one_slot() {
        let mut r = RawRecord::new(RawKind::Event, 3, 1000, 7, 0);
        r.set(0, ValueType::U64, 1);
        r.set(4, ValueType::Bool, 1);
        assert_eq!(r.slots().len(), SLOT_WORDS);
        let head = RawHead::read(r.slots()[..8].try_into().unwrap());
        assert_eq!(
            (head.callsite, head.kind, head.count, head.span),
            (3, 1, 5, 7)
        );
        assert_eq!(head.types, 1 | 3 << 16);
    }

    #[test]
    fn a_sixth_value_adds_the_extension_slot() {
        let mut r = RawRecord::new(RawKind::SpanNew, 1, 0, 2, 1);
        r.set(7, ValueType::I64, 5);
        r.set(8, ValueType::U64, 9); // beyond MAX_VALUES: ignored
        assert_eq!(r.slots().len(), 2 * SLOT_WORDS);
        let head = RawHead::read(r.slots()[..8].try_into().unwrap());
        assert_eq!((head.count, head.narrow), (8, false));
        assert_eq!(head.value(r.slots(), 7), Some(5));
    }

    /// What [`Integers::write`] puts in the slots, as [`RawRecord::set`]
    /// would build it value by value.
    fn written(record: &Integers<'_>) -> Vec<u64> {
        let mut slots = [[u64::MAX; SLOT_WORDS]; 2]; // stale words, to be overwritten
        let [slot, extension] = &mut slots;
        let two = record.needs_extension();
        record.write(slot, two.then_some(extension));
        slots.as_flattened()[..if two { 16 } else { 8 }].to_vec()
    }

    #[test]
    fn integers_write_every_value_and_type_in_place() {
        let values = [1, u64::MAX, 3, 4, 5, 6, 7, 0];
        let record = Integers {
            layout: Layout::new(RawKind::Event, 9, 7, 0b10),
            ts: 77,
            span: 5,
            parent: 0,
            values: &values,
        };
        let mut slow = RawRecord::new(RawKind::Event, 9, 77, 5, 0);
        for (index, &value) in values[..7].iter().enumerate() {
            let ty = if index == 1 {
                ValueType::I64
            } else {
                ValueType::U64
            };
            slow.set(index, ty, value);
        }
        assert_eq!(written(&record), slow.slots());
        let none = Integers {
            layout: Layout::new(RawKind::SpanEnter, 0, 0, 0),
            ts: 1,
            span: 2,
            values: &[0; MAX_VALUES],
            ..record
        };
        assert_eq!(
            written(&none),
            RawRecord::new(RawKind::SpanEnter, 0, 1, 2, 0).slots()
        );
        let span = Integers {
            layout: Layout::new(RawKind::SpanNew, 3, 1, 0),
            parent: 4,
            values: &[1, 0, 0, 0, 0, 0, 0, 0],
            ..record
        };
        let mut slow = RawRecord::new(RawKind::SpanNew, 3, 77, 5, 4);
        slow.set(0, ValueType::U64, 1);
        assert_eq!(written(&span), slow.slots());
        let signed_beyond_count = Integers {
            layout: Layout::new(RawKind::Event, 9, 2, 0xFF),
            ..record
        };
        let head = RawHead::read(written(&signed_beyond_count)[..8].try_into().unwrap());
        assert_eq!((head.count, head.types), (2, 2 | 2 << 4));
    }

    #[test]
    fn a_narrow_record_holds_seven_values_in_its_head_slot() {
        let layout = Layout::new(RawKind::Event, 9, 7, 0b10).narrow();
        assert!(
            !layout.needs_extension(),
            "seven narrow values fit one slot"
        );
        let record = Narrow {
            layout,
            ts: 77,
            span: 5,
            // Values 1, -5, 3, 4, 5, 6 and u32::MAX, two to a word.
            words: [1 | 0xFFFF_FFFB << 32, 3 | 4 << 32, 5 | 6 << 32, 0xFFFF_FFFF],
        };
        let mut slot = [u64::MAX; SLOT_WORDS]; // stale words, to be overwritten
        record.write(&mut slot);
        assert_eq!(slot[SLOT_WORDS - 1], 0, "the unused word is cleared");
        let head = RawHead::read(&slot);
        assert_eq!((head.count, head.narrow, head.slots()), (7, true, 1));
        assert_eq!((head.ts, head.callsite, head.span), (77, 9, 5));
        let read: Vec<u64> = (0..7).map(|i| head.value(&slot, i).unwrap()).collect();
        let expected = [1, (-5i64) as u64, 3, 4, 5, 6, u64::from(u32::MAX)];
        assert_eq!(read, expected, "the I64 sign-extended, the U64 not");
        let wide = Layout::new(RawKind::Event, 9, 7, 0b10);
        assert!(!wide.is_narrow() && wide.needs_extension());
        assert_eq!(wide.narrow().callsite(), 9);
    }

    #[test]
    fn a_layout_keeps_its_parts_and_caps_the_count() {
        let layout = Layout::new(RawKind::SpanNew, 0xBEEF, 6, 0);
        assert_eq!(Layout::from_bits(layout.bits()), layout);
        assert_eq!(layout.callsite(), 0xBEEF);
        assert!(layout.needs_extension());
        assert!(!Layout::new(RawKind::Event, 1, HEAD_VALUES, 0).needs_extension());
        let capped = Layout::new(RawKind::Event, 1, 12, 0);
        assert_eq!(capped, Layout::new(RawKind::Event, 1, MAX_VALUES, 0));
        assert_ne!(Layout::new(RawKind::Event, 0, 0, 0).bits(), 0, "never 0");
    }

    #[test]
    fn strings_round_trip_and_are_cut_on_a_character_boundary() {
        let mut out = [[0; SLOT_WORDS]; 4];
        let n = string_record(4, 0, "linear", &mut out);
        assert_eq!(n, 1);
        let words: Vec<u64> = out.iter().flatten().copied().collect();
        let text: Vec<u8> = string_text(&words, 6).collect();
        assert_eq!(text, b"linear");
        let long = "é".repeat(200);
        let n = string_record(5, 0, &long, &mut out);
        assert_eq!(n, 4);
        let len = RawHead::read(&out[0]).parent as usize;
        assert!(len <= MAX_STRING && len.is_multiple_of(2));
    }
}
