//! Random single-threaded operation sequences checked against a model queue
//! (`VecDeque`): every result predicted exactly, nothing dropped or invented,
//! and the snapshot's bookkeeping matching the model after every step.

mod common;

use std::collections::VecDeque;

use bus::{Bus, Config, DescState, MAX_MESSAGE, RecvError, SendError};
use common::{Pool, Rng};

/// Runs `steps` random try_send / try_recv calls on queue 0→1. Queues of
/// fewer than 8 entries re-post every buffer as soon as it is consumed (the
/// batch is a quarter of the queue), so the room the sender sees is exactly
/// `size` minus the fragments queued.
fn run(seed: u64, size: u16, steps: usize) {
    let config = Config::new(size, 64);
    let cap = config.payload_per_buffer();
    let bus = Bus::new(2, config).unwrap();
    let (mut a, mut b) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
    let pool = Pool::new(seed, MAX_MESSAGE + 16);
    let mut rng = Rng::new(seed);
    let mut model: VecDeque<(u64, usize)> = VecDeque::new();
    let frags = |len: usize| len.div_ceil(cap).max(1);
    let mut buf = vec![0; MAX_MESSAGE + 1];
    for seq in 0..steps as u64 {
        if rng.upto(1) == 0 {
            let len = if rng.upto(50) == 0 {
                MAX_MESSAGE - 5 + rng.upto(10)
            } else {
                rng.upto(cap * 3)
            };
            let queued: usize = model.iter().map(|&(_, l)| frags(l)).sum();
            let expect = if len > MAX_MESSAGE {
                Err(SendError::TooLarge {
                    len,
                    max: MAX_MESSAGE,
                })
            } else if frags(len) > usize::from(size) {
                Err(SendError::NeedsStreaming {
                    fragments: frags(len),
                    queue_size: size,
                })
            } else if queued + frags(len) > usize::from(size) {
                Err(SendError::Full {
                    needed: frags(len),
                    room: usize::from(size) - queued,
                })
            } else {
                Ok(())
            };
            assert_eq!(
                a.try_send(1, pool.msg(seq, len)),
                expect,
                "seed {seed} step {seq}"
            );
            if expect.is_ok() {
                model.push_back((seq, len));
            }
        } else {
            let room = rng.upto(cap * 3);
            let expect = match model.front() {
                None => Err(RecvError::Empty),
                Some(&(_, len)) if len > room => Err(RecvError::TooSmall {
                    src: 0,
                    needed: len,
                }),
                Some(&(_, len)) => Ok(len),
            };
            assert_eq!(
                b.try_recv(0, &mut buf[..room]),
                expect,
                "seed {seed} step {seq}"
            );
            if let Ok(len) = expect {
                let (sent_seq, _) = model.pop_front().unwrap();
                assert!(
                    buf[..len] == *pool.msg(sent_seq, len),
                    "message {sent_seq} damaged"
                );
            }
        }
        check_snapshot(&bus, size, model.iter().map(|&(_, l)| frags(l)).sum());
    }
}

/// The snapshot agrees with the model: `queued` fragments unread, the rest
/// of the descriptors posted, none lost.
fn check_snapshot(bus: &Bus, size: u16, queued: usize) {
    let snap = bus.snapshot(0, 1).unwrap();
    assert_eq!(usize::from(snap.in_flight()), queued);
    let states = snap.desc_states();
    let count = |s: DescState| states.iter().filter(|&&x| x == s).count();
    assert_eq!(count(DescState::FilledUnread), queued);
    assert_eq!(count(DescState::Posted), usize::from(size) - queued);
    assert_eq!(count(DescState::Filling) + count(DescState::Free), 0);
    assert_eq!(snap.counters.corrupt + snap.counters.lost, 0);
}

#[test]
fn random_operations_match_the_model() {
    for seed in 0..24 {
        let size = [1, 2, 4][seed as usize % 3];
        run(seed, size, 5_000);
    }
}
