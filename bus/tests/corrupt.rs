//! Hardening: a corrupted used entry is reported and counted, never trusted,
//! and the queue keeps working afterwards (no buffer leaks, nothing misread).

mod common;

use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicU64};

use bus::{Bus, Config, CorruptError, Corruption, Endpoint, Fault, RecvError};
use common::{Pool, Rng, check, message};

fn bus() -> Bus {
    Bus::new(2, Config::new(8, 64)).unwrap()
}

/// A receive call from core 0 into a buffer.
type Receive = fn(&mut Endpoint<'_>, &mut [u8]) -> Result<usize, RecvError>;

/// The receive calls, each of which must make every check: `try_recv` (the
/// general path), blocking `recv` and `try_recv_batch` (which try the
/// one-pass path for one-buffer messages first, src/recv.rs `whole_run`).
const RECEIVES: [Receive; 3] = [
    |b, buf| b.try_recv(0, buf),
    |b, buf| b.recv(0, buf),
    |b, buf| b.try_recv_batch(0, buf, 4, |_| panic!("delivered a corrupt message")),
];

/// Sends a message, corrupts its entry with `what`, and checks the receiver's
/// report through each receive call; then runs three rings' worth of
/// messages to show no buffer leaked.
fn reported(what: Corruption, fault: impl Fn(u32, u32) -> Fault) {
    for receive in RECEIVES {
        reported_by(receive, what, &fault);
    }
}

fn reported_by(receive: Receive, what: Corruption, fault: impl Fn(u32, u32) -> Fault) {
    let bus = bus();
    let (mut a, mut b) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
    a.send(1, &message(1, 20)).unwrap();
    let hit = bus.corrupt_used(0, 1, what).unwrap();
    assert_eq!(hit.pos, 0);
    assert_ne!(hit.before, hit.after);
    let mut buf = [0; 64];
    let err = receive(&mut b, &mut buf).unwrap_err();
    assert_eq!(
        err,
        RecvError::Corrupt {
            src: 0,
            fault: fault(hit.after.id, hit.after.len)
        }
    );
    let snap = bus.snapshot(0, 1).unwrap();
    assert_eq!(snap.counters.corrupt, 1);
    assert!(snap.to_string().contains("corrupt=1"));
    for seq in 2..26 {
        a.try_send(1, &message(seq, 40)).unwrap();
        assert_eq!(b.try_recv(0, &mut buf), Ok(40));
        check(seq, &buf[..40]);
    }
}

#[test]
fn id_out_of_range_is_reported() {
    reported(Corruption::IdOutOfRange, |id, _| Fault::IdOutOfRange { id });
}

#[test]
fn id_not_posted_is_reported() {
    reported(Corruption::IdNotPosted, |id, _| Fault::IdNotPosted {
        id,
        posted: 0,
    });
}

#[test]
fn len_beyond_the_buffer_is_reported() {
    reported(Corruption::LenTooLong, |_, len| Fault::LenOutOfRange {
        len,
    });
}

#[test]
fn len_disagreeing_with_the_header_is_reported() {
    reported(Corruption::LenMismatch, |_, len| Fault::LenMismatch {
        len,
        expected: 28,
    });
}

#[test]
fn corrupt_start_discards_the_rest_of_its_message() {
    let bus = bus();
    let (mut a, mut b) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
    a.send(1, &message(1, 150)).unwrap(); // 3 fragments
    a.send(1, &message(2, 10)).unwrap();
    bus.corrupt_used(0, 1, Corruption::IdOutOfRange).unwrap();
    let mut buf = [0; 150];
    assert!(matches!(
        b.try_recv(0, &mut buf),
        Err(RecvError::Corrupt { .. })
    ));
    // The two continuation fragments are thrown away; message 2 is next.
    assert_eq!(b.try_recv(0, &mut buf), Ok(10));
    check(2, &buf[..10]);
}

#[test]
fn nothing_to_corrupt() {
    let bus = bus();
    assert_eq!(
        bus.corrupt_used(0, 1, Corruption::LenTooLong),
        Err(CorruptError::NothingToCorrupt)
    );
    assert_eq!(
        bus.corrupt_used(1, 1, Corruption::LenTooLong),
        Err(CorruptError::NoSuchQueue { src: 1, dst: 1 })
    );
    let one = Bus::new(2, Config::new(1, 64)).unwrap();
    one.endpoint(0).unwrap().send(1, b"x").unwrap();
    assert_eq!(
        one.corrupt_used(0, 1, Corruption::IdNotPosted),
        Err(CorruptError::NotPossible)
    );
}

#[test]
fn damaging_an_entry_twice_the_same_way_is_reported_as_a_no_op() {
    let bus = bus();
    bus.endpoint(0).unwrap().send(1, b"x").unwrap();
    let first = bus.corrupt_used(0, 1, Corruption::IdOutOfRange).unwrap();
    assert_ne!(first.before, first.after);
    assert_eq!(
        bus.corrupt_used(0, 1, Corruption::IdOutOfRange),
        Err(CorruptError::AlreadyDamaged)
    );
}

/// A third thread corrupts entries at random while traffic flows. The
/// receiver may see `Corrupt` (and lose messages), but every message it is
/// handed is intact and in order, and once the corruption stops all flows.
#[test]
fn corruption_from_a_third_core_while_running() {
    const MESSAGES: u64 = 30_000;
    let bus = bus();
    let pool = Pool::new(9, 200);
    let stop = AtomicBool::new(false);
    let hits = AtomicU64::new(0);
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut tx = bus.endpoint(0).unwrap();
            for seq in 0..MESSAGES {
                let mut msg = pool.msg(seq, 8 + (seq % 150) as usize).to_vec();
                msg[..8].copy_from_slice(&seq.to_le_bytes());
                tx.send_with(1, &msg, &mut common::Polite::default())
                    .unwrap();
            }
        });
        s.spawn(|| {
            let kinds = [
                Corruption::IdOutOfRange,
                Corruption::IdNotPosted,
                Corruption::LenTooLong,
                Corruption::LenMismatch,
            ];
            let mut rng = Rng::new(10);
            while !stop.load(Relaxed) {
                if bus.corrupt_used(0, 1, kinds[rng.upto(3)]).is_ok() {
                    hits.fetch_add(1, Relaxed);
                }
                for _ in 0..rng.upto(200) {
                    std::hint::spin_loop();
                }
                std::thread::yield_now();
            }
        });
        let mut rx = bus.endpoint(1).unwrap();
        let (mut last, mut corrupt, mut buf) = (None::<u64>, 0u64, [0u8; 200]);
        while last != Some(MESSAGES - 1) {
            // Corrupt for at least half the run and 200 hits, at most 90%.
            let done = last.map_or(0, |l| l * 10 / MESSAGES);
            if done >= 9 || (done >= 5 && hits.load(Relaxed) >= 200) {
                stop.store(true, Relaxed);
            }
            match rx.recv_with(0, &mut buf, &mut common::Polite::default()) {
                Ok(len) => {
                    let seq = u64::from_le_bytes(buf[..8].try_into().unwrap());
                    assert_eq!(
                        &buf[8..len],
                        &pool.msg(seq, len)[8..],
                        "message {seq} damaged"
                    );
                    assert!(last.is_none_or(|l| l < seq), "out of order");
                    last = Some(seq);
                }
                Err(RecvError::Corrupt { .. }) => corrupt += 1,
                Err(e) => panic!("{e}"),
            }
        }
        assert!(corrupt > 0, "no corruption was ever seen");
        assert_eq!(bus.snapshot(0, 1).unwrap().counters.corrupt, corrupt);
    });
}
