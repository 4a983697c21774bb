//! The bus's trace points carry what docs/tracing.md's contract says: a
//! message's `bus.send` and `bus.recv` name the same first fragment (used
//! position and descriptor), count its fragments, and number the messages.
//! The viewer pairs sends with receives by these fields.
#![cfg(not(loom))]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use bus::{Bus, Config};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// One recorded event: its name and its unsigned fields.
type Recorded = (String, BTreeMap<String, u64>);

/// Keeps every event's name and u64 fields.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<Recorded>>>);

struct Fields(BTreeMap<String, u64>);

impl Visit for Fields {
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_string(), value);
    }
    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields(BTreeMap::new());
        event.record(&mut fields);
        self.0
            .lock()
            .unwrap()
            .push((event.metadata().name().to_string(), fields.0));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

fn events(all: &[Recorded], name: &str) -> Vec<BTreeMap<String, u64>> {
    all.iter()
        .filter(|(n, _)| n == name)
        .map(|(_, f)| f.clone())
        .collect()
}

#[test]
fn send_and_recv_name_the_same_first_fragment() {
    let capture = Capture::default();
    tracing::subscriber::with_default(capture.clone(), || {
        let bus = Bus::new(2, Config::new(8, 128)).unwrap();
        let (mut a, mut b) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
        let mut buf = vec![0u8; 1024];
        // 3 messages: 1 fragment, 3 fragments (120 bytes of payload each), 1 again,
        // sent and received one at a time so the ring wraps past position 8.
        for (round, len) in [10usize, 300, 5, 300, 300].into_iter().enumerate() {
            a.send(1, &vec![round as u8; len]).unwrap();
            assert_eq!(b.recv(0, &mut buf).unwrap(), len);
        }
    });
    let all = capture.0.lock().unwrap().clone();
    let (sends, recvs) = (events(&all, "bus.send"), events(&all, "bus.recv"));
    assert_eq!(sends.len(), 5);
    assert_eq!(recvs.len(), 5);
    let mut next_pos = 0u64;
    for (seq, (send, recv)) in sends.iter().zip(&recvs).enumerate() {
        for key in ["src", "dst", "len", "frags", "desc", "used_idx", "seq"] {
            assert_eq!(
                send.get(key),
                recv.get(key),
                "message {seq}: `{key}` differs:\n{send:?}\n{recv:?}"
            );
        }
        assert_eq!(send["seq"], seq as u64);
        assert_eq!(
            send["used_idx"], next_pos,
            "message {seq} starts where the last one ended"
        );
        assert_eq!(
            send["desc"],
            next_pos % 8,
            "buffers are re-posted in order: desc = slot"
        );
        let frags = send["len"].div_ceil(120);
        assert_eq!(send["frags"], frags);
        next_pos += frags;
    }
    let fills = events(&all, "bus.fill").len() as u64;
    assert_eq!(fills, next_pos, "one bus.fill per fragment");
}
