//! The endpoint API on the host: sends and receives of every size, every error
//! a caller can meet, endpoint ownership, aborts, and recv_any's fairness.

mod common;

use bus::{Bus, Config, ConfigError, EndpointError, MAX_MESSAGE, RecvError, SendError};
use common::{Polite, check, message};

fn bus(cores: usize, queue_size: u16, buf_size: u32) -> Bus {
    Bus::new(cores, Config::new(queue_size, buf_size)).unwrap()
}

#[test]
fn small_messages_arrive_in_order() {
    let bus = bus(2, 8, 64);
    let (mut a, mut b) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
    for seq in 0..5 {
        a.send(1, &message(seq, 10 + seq as usize)).unwrap();
    }
    let mut buf = [0; 64];
    for seq in 0..5 {
        let len = b.recv(0, &mut buf).unwrap();
        assert_eq!(len, 10 + seq as usize);
        check(seq, &buf[..len]);
    }
    assert_eq!(b.try_recv(0, &mut buf), Err(RecvError::Empty));
}

#[test]
fn empty_message_is_a_message() {
    let bus = bus(2, 8, 64);
    let (mut a, mut b) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
    a.try_send(1, &[]).unwrap();
    assert_eq!(b.try_recv(0, &mut []), Ok(0));
    assert_eq!(b.try_recv(0, &mut []), Err(RecvError::Empty));
}

#[test]
fn toro_sizes_are_refused() {
    // Toro: 10-entry queues indexed mod 10; not a power of two.
    assert_eq!(
        Bus::new(2, Config::new(10, 1024)).err(),
        Some(ConfigError::QueueSize(10))
    );
    assert_eq!(
        Bus::new(2, Config::new(0, 1024)).err(),
        Some(ConfigError::QueueSize(0))
    );
    assert_eq!(
        Bus::new(2, Config::new(64, 1000)).err(),
        Some(ConfigError::BufSize(1000))
    );
    assert_eq!(
        Bus::new(0, Config::default()).err(),
        Some(ConfigError::Cores(0))
    );
    assert!(Bus::new(2, Config::new(32768, 64)).is_ok());
}

#[test]
fn message_bigger_than_a_buffer_arrives_intact() {
    // 1,021 bytes and up: what Toro dropped silently. Fits the 64-entry ring.
    let bus = bus(2, 64, 1024);
    let (mut a, mut b) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
    let mut buf = vec![0; 8000];
    for (seq, len) in [(1, 1021), (2, 1016), (3, 1017), (4, 8000)] {
        a.try_send(1, &message(seq, len)).unwrap();
        assert_eq!(b.try_recv(0, &mut buf), Ok(len));
        check(seq, &buf[..len]);
    }
}

#[test]
fn maximum_message_streams_through_a_smaller_ring() {
    // 64 KiB over 8 buffers of 64 bytes: 1,171 fragments through 8 slots.
    let bus = bus(2, 8, 64);
    let data = message(7, MAX_MESSAGE);
    std::thread::scope(|s| {
        s.spawn(|| {
            bus.endpoint(0)
                .unwrap()
                .send_with(1, &data, &mut Polite::default())
                .unwrap()
        });
        let mut b = bus.endpoint(1).unwrap();
        let mut buf = vec![0; MAX_MESSAGE];
        assert_eq!(
            b.recv_with(0, &mut buf, &mut Polite::default()),
            Ok(MAX_MESSAGE)
        );
        check(7, &buf);
    });
    assert_eq!(bus.stats().bytes(0, 1), MAX_MESSAGE as u64);
}

#[test]
fn message_over_the_maximum_is_an_error() {
    let bus = bus(2, 64, 1024);
    let mut a = bus.endpoint(0).unwrap();
    let big = vec![0; MAX_MESSAGE + 1];
    let err = SendError::TooLarge {
        len: MAX_MESSAGE + 1,
        max: MAX_MESSAGE,
    };
    assert_eq!(a.send(1, &big), Err(err));
    assert_eq!(a.try_send(1, &big), Err(err));
    assert_eq!(
        bus.snapshot(0, 1).unwrap().used.idx,
        0,
        "nothing was published"
    );
}

