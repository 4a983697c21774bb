//! Inspection: the `vq dump` snapshot and its text before and after a
//! message, snapshots taken by a third core during traffic, and the stats matrix.

mod common;

use bus::{Bus, Config, DescFlags, DescState};
use common::{Polite, message};

#[test]
fn dump_before_and_after_one_message() {
    let bus = Bus::new(2, Config::new(4, 64)).unwrap();
    let (mut a, mut b) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());

    let before = bus.snapshot(0, 1).unwrap();
    assert_eq!(before.desc_states(), vec![DescState::Posted; 4]);
    let text = before.to_string();
    let header = text.lines().next().unwrap();
    for field in [
        "vq 0->1",
        "size=4",
        "buf=64",
        "avail.idx=4",
        "used.idx=0",
        "last_used=0",
        "last_avail=0",
        "in_flight=0",
        "msgs=0",
        "bytes=0",
        "stalls=0",
        "corrupt=0",
    ] {
        assert!(header.contains(field), "{field} missing from {header}");
    }
    assert_eq!(
        text.lines().count(),
        4 + 4,
        "header, rings, notifications, columns, one row per descriptor"
    );
    assert!(text.lines().nth(4).unwrap().contains("WRITE"));

    a.send(1, &message(1, 5)).unwrap();
    let sent = bus.snapshot(0, 1).unwrap();
    assert_eq!(
        (sent.used.idx, sent.last_avail, sent.in_flight()),
        (1, 1, 1)
    );
    assert_eq!(sent.used.ring[0].len, 8 + 5);
    assert_eq!(sent.desc_states()[0], DescState::FilledUnread);
    assert!(
        sent.to_string()
            .lines()
            .nth(4)
            .unwrap()
            .ends_with("filled-unread")
    );
    assert!(sent.to_string().contains("msgs=1 bytes=5"));

    b.recv(0, &mut [0; 5]).unwrap();
    let got = bus.snapshot(0, 1).unwrap();
    assert_eq!(
        (got.last_used, got.in_flight(), got.counters.received),
        (1, 0, 1)
    );
    // Re-posted at once on a 4-entry queue: avail.idx moved to 5.
    assert_eq!(got.avail.idx, 5);
    assert_eq!(got.desc_states(), vec![DescState::Posted; 4]);
}

#[test]
fn flags_decode_by_name() {
    assert_eq!(DescFlags(2).to_string(), "WRITE");
    assert_eq!(DescFlags(3).to_string(), "WRITE|NEXT");
    assert_eq!(DescFlags(0).to_string(), "-");
    assert_eq!(DescFlags(0x14).to_string(), "INDIRECT|0x10");
}

#[test]
fn batched_reposts_show_as_free() {
    // 64 entries re-post in batches of 16: after 3 messages, 3 buffers wait.
    let bus = Bus::new(2, Config::new(64, 64)).unwrap();
    let (mut a, mut b) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
    let mut buf = [0; 8];
    for _ in 0..3 {
        a.send(1, b"x").unwrap();
        b.try_recv(0, &mut buf).unwrap();
    }
    let snap = bus.snapshot(0, 1).unwrap();
    let free = snap
        .desc_states()
        .iter()
        .filter(|&&s| s == DescState::Free)
        .count();
    assert_eq!((snap.avail.idx, free), (64, 3));
    // Finding the ring empty hands them back.
    assert!(b.try_recv(0, &mut buf).is_err());
    assert_eq!(bus.snapshot(0, 1).unwrap().avail.idx, 67);
}

/// A third thread snapshots and formats queue 0→1 while it runs. The
/// snapshot may be torn, but it is always well-formed and its counters never
/// go backwards.
#[test]
fn snapshots_from_a_third_core_while_running() {
    const MESSAGES: u64 = 20_000;
    let bus = Bus::new(2, Config::new(16, 128)).unwrap();
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut tx = bus.endpoint(0).unwrap();
            for seq in 0..MESSAGES {
                tx.send_with(
                    1,
                    &message(seq, (seq % 300) as usize),
                    &mut Polite::default(),
                )
                .unwrap();
            }
        });
        s.spawn(|| {
            let mut rx = bus.endpoint(1).unwrap();
            let mut buf = [0; 300];
            for _ in 0..MESSAGES {
                rx.recv_with(0, &mut buf, &mut Polite::default()).unwrap();
            }
            done.store(true, std::sync::atomic::Ordering::Release);
        });
        let mut last = (0, 0);
        while !done.load(std::sync::atomic::Ordering::Acquire) {
            let snap = bus.snapshot(0, 1).unwrap();
            assert!(snap.in_flight() <= 16);
            assert_eq!(snap.desc_states().len(), 16);
            assert_eq!(snap.to_string().lines().count(), 4 + 16);
            let now = (snap.counters.messages, snap.counters.received);
            assert!(
                now.0 >= last.0 && now.1 >= last.1,
                "counters went backwards"
            );
            last = now;
            std::thread::yield_now();
        }
    });
    assert_eq!(bus.snapshot(0, 1).unwrap().counters.received, MESSAGES);
}

#[test]
fn stats_matrix_counts_each_pair() {
    let bus = Bus::new(3, Config::new(8, 64)).unwrap();
    let mut eps: Vec<_> = (0..3).map(|c| bus.endpoint(c).unwrap()).collect();
    eps[0].send(1, &[0; 10]).unwrap();
    eps[0].send(1, &[0; 20]).unwrap();
    eps[2].send(0, &[0; 300]).unwrap();
    let stats = bus.stats();
    assert_eq!((stats.messages(0, 1), stats.bytes(0, 1)), (2, 30));
    assert_eq!((stats.messages(2, 0), stats.bytes(2, 0)), (1, 300));
    assert_eq!(stats.messages(1, 2), 0);
    let text = stats.to_string();
    let expect = "\
messages (row = from, column = to)
          0    1    2
     0    -    2    0
     1    0    -    0
     2    1    0    -
bytes (row = from, column = to)
          0    1    2
     0    -   30    0
     1    0    -    0
     2  300    0    -
bus mode: poll
notifications sent (row = from, column = to)
          0    1    2
     0    -    0    0
     1    0    -    0
     2    0    0    -
notifications suppressed (row = from, column = to)
          0    1    2
     0    -    0    0
     1    0    -    0
     2    0    0    -
";
    assert_eq!(text, expect);
}
