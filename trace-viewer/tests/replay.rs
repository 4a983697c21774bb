//! Replay pacing with an injected clock (nothing really sleeps): speed
//! scales the waits, idle gaps are cut, "as fast as possible" never waits,
//! a pause holds the schedule, and batches arrive complete and in order.

use std::cell::{Cell, RefCell};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use trace_viewer::input::feed::replay_items;
use trace_viewer::input::{Clock, MAX_GAP, Pacer};
use trace_viewer::item::Item;
use trace_wire::{Dropped, Record};

/// A clock that only moves when slept on, and remembers every sleep.
#[derive(Default)]
struct FakeClock {
    now: Cell<Duration>,
    sleeps: RefCell<Vec<Duration>>,
}

impl Clock for FakeClock {
    fn now(&self) -> Duration {
        self.now.get()
    }

    fn sleep(&self, d: Duration) {
        self.now.set(self.now.get() + d);
        self.sleeps.borrow_mut().push(d);
    }
}

/// A record stamped `ts_ns`.
fn at(ts_ns: u64) -> Item {
    Item::Record(Record::Dropped(Dropped {
        core: 0,
        ts_ns,
        count: 1,
    }))
}

/// Items 100 ms apart over one second.
fn ticks() -> Vec<Item> {
    (0..=10).map(|i| at(i * 100_000_000)).collect()
}

/// Replays `items` at `speed` on a fake clock; returns it and the batches.
fn replay(items: &[Item], speed: Option<f64>) -> (FakeClock, Vec<Vec<Item>>) {
    let clock = FakeClock::default();
    let mut batches = Vec::new();
    let done = replay_items(
        items,
        &mut Pacer::new(speed),
        &clock,
        &AtomicBool::new(false),
        |b| {
            batches.push(b);
            true
        },
    );
    assert!(done);
    (clock, batches)
}

#[test]
fn real_time_takes_as_long_as_the_trace() {
    let (clock, batches) = replay(&ticks(), Some(1.0));
    assert_eq!(clock.now(), Duration::from_secs(1));
    assert_eq!(clock.sleeps.borrow().len(), 10);
    assert_eq!(batches.concat(), ticks(), "everything, once, in order");
}

#[test]
fn speed_divides_the_waits() {
    let (clock, _) = replay(&ticks(), Some(4.0));
    assert_eq!(clock.now(), Duration::from_millis(250));
    let (clock, _) = replay(&ticks(), Some(0.5));
    assert_eq!(clock.now(), Duration::from_secs(2));
}

#[test]
fn as_fast_as_possible_never_waits() {
    for speed in [
        None,
        Some(0.0),
        Some(-1.0),
        Some(f64::NAN),
        Some(f64::INFINITY),
    ] {
        let (clock, batches) = replay(&ticks(), speed);
        assert_eq!(clock.now(), Duration::ZERO, "{speed:?}");
        assert_eq!(batches.len(), 1);
    }
}

#[test]
fn idle_gaps_are_cut_to_one_second() {
    let items = vec![at(0), at(10_000_000_000), at(10_500_000_000)];
    let (clock, _) = replay(&items, Some(1.0));
    assert_eq!(
        *clock.sleeps.borrow(),
        vec![MAX_GAP, Duration::from_millis(500)]
    );
}

#[test]
fn records_from_the_past_do_not_wait() {
    let items = vec![at(1_000_000_000), at(500_000_000), at(1_000_000_000)];
    let (clock, batches) = replay(&items, Some(1.0));
    assert_eq!(clock.now(), Duration::ZERO);
    assert_eq!(batches.concat(), items);
}

#[test]
fn tiny_waits_are_batched_not_slept() {
    let items: Vec<Item> = (0..1000).map(|i| at(i * 1_000)).collect();
    let (clock, batches) = replay(&items, Some(1.0));
    assert!(
        clock.sleeps.borrow().is_empty(),
        "1 ms of trace needs no sleep"
    );
    assert_eq!(batches.concat().len(), 1000);
}

#[test]
fn a_pause_holds_the_schedule() {
    let mut p = Pacer::new(Some(1.0));
    assert_eq!(p.delay(0, Duration::ZERO), Duration::ZERO);
    p.hold(Duration::from_secs(3));
    assert_eq!(
        p.delay(100_000_000, Duration::from_secs(3)),
        Duration::from_millis(100)
    );
}

#[test]
fn replay_stops_when_the_receiver_leaves() {
    let clock = FakeClock::default();
    let mut calls = 0;
    let done = replay_items(
        &ticks(),
        &mut Pacer::new(Some(1.0)),
        &clock,
        &AtomicBool::new(false),
        |_| {
            calls += 1;
            false
        },
    );
    assert!(!done);
    assert_eq!(calls, 1);
}
