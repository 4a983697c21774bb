//! Round trips: every record kind encodes and decodes back unchanged, the
//! borrowed and owned forms give the same bytes, and the frame rules hold
//! (no 0x00 inside, length bound, header checks, encoder errors).

mod common;

use common::{encode_stream, one_of_each};
use trace_wire::{
    Callsite, DecodeErrorKind, Decoder, EncodeError, Event, Field, Header, Kind, Level, MAX_FRAME,
    Record, RecordBuf, RecordRef, Value, decode_frame, encode_frame, max_frame_len,
};

/// Decodes a whole stream, panicking on any damage.
fn decode_all(stream: &[u8]) -> Vec<RecordBuf> {
    let mut dec = Decoder::new();
    let out: Vec<_> = dec
        .push(stream)
        .map(|r| r.expect("undamaged frame"))
        .collect();
    assert_eq!(dec.finish(), None);
    out
}

#[test]
fn every_record_kind_round_trips() {
    let records = one_of_each();
    let (stream, _) = encode_stream(&records);
    assert_eq!(decode_all(&stream), records);
}

#[test]
fn each_frame_is_delimited_once() {
    let (stream, ranges) = encode_stream(&one_of_each());
    for r in ranges {
        let frame = &stream[r];
        assert_eq!(frame.last(), Some(&0));
        assert!(!frame[..frame.len() - 1].contains(&0));
    }
}

#[test]
fn borrowed_and_owned_records_encode_alike() {
    let names = ["src", "dst", "note"];
    let values = [
        Field {
            idx: 0,
            value: Value::U64(1),
        },
        Field {
            idx: 2,
            value: Value::Str("hi"),
        },
    ];
    let site: RecordRef = Record::Callsite(Callsite {
        id: 1,
        kind: Kind::Event,
        level: Level::Trace,
        name: "bus.send",
        target: "bus",
        file: None,
        line: None,
        fields: &names,
    });
    let event: RecordRef = Record::Event(Event {
        core: 1,
        ts_ns: 10,
        callsite: 1,
        parent: None,
        values: &values,
    });
    let owned_site: RecordBuf = Record::Callsite(Callsite {
        id: 1,
        kind: Kind::Event,
        level: Level::Trace,
        name: "bus.send".into(),
        target: "bus".into(),
        file: None,
        line: None,
        fields: names.iter().map(|s| s.to_string()).collect(),
    });
    let owned_event: RecordBuf = Record::Event(Event {
        core: 1,
        ts_ns: 10,
        callsite: 1,
        parent: None,
        values: common::fields(&[(0, Value::U64(1)), (2, Value::Str("hi"))]),
    });
    let (mut a, mut b) = ([0u8; 128], [0u8; 128]);
    assert_eq!(
        encode_frame(&site, &mut a).unwrap(),
        encode_frame(&owned_site, &mut b).unwrap()
    );
    assert_eq!(
        encode_frame(&event, &mut a).unwrap(),
        encode_frame(&owned_event, &mut b).unwrap()
    );
}

#[test]
fn small_buffer_is_refused_not_overrun() {
    let records = one_of_each();
    let mut big = [0u8; MAX_FRAME];
    for r in &records {
        let need = encode_frame(r, &mut big).unwrap().len();
        let mut small = vec![0u8; need - 1];
        assert_eq!(encode_frame(r, &mut small), Err(EncodeError::BufferFull));
        let mut exact = vec![0u8; need];
        assert_eq!(encode_frame(r, &mut exact).unwrap().len(), need);
    }
}

#[test]
fn frames_over_the_limit_are_refused() {
    let long = "x".repeat(MAX_FRAME);
    let rec: RecordBuf = Record::Header(Header::new(1, 1, long));
    let mut buf = vec![0u8; 2 * MAX_FRAME];
    assert!(matches!(
        encode_frame(&rec, &mut buf),
        Err(EncodeError::TooLong { .. })
    ));
}

#[test]
fn max_frame_len_bounds_every_frame() {
    let mut buf = [0u8; MAX_FRAME];
    let mut plain = [0u8; MAX_FRAME];
    for r in one_of_each() {
        let payload = postcard::to_slice(&r, &mut plain).unwrap().len();
        assert!(encode_frame(&r, &mut buf).unwrap().len() <= max_frame_len(payload));
    }
}

/// Encodes `payload` as a frame with a correct CRC (no delimiter).
fn frame_of(payload: &[u8]) -> Vec<u8> {
    let crc = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC).checksum(payload);
    let mut body = payload.to_vec();
    body.extend_from_slice(&crc.to_le_bytes());
    let mut out = vec![0u8; body.len() + body.len() / 254 + 2];
    let n = cobs::encode(&body, &mut out);
    out.truncate(n);
    out
}

#[test]
fn header_with_wrong_magic_is_rejected() {
    // Variant 0, magic "NOPE", version 1, then the rest of a header.
    let mut frame = frame_of(&[0, b'N', b'O', b'P', b'E', 1, 0, 1, 0]);
    assert_eq!(decode_frame(&mut frame), Err(DecodeErrorKind::BadMagic));
}

#[test]
fn header_from_a_later_version_is_rejected_by_version() {
    // Variant 0, magic, version 4, and a body this version could not parse.
    let mut frame = frame_of(&[0, b'R', b'L', b'T', b'R', 4, 0xff, 0xff]);
    assert_eq!(
        decode_frame(&mut frame),
        Err(DecodeErrorKind::UnsupportedVersion(4))
    );
    assert!(
        DecodeErrorKind::UnsupportedVersion(4)
            .to_string()
            .contains("reads versions 1 to 3")
    );
}

#[test]
fn bytes_after_a_record_are_damage() {
    let mut plain = [0u8; 64];
    let rec: RecordBuf = Record::Dropped(trace_wire::Dropped {
        core: 1,
        ts_ns: 2,
        count: 3,
    });
    let mut payload = postcard::to_slice(&rec, &mut plain).unwrap().to_vec();
    payload.push(7);
    assert_eq!(
        decode_frame(&mut frame_of(&payload)),
        Err(DecodeErrorKind::TrailingBytes(1))
    );
}

#[test]
fn unknown_variant_with_good_crc_is_a_payload_error() {
    assert_eq!(
        decode_frame(&mut frame_of(&[42, 1, 2, 3])),
        Err(DecodeErrorKind::Payload)
    );
}

#[test]
fn empty_frames_are_padding() {
    let (stream, _) = encode_stream(&one_of_each());
    let mut padded = vec![0, 0, 0];
    padded.extend_from_slice(&stream);
    padded.extend_from_slice(&[0, 0]);
    let mut dec = Decoder::new();
    assert!(dec.push(&padded).all(|r| r.is_ok()));
    assert_eq!(dec.stats().damaged, 0);
    assert_eq!(dec.stats().bytes, padded.len() as u64);
}
