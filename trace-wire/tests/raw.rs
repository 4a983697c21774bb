//! Version 2 and 3 streams: blocks of raw 64-byte records after a `Block`
//! frame, decoded into the same records version 1 framed one by one;
//! strings interned once; narrow records widened; damage inside or before
//! a block reported, not fatal.

use trace_wire::raw::{
    Integers, Layout, Narrow, RawKind, RawRecord, SLOT_WORDS, Slot, ValueType, string_record,
};
use trace_wire::{
    Block, DecodeErrorKind, Decoder, Field, Header, MAX_FRAME, Record, RecordBuf, RecordRef,
    SpanMark, Value, encode_frame,
};

const TSC_HZ: u64 = 2_000_000_000;

fn frame(record: &RecordRef<'_>) -> Vec<u8> {
    let mut buf = [0u8; MAX_FRAME];
    encode_frame(record, &mut buf).unwrap().to_vec()
}

fn header() -> Vec<u8> {
    frame(&Record::Header(Header::new(TSC_HZ, 2, "test")))
}

/// A `Block` frame and its raw bytes.
fn block(core: u16, words: &[u64]) -> Vec<u8> {
    let mut out = frame(&Record::Block(Block {
        core,
        len: (words.len() * 8) as u32,
    }));
    out.extend(words.iter().flat_map(|w| w.to_le_bytes()));
    out
}

/// Core 1's raw records: the string "linear", a span using it, a seven-field
/// event inside the span (two slots), then enter and close.
fn core1_words() -> Vec<u64> {
    let mut words = Vec::new();
    let mut strings = [[0; SLOT_WORDS]; 4];
    let n = string_record(0x0200_0001, 10, "linear", &mut strings);
    words.extend(strings[..n].iter().flatten());
    let mut span = RawRecord::new(RawKind::SpanNew, 4, 2_000, 9, 0);
    span.set(0, ValueType::U64, 3);
    span.set(4, ValueType::Str, 0x0200_0001);
    words.extend_from_slice(span.slots());
    let mut event = RawRecord::new(RawKind::Event, 2, 4_000, 9, 0);
    for idx in 0..7 {
        event.set(idx, ValueType::U64, 100 + idx as u64);
    }
    event.set(1, ValueType::I64, -5i64 as u64);
    words.extend_from_slice(event.slots());
    words.extend_from_slice(RawRecord::new(RawKind::SpanEnter, 0, 6_000, 9, 0).slots());
    words.extend_from_slice(RawRecord::new(RawKind::SpanClose, 0, 8_000, 9, 0).slots());
    words
}

fn decode(stream: &[u8], chunk: usize) -> (Vec<RecordBuf>, Vec<trace_wire::DecodeError>) {
    let mut dec = Decoder::new();
    let (mut records, mut damage) = (Vec::new(), Vec::new());
    for piece in stream.chunks(chunk) {
        for item in dec.push(piece) {
            match item {
                Ok(r) => records.push(r),
                Err(e) => damage.push(e),
            }
        }
    }
    damage.extend(dec.finish());
    (records, damage)
}

#[test]
fn a_block_decodes_into_events_and_spans_in_any_chunking() {
    let mut stream = header();
    stream.extend(block(1, &core1_words()));
    stream.extend(frame(&Record::Dropped(trace_wire::Dropped {
        core: 1,
        ts_ns: 5,
        count: 2,
    })));
    for chunk in [1, 7, 64, 4096] {
        let (records, damage) = decode(&stream, chunk);
        assert!(damage.is_empty(), "{damage:?}");
        assert_eq!(
            records.len(),
            6,
            "header, span, event, enter, close, dropped"
        );
        let Record::SpanNew(span) = &records[1] else {
            panic!("{:?}", records[1])
        };
        assert_eq!(
            (span.core, span.ts_ns, span.span, span.callsite),
            (1, 1_000, 9, 4)
        );
        assert_eq!(span.parent, None);
        assert_eq!(span.values[1].value, Value::Str("linear".to_string()));
        let Record::Event(event) = &records[2] else {
            panic!("{:?}", records[2])
        };
        assert_eq!(event.parent, Some(9));
        assert_eq!(event.values.len(), 7);
        assert_eq!(
            event.values[1],
            Field {
                idx: 1,
                value: Value::I64(-5)
            }
        );
        assert_eq!(
            event.values[6],
            Field {
                idx: 6,
                value: Value::U64(106)
            }
        );
        assert!(matches!(records[3], Record::SpanEnter(m) if m.span == 9 && m.ts_ns == 3_000));
        assert!(matches!(records[5], Record::Dropped(_)));
    }
}