#[test]
fn too_small_buffer_keeps_the_message() {
    let bus = bus(3, 8, 64);
    let (mut a, mut b) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
    a.send(1, &message(1, 300)).unwrap();
    let mut small = [0; 100];
    assert_eq!(
        b.try_recv(0, &mut small),
        Err(RecvError::TooSmall {
            src: 0,
            needed: 300
        })
    );
    assert_eq!(
        b.recv(0, &mut small),
        Err(RecvError::TooSmall {
            src: 0,
            needed: 300
        })
    );
    assert_eq!(
        b.recv_any(&mut small),
        Err(RecvError::TooSmall {
            src: 0,
            needed: 300
        })
    );
    let mut big = [0; 300];
    assert_eq!(b.recv_any(&mut big), Ok((0, 300)));
    check(1, &big);
}

#[test]
fn try_send_is_all_or_nothing() {
    let bus = bus(2, 4, 64);
    let (mut a, mut b) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
    // 3 fragments of 56 bytes; then only 1 buffer is left.
    a.try_send(1, &message(1, 150)).unwrap();
    assert_eq!(
        a.try_send(1, &message(2, 100)),
        Err(SendError::Full { needed: 2, room: 1 })
    );
    assert_eq!(
        a.try_send(1, &message(3, 5 * 56)),
        Err(SendError::NeedsStreaming {
            fragments: 5,
            queue_size: 4
        })
    );
    let mut buf = [0; 200];
    assert_eq!(b.try_recv(0, &mut buf), Ok(150));
    check(1, &buf[..150]);
    a.try_send(1, &message(2, 100)).unwrap();
    assert_eq!(b.try_recv(0, &mut buf), Ok(100));
    check(2, &buf[..100]);
    assert_eq!(bus.snapshot(0, 1).unwrap().counters.stalls, 1);
}

