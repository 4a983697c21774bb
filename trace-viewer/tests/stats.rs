//! `stats` on the synthetic reduce: counts per callsite, core and queue,
//! the time span, damaged stretches reported with their offsets, and each
//! collective's time per rank, imbalance and traffic per pair.

mod common;

use std::collections::BTreeMap;

use trace_viewer::bus::QueueId;
use trace_viewer::item::decode_all;
use trace_viewer::stats::Stats;
use trace_wire::{Clock, DecodeErrorKind, Record, RecordBuf};

/// Stats of `bytes`.
fn stats_of(bytes: &[u8]) -> Stats {
    Stats::from_items(&decode_all(bytes), bytes.len() as u64)
}

#[test]
fn counts_every_callsite_core_and_queue() {
    let s = stats_of(&common::reduce_bytes());
    let count = |name: &str| s.sites.get(name).map_or(0, |c| c.count);
    assert_eq!(count("bus.send"), 3);
    assert_eq!(count("bus.recv"), 3);
    assert_eq!(count("bus.init"), 12);
    assert_eq!(count("mpi.reduce"), 4);
    assert_eq!(count("mpi.send"), 3);
    assert_eq!(count("mpi.recv"), 3);
    assert_eq!(count("shell.command"), 1);
    assert_eq!(s.cores.len(), 4);
    assert_eq!(
        s.cores[&0].spans, 5,
        "shell command, reduce and three receives"
    );
    for src in 1..4 {
        let q = s.queues[&QueueId { src, dst: 0 }];
        assert_eq!((q.sends, q.recvs, q.bytes), (1, 1, 256));
    }
    assert_eq!(s.header.as_ref().map(|h| h.cores), Some(4));
    assert!(s.damaged.is_empty());
    assert_eq!(s.dropped, 0);
}

#[test]
fn time_span_covers_boot_to_the_last_record() {
    let s = stats_of(&common::reduce_bytes());
    let (lo, hi) = s.span_ns.unwrap();
    assert_eq!(lo, 1_000, "the first bus.init: the bus is built at 1 µs");
    assert!(hi > lo + 10_000);
}

#[test]
fn damage_is_listed_with_offsets() {
    let mut bytes = common::reduce_bytes();
    let at = 2_000;
    bytes[at] ^= 0x01;
    let len = bytes.len();
    bytes.truncate(len - 2);
    let s = stats_of(&bytes);
    assert_eq!(s.damaged.len(), 2);
    let hit = &s.damaged[0];
    assert!(
        hit.offset <= at as u64 && (at as u64) < hit.offset + hit.len,
        "{hit}"
    );
    assert_eq!(s.damaged[1].kind, DecodeErrorKind::Truncated);
    assert_eq!(s.damaged[1].offset + s.damaged[1].len, bytes.len() as u64);
    let text = s.to_string();
    assert!(text.contains("damaged    2 stretches"), "{text}");
    assert!(
        text.contains(&format!("offset {:>10}", hit.offset)),
        "{text}"
    );
}

