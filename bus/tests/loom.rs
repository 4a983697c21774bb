//! loom models of the index protocol: every interleaving (within a preemption
//! bound) of sender, receiver and an inspecting core, with loom checking that
//! no buffer is ever touched by two cores without a Release/Acquire between.
//! The `no_lost_wake_up_*` models add notification (src/event.rs): a waiter
//! parks, and only the notifier unparks it.
//! Run: `RUSTFLAGS="--cfg loom" cargo test -p bus --release --test loom`.
#![cfg(loom)]

use bus::{Bus, Config, DescState, Endpoint, RecvError};
use loom::sync::Arc;
use loom::thread;

/// Runs `f` under loom, with a preemption bound of 3 unless
/// `LOOM_MAX_PREEMPTIONS` says otherwise (bugs of ordering show up with few
/// preemptions; the bound keeps each model to seconds).
fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = Some(3);
    }
    builder.check(f);
}

/// A 2-entry queue of 64-byte buffers (56 payload bytes each).
fn tiny_bus(cores: usize) -> Arc<Bus> {
    Arc::new(Bus::new(cores, Config::new(2, 64)).unwrap())
}

/// Runs `send` on a new thread with core 0's endpoint.
fn spawn_sender(
    bus: &Arc<Bus>,
    send: impl FnOnce(&mut Endpoint<'_>) + Send + 'static,
) -> thread::JoinHandle<()> {
    let bus = bus.clone();
    thread::spawn(move || send(&mut bus.endpoint(0).unwrap()))
}

fn pattern(seed: u8, len: usize) -> Vec<u8> {
    (0..len).map(|i| seed.wrapping_add(i as u8)).collect()
}

/// A 3-fragment message streams through a 2-entry ring: the receiver must
/// re-post while the sender waits, and every byte must arrive.
#[test]
fn message_streams_through_a_smaller_ring() {
    model(|| {
        let bus = tiny_bus(2);
        let tx = {
            let bus = bus.clone();
            thread::spawn(move || bus.endpoint(0).unwrap().send(1, &pattern(1, 150)).unwrap())
        };
        let mut buf = [0; 150];
        assert_eq!(bus.endpoint(1).unwrap().recv(0, &mut buf), Ok(150));
        assert_eq!(buf[..], pattern(1, 150)[..]);
        tx.join().unwrap();
    });
}

/// Two one-fragment messages fill the ring; then a third must wait for a
/// re-post. FIFO order and contents checked, buffers reused across the wrap
/// of the 2-entry ring.
#[test]
fn messages_keep_their_order_through_buffer_reuse() {
    model(|| {
        let bus = tiny_bus(2);
        let tx = spawn_sender(&bus, |ep| {
            for seed in 0..3 {
                ep.send(1, &pattern(seed, 10 + usize::from(seed))).unwrap();
            }
        });
        let mut rx = bus.endpoint(1).unwrap();
        let mut buf = [0; 16];
        for seed in 0..3 {
            let len = rx.recv(0, &mut buf).unwrap();
            assert_eq!(buf[..len], pattern(seed, 10 + usize::from(seed))[..]);
        }
        tx.join().unwrap();
    });
}

/// Non-blocking calls on both sides: a try_send that succeeds is received
/// whole; a try_recv never returns part of a message.
#[test]
fn try_calls_are_all_or_nothing() {
    model(|| {
        let bus = tiny_bus(2);
        let tx = {
            let bus = bus.clone();
            thread::spawn(move || {
                let mut ep = bus.endpoint(0).unwrap();
                while ep.try_send(1, &pattern(7, 100)).is_err() {
                    thread::yield_now();
                }
            })
        };
        let mut rx = bus.endpoint(1).unwrap();
        let mut buf = [0; 100];
        loop {
            match rx.try_recv(0, &mut buf) {
                Ok(len) => {
                    assert_eq!(buf[..len], pattern(7, 100)[..]);
                    break;
                }
                Err(RecvError::Empty) => thread::yield_now(),
                Err(e) => panic!("{e}"),
            }
        }
        tx.join().unwrap();
    });
}

/// A third core snapshots the queue while a message goes through: it reads
/// only atomics, so loom finds no race, and what it sees is well formed.
#[test]
fn snapshot_while_running() {
    model(|| {
        let bus = tiny_bus(2);
        let tx = {
            let bus = bus.clone();
            thread::spawn(move || bus.endpoint(0).unwrap().send(1, &pattern(3, 20)).unwrap())
        };
        let inspector = {
            let bus = bus.clone();
            thread::spawn(move || {
                let snap = bus.snapshot(0, 1).unwrap();
                assert!(snap.in_flight() <= 1);
                let unread = snap
                    .desc_states()
                    .iter()
                    .filter(|&&s| s == DescState::FilledUnread)
                    .count();
                assert_eq!(unread, usize::from(snap.in_flight()));
            })
        };
        let mut buf = [0; 20];
        assert_eq!(bus.endpoint(1).unwrap().recv(0, &mut buf), Ok(20));
        assert_eq!(buf[..], pattern(3, 20)[..]);
        tx.join().unwrap();
        inspector.join().unwrap();
    });
}

/// Core 0's endpoint changes hands between two threads with no other
/// synchronisation. Each tries once to take it and send; whichever goes
/// second must see the first's private indices (Release on drop, Acquire on
/// take), or it would refill buffer 0, which the first already published
/// (loom: a race on that buffer; test: a lost message).
#[test]
fn endpoint_handover_carries_the_private_state() {
    model(|| {
        let bus = tiny_bus(2);
        let senders: Vec<_> = [1u8, 2]
            .into_iter()
            .map(|seed| {
                let bus = bus.clone();
                thread::spawn(move || match bus.endpoint(0) {
                    Ok(mut ep) => ep.send(1, &pattern(seed, 20)).map(|()| Some(seed)),
                    Err(_) => Ok(None),
                })
            })
            .collect();
        let mut sent: Vec<u8> = senders
            .into_iter()
            .filter_map(|h| h.join().unwrap().unwrap())
            .collect();
        let mut rx = bus.endpoint(1).unwrap();
        let mut buf = [0; 20];
        let mut seen = Vec::new();
        while let Ok(len) = rx.try_recv(0, &mut buf) {
            assert_eq!(len, 20);
            assert!(buf[..] == pattern(buf[0], 20)[..]);
            seen.push(buf[0]);
        }
        sent.sort_unstable();
        seen.sort_unstable();
        assert_eq!(seen, sent);
    });
}

loom::lazy_static! {
    /// The threads playing each core, for the models' notifier to unpark.
    static ref CORE_THREADS: loom::sync::Mutex<Vec<(usize, thread::Thread)>> =
        loom::sync::Mutex::new(Vec::new());
}

/// Makes the calling thread core `core` for the notifier.
fn play_core(core: usize) {
    CORE_THREADS.lock().unwrap().push((core, thread::current()));
}

/// The models' notifier, the IPI's stand-in: unparks the thread playing
/// `core`. loom's park keeps one token, as a pending interrupt stays
/// pending while interrupts are off: an unpark before the park is not lost.
fn unpark_core(core: usize) {
    for (_, t) in CORE_THREADS
        .lock()
        .unwrap()
        .iter()
        .filter(|(c, _)| *c == core)
    {
        t.unpark();
    }
}

/// A notifying 2-core bus of 2-entry queues, in notify mode.
fn notifying_bus() -> Arc<Bus> {
    let bus = Bus::new(2, Config::new(2, 64))
        .unwrap()
        .with_notifier(unpark_core);
    bus.set_notify(true).unwrap();
    Arc::new(bus)
}

/// The kernel's wait in notify mode, with park for `sti; hlt`: sleep only
/// when the arm (publish the event index, fence, re-check) says so.
struct Park;

impl bus::Spin for Park {
    fn keep_waiting(&mut self) -> bool {
        thread::yield_now();
        true
    }
    fn wait(&mut self, arm: &mut dyn FnMut() -> bool) -> bool {
        if arm() {
            thread::park();
        } else {
            thread::yield_now();
        }
        true
    }
}

/// The lost-wake-up race on an empty ring: the receiver arms (used_event,
/// SeqCst fence, re-check used.idx) while the sender publishes (used.idx,
/// SeqCst fence, load used_event). Two messages, because the first always
/// crosses the initial used_event of 0. Weaken either fence to AcqRel and
/// loom finds the run where both loads see the old values: the receiver
/// parks on a ring holding a message, the sender sends no notification,
/// and loom reports the deadlock.
#[test]
fn no_lost_wake_up_on_an_empty_ring() {
    model(|| {
        let bus = notifying_bus();
        play_core(1);
        let tx = {
            let bus = bus.clone();
            thread::spawn(move || {
                let mut ep = bus.endpoint(0).unwrap();
                ep.send(1, &pattern(5, 8)).unwrap();
                ep.send(1, &pattern(6, 8)).unwrap();
            })
        };
        let mut rx = bus.endpoint(1).unwrap();
        let mut buf = [0; 8];
        for seed in [5, 6] {
            assert_eq!(rx.recv_with(0, &mut buf, &mut Park), Ok(8));
            assert_eq!(buf[..], pattern(seed, 8)[..]);
        }
        tx.join().unwrap();
    });
}

/// The same race on a full ring, and MPI's way of waiting: non-blocking
/// calls, then `Endpoint::arm` over every queue before parking. Three
/// messages through 2 entries: the sender must sleep for room (avail_event,
/// notified by the receiver's re-post) and the receiver for messages.
#[test]
fn no_lost_wake_up_on_a_full_ring() {
    model(|| {
        let bus = notifying_bus();
        play_core(1);
        let tx = {
            let bus = bus.clone();
            thread::spawn(move || {
                play_core(0);
                let mut ep = bus.endpoint(0).unwrap();
                for seed in 0..3 {
                    while ep.try_send(1, &pattern(seed, 8)).is_err() {
                        if ep.arm() {
                            thread::park();
                        }
                    }
                }
            })
        };
        let mut rx = bus.endpoint(1).unwrap();
        let mut buf = [0; 8];
        for seed in 0..3 {
            loop {
                match rx.try_recv(0, &mut buf) {
                    Ok(len) => {
                        assert_eq!(buf[..len], pattern(seed, 8)[..]);
                        break;
                    }
                    Err(RecvError::Empty) if rx.arm() => thread::park(),
                    Err(RecvError::Empty) => thread::yield_now(),
                    Err(e) => panic!("{e}"),
                }
            }
        }
        tx.join().unwrap();
    });
}

/// Batches on both sides: two whole messages published with one store, a
/// third after the receiver's batch re-posted the buffers; every message
/// arrives once, in order, and loom sees no buffer touched by two cores.
#[test]
fn batches_arrive_whole_and_in_order() {
    model(|| {
        let bus = tiny_bus(2);
        let tx = spawn_sender(&bus, |ep| {
            let msgs = [pattern(0, 10), pattern(1, 11), pattern(2, 12)];
            let mut sent = 0;
            while sent < msgs.len() {
                match ep.try_send_batch(1, &msgs[sent..]).unwrap() {
                    0 => thread::yield_now(),
                    n => sent += n,
                }
            }
        });
        let mut rx = bus.endpoint(1).unwrap();
        let (mut buf, mut seen) = ([0; 16], Vec::new());
        while seen.len() < 3 {
            let got = rx
                .try_recv_batch(0, &mut buf, 2, |m| seen.push(m.to_vec()))
                .unwrap();
            if got == 0 {
                thread::yield_now();
            }
        }
        let expected: Vec<Vec<u8>> = (0..3).map(|s| pattern(s, 10 + usize::from(s))).collect();
        assert_eq!(seen, expected);
        tx.join().unwrap();
    });
}
