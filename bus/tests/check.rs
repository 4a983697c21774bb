//! `Bus::check` (the kernel's `vq check`) and `Endpoint::discard_pending`:
//! a clean bus passes, leftovers and damage are reported, and discarding the
//! leftovers (whole messages or the part of one a stopped sender left) makes
//! the queue consistent and usable again.

mod common;

use bus::{Bus, Config, Corruption, Discarded, ViolationKind};
use common::{check, message};

fn bus() -> Bus {
    Bus::new(3, Config::new(8, 64)).unwrap()
}

/// Every violation's kind on the bus, all queues quiet.
fn violations(bus: &Bus) -> Vec<ViolationKind> {
    let (queues, found) = bus.check(|_, _| true);
    assert_eq!(queues, 6);
    found.into_iter().map(|v| v.kind).collect()
}

#[test]
fn a_fresh_bus_and_one_after_traffic_are_consistent() {
    let bus = bus();
    assert_eq!(violations(&bus), []);
    let (mut a, mut b) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
    let mut buf = [0; 200];
    for seq in 0..40 {
        a.send(1, &message(seq, 7 + seq as usize)).unwrap();
        let len = b.recv(0, &mut buf).unwrap();
        check(seq, &buf[..len]);
    }
    assert_eq!(violations(&bus), []);
}

#[test]
fn an_available_slot_out_of_ring_order_is_reported() {
    let bus = bus();
    let mut snap = bus.snapshot(0, 1).unwrap();
    assert_eq!(snap.check(true), []);
    // A swap (each descriptor still posted once), and one outside the table.
    snap.avail.ring.swap(3, 5);
    snap.avail.ring[6] = 8;
    let kinds: Vec<ViolationKind> = snap.check(true).into_iter().map(|v| v.kind).collect();
    assert_eq!(
        kinds,
        [3, 5, 6].map(|slot| ViolationKind::AvailOutOfOrder {
            slot,
            id: snap.avail.ring[slot]
        })
    );
}

#[test]
fn a_message_left_unread_is_in_flight_only_while_quiet() {
    let bus = bus();
    let mut a = bus.endpoint(0).unwrap();
    a.send(2, b"x").unwrap();
    assert_eq!(
        violations(&bus),
        [ViolationKind::InFlight {
            unread: 1,
            filling: 0
        }]
    );
    let (_, busy) = bus.check(|src, dst| (src, dst) != (0, 2));
    assert!(busy.is_empty(), "{busy:?}");
    let found = bus.check(|_, _| true).1[0].to_string();
    assert_eq!(
        found,
        "vq 0->2: 1 fragment(s) unread and 0 being filled, but neither core runs a job"
    );
}

#[test]
fn a_corrupted_entry_is_reported_and_discarding_it_repairs_the_queue() {
    let bus = bus();
    let (mut a, mut b) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
    a.send(1, b"zzz").unwrap();
    bus.corrupt_used(0, 1, Corruption::IdNotPosted).unwrap();
    let kinds = violations(&bus);
    assert!(
        kinds.contains(&ViolationKind::UsedIdNotPosted {
            pos: 0,
            id: 1,
            posted: 0
        }),
        "{kinds:?}"
    );
    let text = bus.check(|_, _| true).1[0].to_string();
    assert!(
        text.contains("names descriptor 1, but buffer 0 was posted there"),
        "{text}"
    );
    let thrown = b.discard_pending();
    assert_eq!(
        thrown,
        Discarded {
            messages: 0,
            fragments: 0,
            damaged: 1
        }
    );
    assert_eq!(thrown.to_string(), "1 damaged entry");
    assert_eq!(violations(&bus), []);
    a.send(1, b"after").unwrap();
    let mut buf = [0; 16];
    assert_eq!(b.recv(0, &mut buf), Ok(5));
}

#[test]
fn a_length_beyond_the_buffer_is_reported() {
    let bus = bus();
    let mut a = bus.endpoint(0).unwrap();
    a.send(1, b"zzz").unwrap();
    bus.corrupt_used(0, 1, Corruption::LenTooLong).unwrap();
    assert!(
        violations(&bus).contains(&ViolationKind::UsedLenOutOfRange { pos: 0, len: 65 }),
        "{:?}",
        violations(&bus)
    );
}

#[test]
fn discarding_takes_whole_messages_and_the_part_a_stopped_sender_left() {
    let bus = bus();
    let (mut a, mut b, mut c) = (
        bus.endpoint(0).unwrap(),
        bus.endpoint(1).unwrap(),
        bus.endpoint(2).unwrap(),
    );
    a.send(1, &message(1, 10)).unwrap();
    // 8 fragments of a 1000-byte message fill the ring; then the sender stops.
    assert!(c.send_until(1, &message(2, 1000), &|| true).is_err());
    let thrown = b.discard_pending();
    assert_eq!(
        thrown,
        Discarded {
            messages: 2,
            fragments: 9,
            damaged: 0
        }
    );
    assert_eq!(thrown.to_string(), "2 message(s) (9 fragments)");
    assert_eq!(violations(&bus), []);
    assert!(b.discard_pending().is_empty());
    c.send(1, &message(3, 30)).unwrap();
    let mut buf = [0; 64];
    assert_eq!(b.recv(2, &mut buf), Ok(30));
    check(3, &buf[..30]);
    assert_eq!(violations(&bus), []);
}
