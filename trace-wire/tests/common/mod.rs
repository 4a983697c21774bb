//! Helpers shared by the integration tests: one record of every kind, a
//! proptest strategy for records, and stream encoding that remembers where
//! each frame lies.

#![allow(dead_code)]

use std::ops::Range;

use proptest::prelude::*;
use trace_wire::{
    Callsite, Dropped, Event, Field, Header, Kind, Level, MAX_FRAME, Record, RecordBuf, SpanMark,
    SpanNew, SpanValues, Value, encode_frame,
};

/// A field list from (index, value) pairs.
pub fn fields(pairs: &[(u8, Value<&str>)]) -> Vec<Field<String>> {
    pairs
        .iter()
        .map(|(idx, v)| Field {
            idx: *idx,
            value: own_value(v),
        })
        .collect()
}

/// A borrowed value made owned.
pub fn own_value(v: &Value<&str>) -> Value<String> {
    match *v {
        Value::U64(x) => Value::U64(x),
        Value::I64(x) => Value::I64(x),
        Value::Bool(x) => Value::Bool(x),
        Value::F64(x) => Value::F64(x),
        Value::Str(s) => Value::Str(s.to_string()),
    }
}

/// One record of every kind, owned.
pub fn one_of_each() -> Vec<RecordBuf> {
    let mark = SpanMark {
        core: 2,
        ts_ns: 7_000,
        span: 9,
    };
    vec![
        Record::Header(Header::new(2_400_000_000, 4, "ringlab 0.1.0".to_string())),
        Record::Callsite(Callsite {
            id: 5,
            kind: Kind::Span,
            level: Level::Info,
            name: "mpi.reduce".into(),
            target: "mpi".into(),
            file: Some("mpi/src/collective/reduce.rs".into()),
            line: Some(42),
            fields: vec![
                "comm".into(),
                "rank".into(),
                "root".into(),
                "algorithm".into(),
            ],
        }),
        Record::Event(Event {
            core: 1,
            ts_ns: 5_000,
            callsite: 3,
            parent: Some(9),
            values: fields(&[
                (0, Value::U64(1)),
                (1, Value::I64(-3)),
                (2, Value::Bool(true)),
                (3, Value::F64(0.5)),
            ]),
        }),
        Record::SpanNew(SpanNew {
            core: 2,
            ts_ns: 6_000,
            span: 9,
            callsite: 5,
            parent: None,
            values: fields(&[(0, Value::U64(0)), (3, Value::Str("linear"))]),
        }),
        Record::SpanValues(SpanValues {
            core: 2,
            ts_ns: 6_500,
            span: 9,
            values: fields(&[(2, Value::U64(0))]),
        }),
        Record::SpanEnter(mark),
        Record::SpanExit(SpanMark {
            ts_ns: 8_000,
            ..mark
        }),
        Record::SpanClose(SpanMark {
            ts_ns: 8_100,
            ..mark
        }),
        Record::Dropped(Dropped {
            core: 3,
            ts_ns: 9_000,
            count: 17,
        }),
    ]
}

/// Encodes `records` back to back; returns the stream and each frame's
/// byte range, delimiter included.
pub fn encode_stream(records: &[RecordBuf]) -> (Vec<u8>, Vec<Range<usize>>) {
    let mut stream = Vec::new();
    let mut ranges = Vec::new();
    let mut buf = [0u8; MAX_FRAME];
    for r in records {
        let frame = encode_frame(r, &mut buf).expect("record fits a frame");
        let start = stream.len();
        stream.extend_from_slice(frame);
        ranges.push(start..stream.len());
    }
    (stream, ranges)
}

/// Any value.
fn arb_value() -> impl Strategy<Value = Value<String>> {
    prop_oneof![
        any::<u64>().prop_map(Value::U64),
        any::<i64>().prop_map(Value::I64),
        any::<bool>().prop_map(Value::Bool),
        (-1e9f64..1e9).prop_map(Value::F64),
        "[a-z .=_0-9]{0,24}".prop_map(Value::Str),
    ]
}

/// Up to six fields.
fn arb_fields() -> impl Strategy<Value = Vec<Field<String>>> {
    prop::collection::vec(
        (0u8..8, arb_value()).prop_map(|(idx, value)| Field { idx, value }),
        0..6,
    )
}

/// A span mark.
fn arb_mark() -> impl Strategy<Value = SpanMark> {
    (0u16..32, any::<u64>(), any::<u64>()).prop_map(|(core, ts_ns, span)| SpanMark {
        core,
        ts_ns,
        span,
    })
}

/// A callsite.
fn arb_callsite() -> impl Strategy<Value = RecordBuf> {
    let names = prop::collection::vec("[a-z_]{1,10}", 0..6);
    (
        any::<u32>(),
        any::<bool>(),
        0usize..5,
        "[a-z.]{1,16}",
        "[a-z]{1,8}",
        names,
    )
        .prop_map(|(id, span, level, name, target, fields)| {
            Record::Callsite(Callsite {
                id,
                kind: if span { Kind::Span } else { Kind::Event },
                level: Level::ALL[level],
                name,
                target,
                file: None,
                line: Some(id % 1000),
                fields,
            })
        })
}

/// An event.
fn arb_event() -> impl Strategy<Value = RecordBuf> {
    (
        0u16..32,
        any::<u64>(),
        any::<u32>(),
        any::<Option<u64>>(),
        arb_fields(),
    )
        .prop_map(|(core, ts_ns, callsite, parent, values)| {
            Record::Event(Event {
                core,
                ts_ns,
                callsite,
                parent,
                values,
            })
        })
}

/// Any record.
pub fn arb_record() -> impl Strategy<Value = RecordBuf> {
    prop_oneof![
        3 => arb_event(),
        1 => arb_callsite(),
        1 => arb_mark().prop_map(Record::SpanEnter),
        1 => arb_mark().prop_map(Record::SpanExit),
        1 => (0u16..32, any::<u64>(), any::<u64>()).prop_map(|(core, ts_ns, count)| Record::Dropped(Dropped { core, ts_ns, count })),
        // At least 32 cores: the other records come from cores 0..32, and a
        // record from a core the header does not have is damage.
        1 => (any::<u64>(), 32u16..64, "[a-z ]{0,12}").prop_map(|(hz, cores, p)| Record::Header(Header::new(hz, cores, p))),
    ]
}
