//! The bus's trace points carry what docs/tracing.md's contract says: a
//! message's `bus.send` and `bus.recv` name the same first fragment (used
//! position and descriptor), count its fragments, and number the messages.
//! The viewer pairs sends with receives by these fields.
#![cfg(not(loom))]

use std::collections::BTreeMap;
use std::num::NonZeroU64;
use std::sync::Mutex;

use bus::{Bus, Config, PROBES};
use probe::{Probe, Sink, Values};

/// One recorded event: its name and its fields.
type Recorded = (String, BTreeMap<String, u64>);

/// Keeps every firing of the bus's probes, by the name of the probe.
struct Capture(Mutex<Vec<Recorded>>);

impl Sink for Capture {
    fn event(&self, probe: &'static Probe, _: NonZeroU64, values: &Values) {
        let names = probe.fields.iter().map(|f| f.name.to_string());
        let fields = names.zip(values.iter().copied()).collect();
        self.0
            .lock()
            .unwrap()
            .push((probe.name.to_string(), fields));
    }
    fn enter(&self, _: &'static Probe, _: NonZeroU64, _: &Values) -> u32 {
        unreachable!("the bus's probes are events")
    }
    fn record(&self, _: &'static Probe, _: u32, _: usize, _: u64) {}
    fn exit(&self, _: u32) {}
}

static CAPTURE: Capture = Capture(Mutex::new(Vec::new()));
static SINK: &dyn Sink = &CAPTURE;

/// Runs `f` with every bus probe on (tags: their index in [`PROBES`], plus 1) and
/// returns what they recorded. Only this file's one test fires bus probes.
fn capture(f: impl FnOnce()) -> Vec<Recorded> {
    probe::install(&SINK);
    for (tag, probe) in (1..).zip(PROBES) {
        probe.enable(NonZeroU64::new(tag).unwrap());
    }
    f();
    PROBES.iter().for_each(|probe| probe.disable());
    std::mem::take(&mut CAPTURE.0.lock().unwrap())
}

fn events(all: &[Recorded], name: &str) -> Vec<BTreeMap<String, u64>> {
    all.iter()
        .filter(|(n, _)| n == name)
        .map(|(_, f)| f.clone())
        .collect()
}

#[test]
fn send_and_recv_name_the_same_first_fragment() {
    let all = capture(|| {
        let bus = Bus::new(2, Config::new(8, 128)).unwrap();
        let (mut a, mut b) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
        let mut buf = vec![0u8; 1024];
        // 5 messages of 1 or 3 fragments (120 bytes of payload each), sent
        // and received one at a time so the ring wraps past position 8.
        for (round, len) in [10usize, 300, 5, 300, 300].into_iter().enumerate() {
            a.send(1, &vec![round as u8; len]).unwrap();
            assert_eq!(b.recv(0, &mut buf).unwrap(), len);
        }
        // Then 4 in a batch each way: a run of two whole messages, a long
        // one, and a whole one.
        let batch = [20, 21, 300, 4].map(|len| vec![len as u8; len]);
        assert_eq!(a.try_send_batch(1, &batch), Ok(4));
        assert_eq!(b.try_recv_batch(0, &mut buf, 8, |_| {}), Ok(4));
    });
    let (sends, recvs) = (events(&all, "bus.send"), events(&all, "bus.recv"));
    assert_eq!(sends.len(), 9);
    assert_eq!(recvs.len(), 9);
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