#[test]
fn a_narrow_event_decodes_to_the_same_values_as_a_wide_one() {
    let values = [7, 1, 64, 1, 12, 40_000, (-3i64) as u64, 0];
    let layout = Layout::new(RawKind::Event, 2, 7, 1 << 6);
    let mut slots: [Slot; 3] = [[u64::MAX; SLOT_WORDS]; 3];
    let [head, extension, narrow] = &mut slots;
    let wide = Integers {
        layout,
        ts: 4_000,
        span: 9,
        parent: 0,
        values: &values,
    };
    wide.write(head, Some(extension));
    let packed = Narrow {
        layout: layout.narrow(),
        ts: 4_000,
        span: 9,
        // Packed as a narrow probe hands its values to the kernel's sink,
        // which stores the words as they come.
        words: probe::pack(&values),
    };
    packed.write(narrow);
    let words = slots.as_flattened();
    let mut stream = header();
    stream.extend(block(1, words));
    let (records, damage) = decode(&stream, 13);
    assert!(damage.is_empty(), "{damage:?}");
    let [Record::Event(wide), Record::Event(narrow)] = &records[1..] else {
        panic!("{records:?}")
    };
    assert_eq!(wide, narrow);
    assert_eq!(narrow.values[6].value, Value::I64(-3));
    assert_eq!(narrow.values[5].value, Value::U64(40_000));
}

/// Files from older versions read as they did: version 2's raw records
/// (never narrow) decode as version 3's, version 1's framed events too.
#[test]
fn streams_of_older_versions_still_decode() {
    let current = {
        let mut stream = header();
        stream.extend(block(1, &core1_words()));
        decode(&stream, 4096)
    };
    let older = |version: u16| {
        let mut stream = frame(&Record::Header(Header {
            version,
            ..Header::new(TSC_HZ, 2, "test")
        }));
        stream.extend(block(1, &core1_words()));
        decode(&stream, 4096)
    };
    let (records, damage) = older(2);
    assert!(damage.is_empty(), "{damage:?}");
    assert_eq!(
        records[1..],
        current.0[1..],
        "the same records after the header"
    );
    let values = [Field {
        idx: 0,
        value: Value::U64(64),
    }];
    let event: RecordRef = Record::Event(trace_wire::Event {
        core: 1,
        ts_ns: 52_000,
        callsite: 3,
        parent: None,
        values: &values,
    });
    let mut stream = frame(&Record::Header(Header {
        version: 1,
        ..Header::new(TSC_HZ, 2, "test")
    }));
    stream.extend(frame(&event));
    let (records, damage) = decode(&stream, 7);
    assert!(damage.is_empty(), "{damage:?}");
    assert!(
        matches!(&records[1], Record::Event(e) if e.ts_ns == 52_000 && e.values[0].value == Value::U64(64)),
        "{records:?}"
    );
}

#[test]
fn a_block_before_any_header_is_reported_and_the_stream_goes_on() {
    let mut stream = block(1, &core1_words());
    stream.extend(header());
    stream.extend(block(1, &core1_words()));
    let (records, damage) = decode(&stream, 100);
    assert_eq!(damage.len(), 1);
    assert_eq!(damage[0].kind, DecodeErrorKind::BlockBeforeHeader);
    assert_eq!(
        records.len(),
        5,
        "the header and the second block's four records"
    );
}