#[test]
fn try_recv_leaves_a_streaming_message_for_recv() {
    let bus = bus(2, 2, 64);
    let data = message(5, 500);
    std::thread::scope(|s| {
        s.spawn(|| {
            bus.endpoint(0)
                .unwrap()
                .send_with(1, &data, &mut Polite::default())
                .unwrap()
        });
        let mut b = bus.endpoint(1).unwrap();
        let mut buf = [0; 500];
        loop {
            match b.try_recv(0, &mut buf) {
                Err(RecvError::Empty) => std::thread::yield_now(),
                Err(RecvError::NeedsStreaming {
                    src: 0,
                    fragments: 9,
                }) => break,
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(b.recv_with(0, &mut buf, &mut Polite::default()), Ok(500));
        check(5, &buf);
    });
}

#[test]
fn bad_peers_are_refused() {
    let bus = bus(2, 8, 64);
    let mut a = bus.endpoint(0).unwrap();
    assert_eq!(a.send(0, b"me"), Err(SendError::BadDestination { dst: 0 }));
    assert_eq!(
        a.try_send(2, b"x"),
        Err(SendError::BadDestination { dst: 2 })
    );
    assert_eq!(a.recv(0, &mut [0; 4]), Err(RecvError::BadSource { src: 0 }));
    assert_eq!(
        a.try_recv(9, &mut [0; 4]),
        Err(RecvError::BadSource { src: 9 })
    );
}

#[test]
fn one_endpoint_per_core() {
    let bus = bus(2, 8, 64);
    let a = bus.endpoint(0).unwrap();
    assert_eq!(
        bus.endpoint(0).err(),
        Some(EndpointError::InUse { core: 0 })
    );
    assert_eq!(
        bus.endpoint(2).err(),
        Some(EndpointError::NoSuchCore { core: 2, cores: 2 })
    );
    drop(a);
    let mut a = bus.endpoint(0).expect("free again after drop");
    assert_eq!(a.core(), 0);
    a.send(1, b"still works").unwrap();
}

#[test]
fn aborted_blocking_calls_say_so() {
    let bus = bus(2, 2, 64);
    let (mut a, mut b) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
    let mut buf = [0; 64];
    assert_eq!(
        b.recv_until(0, &mut buf, &|| true),
        Err(RecvError::Aborted { lost_from: None })
    );
    assert_eq!(
        b.recv_any_until(&mut buf, &|| true),
        Err(RecvError::Aborted { lost_from: None })
    );
    a.send(1, b"one").unwrap();
    a.send(1, b"two").unwrap();
    // Ring of 2 now full: the send waits, and the check stops it.
    assert_eq!(
        a.send_until(1, b"three", &|| true),
        Err(SendError::Aborted { sent: 0 })
    );
    assert_eq!(b.recv(0, &mut buf), Ok(3));
    assert_eq!(&buf[..3], b"one");
}

#[test]
fn sender_abort_mid_message_is_reported_as_truncated() {
    let bus = bus(2, 2, 64);
    let (mut a, mut b) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
    // 4 fragments, ring of 2: two go out, then the abort.
    let err = a.send_until(1, &message(1, 200), &|| true).unwrap_err();
    assert_eq!(err, SendError::Aborted { sent: 112 });
    let mut buf = [0; 200];
    std::thread::scope(|s| {
        s.spawn(|| {
            a.send_with(1, &message(2, 20), &mut Polite::default())
                .unwrap()
        });
        let err = b
            .recv_with(0, &mut buf, &mut Polite::default())
            .unwrap_err();
        assert_eq!(
            err,
            RecvError::Truncated {
                src: 0,
                received: 112,
                expected: 200
            }
        );
        check(1, &buf[..112]);
        assert_eq!(b.recv_with(0, &mut buf, &mut Polite::default()), Ok(20));
        check(2, &buf[..20]);
    });
    assert_eq!(bus.snapshot(0, 1).unwrap().counters.lost, 1);
}

#[test]
fn receiver_abort_mid_message_loses_only_that_message() {
    let bus = bus(2, 2, 64);
    let (mut a, mut b) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
    let _ = a.send_until(1, &message(1, 200), &|| true);
    let mut buf = [0; 200];
    let err = b.recv_until(0, &mut buf, &|| true).unwrap_err();
    assert_eq!(err, RecvError::Aborted { lost_from: Some(0) });
    // The sender finishes nothing more of message 1; it sends message 2.
    a.try_send(1, &message(2, 30)).unwrap();
    assert_eq!(b.try_recv(0, &mut buf), Ok(30));
    check(2, &buf[..30]);
}

#[test]
fn recv_any_is_round_robin() {
    let bus = bus(4, 8, 64);
    let mut eps: Vec<_> = (0..4).map(|c| bus.endpoint(c).unwrap()).collect();
    for (src, ep) in eps.iter_mut().enumerate().skip(1) {
        for k in 0..3 {
            ep.send(0, &[src as u8, k]).unwrap();
        }
    }
    let mut order = Vec::new();
    let mut buf = [0; 2];
    while let Ok((src, 2)) = eps[0].try_recv_any(&mut buf) {
        assert_eq!(buf[0] as usize, src);
        order.push((src, buf[1]));
    }
    let expect: Vec<_> = (0..3).flat_map(|k| (1..4).map(move |s| (s, k))).collect();
    assert_eq!(order, expect);
}

#[test]
fn bus_can_be_a_static_and_endpoints_can_move() {
    fn shared<T: Send + Sync>() {}
    fn movable<T: Send>() {}
    shared::<Bus>();
    movable::<bus::Endpoint<'static>>();
}

#[test]
fn a_batch_goes_out_with_one_publication_and_arrives_in_order() {
    let bus = bus(2, 8, 64);
    let (mut a, mut b) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
    let msgs: Vec<Vec<u8>> = (0..3).map(|seq| message(seq, 10 + seq as usize)).collect();
    assert_eq!(a.try_send_batch(1, &msgs), Ok(3));
    let snap = bus.snapshot(0, 1).unwrap();
    assert_eq!((snap.used.idx, snap.counters.messages), (3, 3));
    assert_eq!(snap.counters.bytes, 10 + 11 + 12);
    let (mut buf, mut seen) = ([0; 64], Vec::new());
    let got = b.try_recv_batch(0, &mut buf, 8, |m| seen.push(m.to_vec()));
    assert_eq!((got, seen), (Ok(3), msgs));
    // All three buffers went back with one store: avail.idx = 3 + size.
    assert_eq!(bus.snapshot(0, 1).unwrap().avail.idx, 3 + 8);
    assert_eq!(b.try_recv_batch(0, &mut buf, 8, |_| panic!("empty")), Ok(0));
}

#[test]
fn a_batch_sends_only_whole_messages_that_fit() {
    let bus = bus(2, 4, 64);
    let (mut a, mut b) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
    // 30, 100 (two buffers), 20, 20 bytes: the last does not fit in 4 buffers.
    let msgs = [
        message(0, 30),
        message(1, 100),
        message(2, 20),
        message(3, 20),
    ];
    assert_eq!(a.try_send_batch(1, &msgs), Ok(3));
    assert_eq!(a.try_send_batch(1, &msgs[3..]), Ok(0));
    assert_eq!(bus.snapshot(0, 1).unwrap().counters.stalls, 1);
    let mut buf = [0; 128];
    let mut lens = Vec::new();
    // `max` bounds the batch; the rest stays queued.
    assert_eq!(
        b.try_recv_batch(0, &mut buf, 2, |m| lens.push(m.len())),
        Ok(2)
    );
    assert_eq!(
        b.try_recv_batch(0, &mut buf, 2, |m| lens.push(m.len())),
        Ok(1)
    );
    assert_eq!(lens, [30, 100, 20]);
    assert_eq!(a.try_send_batch(1, &msgs[3..]), Ok(1));
}

#[test]
fn a_batch_goes_on_past_the_room_it_last_saw() {
    let bus = bus(2, 8, 64);
    let (mut a, mut b) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
    let first: Vec<Vec<u8>> = (0..6).map(|seq| message(seq, 8)).collect();
    assert_eq!(a.try_send_batch(1, &first), Ok(6));
    let mut buf = [0; 64];
    assert_eq!(b.try_recv_batch(0, &mut buf, 8, |_| {}), Ok(6));
    // The sender last saw room for 2; the receiver has since posted 6
    // more. Of 9 messages, the 8 that have buffers go.
    let next: Vec<Vec<u8>> = (6..15).map(|seq| message(seq, 9)).collect();
    assert_eq!(a.try_send_batch(1, &next), Ok(8));
    let mut seen = Vec::new();
    assert_eq!(
        b.try_recv_batch(0, &mut buf, 8, |m| seen.push(m.to_vec())),
        Ok(8)
    );
    assert_eq!(seen, next[..8]);
}

#[test]
fn a_message_that_can_never_go_at_once_ends_a_batch() {
    let bus = bus(2, 2, 64);
    let mut a = bus.endpoint(0).unwrap();
    let too_big = message(1, 200); // 4 buffers, the ring has 2
    let needs = Err(SendError::NeedsStreaming {
        fragments: 4,
        queue_size: 2,
    });
    assert_eq!(a.try_send_batch(1, std::slice::from_ref(&too_big)), needs);
    assert_eq!(
        a.try_send_batch(1, &[message(0, 5), too_big.clone()]),
        Ok(1)
    );
    let huge = vec![0; MAX_MESSAGE + 1];
    assert!(matches!(
        a.try_send_batch(1, &[huge]),
        Err(SendError::TooLarge { .. })
    ));
    let none: [&[u8]; 0] = [];
    assert_eq!(a.try_send_batch(1, &none), Ok(0));
    assert_eq!(bus.snapshot(0, 1).unwrap().counters.stalls, 0);
}

#[test]
fn a_corrupt_entry_ends_a_receive_batch_and_the_next_goes_on() {
    let bus = bus(2, 8, 64);
    let (mut a, mut b) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
    let msgs = [message(0, 5), message(1, 6), message(2, 7)];
    assert_eq!(a.try_send_batch(1, &msgs), Ok(3));
    // The oldest unread entry is message 0's.
    bus.corrupt_used(0, 1, bus::Corruption::IdOutOfRange)
        .unwrap();
    let (mut buf, mut lens) = ([0; 64], Vec::new());
    let err = b.try_recv_batch(0, &mut buf, 8, |m| lens.push(m.len()));
    assert!(
        matches!(err, Err(RecvError::Corrupt { src: 0, .. })),
        "{err:?}"
    );
    assert!(lens.is_empty());
    assert_eq!(
        b.try_recv_batch(0, &mut buf, 8, |m| lens.push(m.len())),
        Ok(2)
    );
    assert_eq!(lens, [6, 7]);
}

#[test]
fn a_receive_batch_keeps_a_message_too_big_for_its_buffer() {
    let bus = bus(2, 8, 64);
    let (mut a, mut b) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
    let msgs = [message(0, 5), message(1, 30), message(2, 6)];
    assert_eq!(a.try_send_batch(1, &msgs), Ok(3));
    let mut lens = Vec::new();
    let err = b.try_recv_batch(0, &mut [0; 16], 8, |m| lens.push(m.len()));
    assert_eq!(err, Err(RecvError::TooSmall { src: 0, needed: 30 }));
    assert_eq!(lens, [5]);
    let mut buf = [0; 64];
    let got = b.try_recv_batch(0, &mut buf, 8, |m| lens.push(m.len()));
    assert_eq!((got, lens), (Ok(2), vec![5, 30, 6]));
}
