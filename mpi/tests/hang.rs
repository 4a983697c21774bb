//! The wait hook, through real threads: two ranks that both receive first
//! are reported as a deadlock; a rank sending into a full queue says so; and
//! the hook hears "moving again" when the message comes.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use mpi::{Blocked, Error, Mpi, WaitTag, wait_report};
use testkit::{Fabric, Port};

/// Per-core words as the kernel would keep them: the hook's Release store
/// pairs with the watcher's Acquire load in `wait_until`.
type Words = Arc<Vec<AtomicU64>>;

/// Core `core`'s MPI with the hook publishing into `words` and an abort
/// check on `stop`.
fn rank(fabric: &Arc<Fabric>, core: usize, words: &Words, stop: &Arc<AtomicBool>) -> Mpi<Port> {
    let (words, stop) = (Arc::clone(words), Arc::clone(stop));
    // Relaxed: a stop flag, no data published through it.
    Mpi::new(fabric.port(core))
        .unwrap()
        .with_abort(move || stop.load(Ordering::Relaxed))
        .with_wait_hook(move |state| {
            words[core].store(state.map_or(0, Blocked::to_word), Ordering::Release)
        })
}

/// Waits (10 s at most) until `ok` holds for the decoded states.
fn wait_until(words: &Words, ok: impl Fn(&[Option<Blocked>]) -> bool) -> Vec<Option<Blocked>> {
    let start = Instant::now();
    loop {
        let states: Vec<_> = words
            .iter()
            .map(|w| Blocked::from_word(w.load(Ordering::Acquire)))
            .collect();
        if ok(&states) || start.elapsed() > Duration::from_secs(10) {
            return states;
        }
        std::thread::yield_now();
    }
}

#[test]
fn receive_receive_deadlock_is_named() {
    let fabric = Fabric::new(2, 256, 4);
    let words: Words = Arc::new((0..2).map(|_| AtomicU64::new(0)).collect());
    let stop = Arc::new(AtomicBool::new(false));
    std::thread::scope(|s| {
        for core in 0..2 {
            let mut mpi = rank(&fabric, core, &words, &stop);
            s.spawn(move || {
                let world = mpi.world();
                let mut buf = [0i32];
                let other = 1 - core;
                assert_eq!(mpi.recv(&world, other, 4, &mut buf), Err(Error::Aborted));
            });
        }
        let states = wait_until(&words, |s| s.iter().all(Option::is_some));
        // Relaxed: the stop flag (see `rank`).
        stop.store(true, Ordering::Relaxed);
        assert_eq!(
            wait_report(&states),
            [
                "rank 0 waits to receive from 1 with tag 4",
                "rank 1 waits to receive from 0 with tag 4",
                "deadlock: rank 0 waits for rank 1, rank 1 waits for rank 0",
            ]
        );
    });
}

#[test]
fn a_full_queue_is_reported_and_clears_when_drained() {
    let fabric = Fabric::new(2, 64, 1);
    let words: Words = Arc::new((0..2).map(|_| AtomicU64::new(0)).collect());
    let stop = Arc::new(AtomicBool::new(false));
    let mut sender = rank(&fabric, 0, &words, &stop);
    let mut receiver = rank(&fabric, 1, &words, &stop);
    std::thread::scope(|s| {
        s.spawn(move || {
            let world = sender.world();
            for v in 0..3u32 {
                sender.send(&world, 1, 0, &[v]).unwrap();
            }
        });
        let states = wait_until(&words, |s| s[0].is_some());
        assert_eq!(states[0], Some(Blocked::Send { to: 1 }));
        assert_eq!(
            wait_report(&states),
            ["rank 0 waits to send to 1 (its queue is full)"]
        );
        let world = receiver.world();
        let mut got = [0u32];
        for v in 0..3 {
            receiver.recv(&world, 0, 0, &mut got).unwrap();
            assert_eq!(got, [v]);
        }
    });
    // The sender finished: its hook heard "moving again" after the "full".
    assert_eq!(words[0].load(Ordering::Acquire), 0);
}

#[test]
fn a_blocked_receive_is_cleared_when_its_message_comes() {
    let fabric = Fabric::new(2, 256, 4);
    let words: Words = Arc::new((0..2).map(|_| AtomicU64::new(0)).collect());
    let stop = Arc::new(AtomicBool::new(false));
    let mut waiter = rank(&fabric, 0, &words, &stop);
    let mut sender = rank(&fabric, 1, &words, &stop);
    std::thread::scope(|s| {
        let done = s.spawn(move || {
            let world = waiter.world();
            let mut buf = [0u64; 2];
            waiter
                .recv(&world, mpi::Source::Any, mpi::TagMatch::Any, &mut buf)
                .unwrap();
            buf
        });
        let states = wait_until(&words, |s| s[0].is_some());
        let any = Blocked::Recv {
            from: None,
            tag: WaitTag::Any,
        };
        assert_eq!(states[0], Some(any));
        let world = sender.world();
        sender.send(&world, 0, 9, &[5u64, 6]).unwrap();
        assert_eq!(done.join().unwrap(), [5, 6]);
    });
    assert_eq!(words[0].load(Ordering::Acquire), 0);
}