#[test]
fn a_slot_that_is_no_record_is_damage_and_the_rest_of_the_block_decodes() {
    let mut words = vec![0u64; SLOT_WORDS]; // kind 0: never a record
    words.extend(RawRecord::new(RawKind::SpanExit, 0, 0, 3, 0).slots());
    let mut stream = header();
    stream.extend(block(0, &words));
    let (records, damage) = decode(&stream, 4096);
    assert_eq!(damage.len(), 1);
    assert_eq!(damage[0].kind, DecodeErrorKind::BadRawRecord);
    assert_eq!(damage[0].len, 64);
    assert!(matches!(records[1], Record::SpanExit(m) if m.span == 3));
}

#[test]
fn a_string_whose_length_runs_past_its_slots_is_damage_not_read() {
    for len in [u64::from(u32::MAX), 1 << 24, 41] {
        let mut strings = [[0; SLOT_WORDS]; 4];
        let n = string_record(0x0200_0001, 10, "linear", &mut strings);
        assert_eq!(n, 1);
        strings[0][2] = len; // "linear" is 6 bytes; one slot holds 40
        let mut words: Vec<u64> = strings[0].to_vec();
        words.extend(RawRecord::new(RawKind::SpanExit, 0, 0, 3, 0).slots());
        let mut stream = header();
        stream.extend(block(1, &words));
        let (records, damage) = decode(&stream, 4096);
        assert_eq!(damage.len(), 1, "length {len}");
        assert_eq!(damage[0].kind, DecodeErrorKind::BadRawRecord);
        assert!(matches!(records[1], Record::SpanExit(m) if m.span == 3));
    }
}

#[test]
fn a_record_or_block_from_a_core_the_header_lacks_is_damage() {
    // The header has 2 cores: core 7's records are no record of this trace.
    let mut stream = header();
    stream.extend(frame(&Record::SpanExit(SpanMark {
        core: 7,
        ts_ns: 1,
        span: 3,
    })));
    stream.extend(block(
        7,
        RawRecord::new(RawKind::SpanExit, 0, 0, 4, 0).slots(),
    ));
    stream.extend(block(
        1,
        RawRecord::new(RawKind::SpanExit, 0, 0, 5, 0).slots(),
    ));
    let (records, damage) = decode(&stream, 4096);
    let out_of_range = DecodeErrorKind::CoreOutOfRange { core: 7, cores: 2 };
    // The frame, then the block's bytes as one stretch (not read as frames).
    assert!(
        damage.iter().filter(|d| d.kind == out_of_range).count() == 2,
        "{damage:?}"
    );
    assert_eq!(damage.len(), 2, "{damage:?}");
    assert_eq!(damage[1].len, 64, "{damage:?}");
    assert!(
        records.iter().all(|r| r.core().is_none_or(|core| core < 2)),
        "{records:?}"
    );
    assert!(matches!(records.last(), Some(Record::SpanExit(m)) if m.span == 5 && m.core == 1));
}

#[test]
fn a_block_cut_off_by_the_end_of_input_is_truncated() {
    let mut stream = header();
    stream.extend(block(1, &core1_words()));
    stream.truncate(stream.len() - 10);
    let (_, damage) = decode(&stream, 4096);
    assert_eq!(damage.last().unwrap().kind, DecodeErrorKind::Truncated);
}

#[test]
fn an_unknown_string_is_named_by_its_id() {
    let mut span = RawRecord::new(RawKind::SpanNew, 4, 0, 9, 0);
    span.set(0, ValueType::Str, 0x77);
    let mut stream = header();
    stream.extend(block(1, span.slots()));
    let (records, _) = decode(&stream, 4096);
    let Record::SpanNew(span) = &records[1] else {
        panic!()
    };
    assert_eq!(
        span.values[0].value,
        Value::Str("<string #0x77 not seen>".into())
    );
}

proptest::proptest! {
    /// Any bytes in a block (a damaged or mid-stream one) decode without a
    /// panic: into records or damage reports.
    #[test]
    fn any_block_bytes_decode_without_panic(words in proptest::collection::vec(proptest::prelude::any::<u64>(), 0..64)) {
        let mut words = words;
        words.truncate(words.len() / SLOT_WORDS * SLOT_WORDS);
        let mut stream = header();
        stream.extend(block(1, &words));
        let _ = decode(&stream, 97);
    }
}
