//! `stats` on the synthetic reduce: counts per callsite, core and queue,
//! the time span, and damaged stretches reported with their offsets.

mod common;

use trace_viewer::bus::QueueId;
use trace_viewer::item::decode_all;
use trace_viewer::stats::Stats;
use trace_wire::DecodeErrorKind;

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
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["1->0", "1", "1", "256", "0"]),
        "{text}"
    );
}

#[test]
fn an_empty_file_has_empty_stats() {
    let s = stats_of(&[]);
    assert_eq!((s.records, s.span_ns, s.damaged.len()), (0, None, 0));
    assert!(s.to_string().contains("no header"));
}