#[test]
fn text_has_every_section() {
    let text = stats_of(&common::reduce_bytes()).to_string();
    for needle in [
        "records ",
        "producer   ringlab synth (4 cores",
        "per callsite:",
        "per core:",
        "per queue:",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    assert!(
        text.lines().any(|l| l
            .trim_start()
            .starts_with("3  event  DEBUG  bus       bus.send")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()
                == ["1->0", "1", "1", "256", "0", "not", "announced"]),
        "{text}"
    );
}

#[test]
fn an_empty_file_has_empty_stats() {
    let s = stats_of(&[]);
    assert_eq!((s.records, s.span_ns, s.damaged.len()), (0, None, 0));
    assert!(s.to_string().contains("no header"));
}

/// Each rank's (enter, exit) of its `mpi.reduce` span, read straight from
/// the records, by core.
fn reduce_spans(records: &[RecordBuf]) -> BTreeMap<u16, (u64, u64)> {
    let site = records
        .iter()
        .find_map(|r| match r {
            Record::Callsite(c) if c.name == "mpi.reduce" => Some(c.id),
            _ => None,
        })
        .expect("a reduce callsite");
    let spans: BTreeMap<u64, u16> = records
        .iter()
        .filter_map(|r| match r {
            Record::SpanNew(s) if s.callsite == site => Some((s.span, s.core)),
            _ => None,
        })
        .collect();
    let mut out = BTreeMap::new();
    for r in records {
        match r {
            Record::SpanEnter(m) if spans.contains_key(&m.span) => {
                out.insert(m.core, (m.ts_ns, 0));
            }
            Record::SpanExit(m) if spans.contains_key(&m.span) => {
                out.get_mut(&m.core).unwrap().1 = m.ts_ns;
            }
            _ => {}
        }
    }
    out
}

#[test]
fn each_collective_has_its_time_per_rank_imbalance_and_pairs() {
    let records = common::reduce_records();
    let spans = reduce_spans(&records);
    let times: BTreeMap<u16, u64> = spans.iter().map(|(&c, &(a, b))| (c, b - a)).collect();
    let slowest = times.iter().max_by_key(|(_, t)| **t).unwrap();
    let fastest = times.iter().min_by_key(|(_, t)| **t).unwrap();
    let s = stats_of(&common::reduce_bytes());
    let calls = s.collectives.in_order();
    assert_eq!(calls.len(), 1, "one reduce");
    let (id, call) = calls[0];
    assert_eq!((id.name.as_str(), id.comm, id.number), ("mpi.reduce", 0, 1));
    for (rank, t) in &call.ranks {
        assert_eq!(t.time_ns(), Some(times[&t.core]), "rank {rank}");
    }
    let (slow, _, imbalance) = call.imbalance().unwrap();
    assert_eq!(slow, u64::from(*slowest.0), "the root waits longest");
    assert_eq!(imbalance, slowest.1 - fastest.1);
    let pairs: Vec<(String, u64, u64)> = call
        .pairs
        .iter()
        .map(|(q, p)| (q.to_string(), p.messages, p.bytes))
        .collect();
    let expected: Vec<(String, u64, u64)> = (1..4).map(|c| (format!("{c}->0"), 1, 256)).collect();
    assert_eq!(pairs, expected);
    let text = s.to_string();
    assert!(
        text.contains("mpi.reduce #1 on comm 0 (linear, root 0): 4 ranks, 3 messages, 768 bytes"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "imbalance {} ns (slowest rank {slow}",
            slowest.1 - fastest.1
        )),
        "{text}"
    );
}

#[test]
fn collective_times_use_each_cores_clock_offset() {
    let offsets = [0i64, 5_000, -300, 12_345];
    let skewed: Vec<RecordBuf> = common::reduce_records()
        .into_iter()
        .map(|mut r| {
            if let Record::SpanEnter(m) | Record::SpanExit(m) = &mut r {
                m.ts_ns = m
                    .ts_ns
                    .checked_add_signed(offsets[usize::from(m.core)])
                    .unwrap();
            }
            r
        })
        .collect();
    let clocks = offsets
        .iter()
        .enumerate()
        .map(|(core, &o)| clock(core as u16, o));
    let announced: Vec<RecordBuf> = clocks.chain(skewed.iter().cloned()).collect();
    let plain = stats_of(&trace_viewer::synth::encode(&skewed).unwrap());
    let aligned = stats_of(&trace_viewer::synth::encode(&announced).unwrap());
    let truth = stats_of(&common::reduce_bytes());
    let begins = |s: &Stats| -> Vec<u64> {
        let call = s.collectives.in_order()[0].1;
        call.ranks.values().map(|t| t.begin_ns).collect()
    };
    assert_eq!(begins(&aligned), begins(&truth));
    assert_ne!(
        begins(&plain),
        begins(&truth),
        "the skew shows without offsets"
    );
    let imbalance = |s: &Stats| s.collectives.in_order()[0].1.imbalance().unwrap().2;
    assert_eq!(
        imbalance(&plain),
        imbalance(&truth),
        "a rank's time is read on one core's clock"
    );
}

/// A `Clock` record: `core` runs `offset_ns` ahead of core 0.
fn clock(core: u16, offset_ns: i64) -> RecordBuf {
    Record::Clock(Clock {
        core,
        tsc_offset: offset_ns * 2,
        offset_ns,
        uncertainty_ns: 40,
    })
}

#[test]
fn clock_offsets_and_queue_sizes_are_listed() {
    let mut records = vec![clock(1, -1_250), clock(2, 30)];
    records.push(Record::Queue(trace_wire::Queue {
        src: 1,
        dst: 0,
        size: 64,
        buf_size: 1024,
    }));
    records.extend(common::reduce_records());
    let text = stats_of(&trace_viewer::synth::encode(&records).unwrap()).to_string();
    assert!(
        text.contains("clock      core 1: -1250 ns against core 0 (±40 ns, -2500 TSC cycles)"),
        "{text}"
    );
    let row = text
        .lines()
        .find(|l| l.trim_start().starts_with("1->0"))
        .unwrap();
    assert!(row.ends_with("64 x 1024 B"), "{row}");
    let row = text
        .lines()
        .find(|l| l.trim_start().starts_with("2->0"))
        .unwrap();
    assert!(row.ends_with("not announced"), "{row}");
    assert!(
        stats_of(&common::reduce_bytes())
            .to_string()
            .contains("clocks     no offsets")
    );
}
