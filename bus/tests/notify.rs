//! Notify mode (VIRTIO_F_EVENT_IDX, src/event.rs) on the host: which index
//! moves notify and which are suppressed, the counters and the dump, and a
//! real-thread stream where each side sleeps (park) until notified.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::thread::Thread;

use bus::{Bus, Config, NoNotifier, RecvError, Spin};

/// Notifications counted by `count_notification` (one test uses it).
static NOTIFIED: AtomicU64 = AtomicU64::new(0);

fn count_notification(_core: usize) {
    NOTIFIED.fetch_add(1, Relaxed);
}

fn ignore_notification(_core: usize) {}

#[test]
fn notify_mode_needs_a_notifier() {
    let bus = Bus::new(2, Config::default()).unwrap();
    assert_eq!(bus.set_notify(true), Err(NoNotifier));
    assert!(!bus.notify());
    let bus = bus.with_notifier(ignore_notification);
    assert_eq!(bus.set_notify(true), Ok(()));
    assert!(bus.notify());
}

#[test]
fn polling_never_notifies_nor_counts() {
    let bus = Bus::new(2, Config::new(8, 64))
        .unwrap()
        .with_notifier(ignore_notification);
    let (mut tx, mut rx) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
    let mut buf = [0; 8];
    for _ in 0..20 {
        assert!(!rx.arm(), "arm says sleep while polling");
        tx.send(1, b"x").unwrap();
        rx.recv(0, &mut buf).unwrap();
    }
    let e = bus.snapshot(0, 1).unwrap().events;
    assert_eq!((e.used_sent, e.used_suppressed), (0, 0));
    assert_eq!((e.avail_sent, e.avail_suppressed), (0, 0));
    assert!(
        bus.snapshot(0, 1)
            .unwrap()
            .to_string()
            .contains("mode=poll")
    );
}

#[test]
fn only_a_waiting_receiver_is_notified() {
    let bus = Bus::new(2, Config::new(8, 64))
        .unwrap()
        .with_notifier(count_notification);
    bus.set_notify(true).unwrap();
    let (mut tx, mut rx) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
    let mut buf = [0; 8];
    // The first publication crosses the initial used_event (0): notified.
    tx.send(1, b"a").unwrap();
    rx.recv(0, &mut buf).unwrap();
    // Nobody armed since: the next two are suppressed.
    tx.send(1, b"b").unwrap();
    tx.send(1, b"c").unwrap();
    rx.recv(0, &mut buf).unwrap();
    rx.recv(0, &mut buf).unwrap();
    // The receiver arms on its empty ring: used_event = last_used = 3.
    assert!(rx.arm());
    assert_eq!(bus.snapshot(0, 1).unwrap().events.used_event, 3);
    tx.send(1, b"d").unwrap();
    let e = bus.snapshot(0, 1).unwrap().events;
    assert_eq!((e.used_sent, e.used_suppressed), (2, 2));
    assert_eq!(NOTIFIED.load(Relaxed), 2);
    // Something is there now: arming says "don't sleep".
    assert!(!rx.arm());
    assert!(
        bus.snapshot(0, 1)
            .unwrap()
            .to_string()
            .contains("mode=notify notifications: used 2 sent 2 suppressed")
    );
}

#[test]
fn a_stalled_sender_is_notified_when_buffers_come_back() {
    let bus = Bus::new(2, Config::new(4, 64))
        .unwrap()
        .with_notifier(ignore_notification);
    bus.set_notify(true).unwrap();
    let (mut tx, mut rx) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
    for _ in 0..4 {
        tx.try_send(1, b"fill").unwrap();
    }
    assert!(tx.try_send(1, b"full").is_err());
    // Core 0 receives nothing, so only its stalled send is armed.
    assert!(tx.arm());
    assert_eq!(bus.snapshot(0, 1).unwrap().events.avail_event, 4);
    let mut buf = [0; 8];
    // A 4-entry queue re-posts every buffer as it is consumed.
    rx.try_recv(0, &mut buf).unwrap();
    rx.try_recv(0, &mut buf).unwrap();
    rx.try_recv(0, &mut buf).unwrap();
    rx.try_recv(0, &mut buf).unwrap();
    assert_eq!(rx.try_recv(0, &mut buf), Err(RecvError::Empty));
    let e = bus.snapshot(0, 1).unwrap().events;
    assert_eq!(
        e.avail_sent, 1,
        "the re-post past avail_event 4 notifies once"
    );
    assert!(!tx.arm(), "room came back: no sleeping");
    assert!(
        tx.arm(),
        "a send not retried leaves no stalled mark to spin on"
    );
    tx.try_send(1, b"room").unwrap();
}

/// The thread playing each core, for `unpark_core`.
static CORE_THREADS: Mutex<Vec<(usize, Thread)>> = Mutex::new(Vec::new());

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

/// Sleeps (park) whenever the arm says a notification is certain.
struct Park;

impl Spin for Park {
    fn keep_waiting(&mut self) -> bool {
        std::thread::yield_now();
        true
    }
    fn wait(&mut self, arm: &mut dyn FnMut() -> bool) -> bool {
        if arm() {
            std::thread::park();
        }
        true
    }
}

/// 140,000 messages (the 16-bit indices wrap twice) through an 8-entry
/// ring, both sides sleeping until notified: every message arrives in
/// order, and notifications are sent and suppressed.
#[test]
fn a_sleeping_stream_loses_no_wake_up() {
    const MESSAGES: u32 = 140_000;
    let bus = Bus::new(2, Config::new(8, 64))
        .unwrap()
        .with_notifier(unpark_core);
    bus.set_notify(true).unwrap();
    std::thread::scope(|s| {
        s.spawn(|| {
            CORE_THREADS
                .lock()
                .unwrap()
                .push((0, std::thread::current()));
            let mut tx = bus.endpoint(0).unwrap();
            for n in 0..MESSAGES {
                tx.send_with(1, &n.to_le_bytes(), &mut Park).unwrap();
            }
        });
        CORE_THREADS
            .lock()
            .unwrap()
            .push((1, std::thread::current()));
        let mut rx = bus.endpoint(1).unwrap();
        let mut buf = [0; 4];
        for n in 0..MESSAGES {
            assert_eq!(rx.recv_with(0, &mut buf, &mut Park), Ok(4));
            assert_eq!(u32::from_le_bytes(buf), n);
        }
    });
    let e = bus.snapshot(0, 1).unwrap().events;
    assert!(e.used_sent + e.avail_sent > 0, "{e:?}");
    assert!(e.used_suppressed > 0, "{e:?}");
}
