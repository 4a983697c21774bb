//! Probes reach the installed sink only while enabled, with their values in
//! field order; an off probe does not compute its values; a span entered
//! while on is left even if the probe was turned off meanwhile; a group is
//! on exactly while one of its members is; a probe says whether its fields
//! are narrow, and a narrow event's values travel packed.

use std::num::NonZeroU64;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use probe::{Field, Kind, Level, MAX_FIELDS, Probe, Sink, Values};

probe::probe!(static SEND = event "test.send", target: "test", DEBUG, ["src", "dst", "len"]);
probe::probe!(static OTHER = event "test.other", target: "test", TRACE, ["n"]);
probe::probe!(static RECV = span "test.recv", target: "test", DEBUG, ["peer": i64, "len"]);
static PAIR: probe::Group = probe::Group::new();
probe::probe!(static FIRST = event "test.first", target: "test", DEBUG, in PAIR, ["n"]);
probe::probe!(static SECOND = span "test.second", target: "test", TRACE, in PAIR, ["n"]);
probe::probe!(static SLOT = event "test.slot", target: "test", TRACE, ["desc": u32, "delta": i32]);
probe::probe!(static CALL = span "test.call", target: "test", INFO,
    ["root": maybe, "algorithm": str(&["linear", "tree"]), "count"]);

/// What the sink was told, in order.
#[derive(Clone, Debug, PartialEq)]
enum Told {
    Event(u64, Vec<u64>),
    Enter(u64, Vec<u64>),
    Record(u32, usize, u64),
    Exit(u32),
}

struct Capture(Mutex<Vec<Told>>);

impl Sink for Capture {
    fn event(&self, probe: &'static Probe, tag: NonZeroU64, values: &Values) {
        self.0
            .lock()
            .unwrap()
            .push(Told::Event(tag.get(), given(probe, values)));
    }
    fn enter(&self, probe: &'static Probe, tag: NonZeroU64, values: &Values) -> u32 {
        self.0
            .lock()
            .unwrap()
            .push(Told::Enter(tag.get(), given(probe, values)));
        40 + tag.get() as u32
    }
    fn record(&self, _: &'static Probe, span: u32, field: usize, value: u64) {
        self.0
            .lock()
            .unwrap()
            .push(Told::Record(span, field, value));
    }
    fn exit(&self, span: u32) {
        self.0.lock().unwrap().push(Told::Exit(span));
    }
}

/// The values of `probe`'s fields; the rest must be the zero padding.
fn given(probe: &Probe, values: &Values) -> Vec<u64> {
    let (fields, padding) = values.split_at(probe.fields.len());
    assert_eq!(
        padding,
        vec![0; MAX_FIELDS - fields.len()],
        "padded with zeros"
    );
    fields.to_vec()
}

static CAPTURE: Capture = Capture(Mutex::new(Vec::new()));
static SINK: &dyn Sink = &CAPTURE;
/// The tests share the one sink: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn tag(bits: u64) -> NonZeroU64 {
    NonZeroU64::new(bits).unwrap()
}

fn told() -> Vec<Told> {
    std::mem::take(&mut CAPTURE.0.lock().unwrap())
}

#[test]
fn events_fire_only_while_enabled_and_in_field_order() {
    let _one = SERIAL.lock().unwrap();
    probe::install(&SINK);
    let computed = AtomicUsize::new(0);
    let values = || {
        computed.fetch_add(1, Ordering::Relaxed);
        [1, 2, 64]
    };
    SEND.fire(values);
    assert_eq!(
        computed.load(Ordering::Relaxed),
        0,
        "an off probe computes nothing"
    );
    assert_eq!(SEND.tag(), None);
    assert!(!SEND.is_on());

    SEND.enable(tag(7));
    OTHER.enable(tag(1 << 40 | 8)); // a tag is a whole word
    assert_eq!(SEND.tag(), Some(tag(7)));
    assert!(SEND.is_on());
    SEND.fire(values);
    OTHER.fire(|| [99]);
    SEND.disable();
    SEND.fire(values);
    OTHER.disable();

    assert_eq!(computed.load(Ordering::Relaxed), 1);
    assert_eq!(
        told(),
        [
            Told::Event(7, vec![1, 2, 64]),
            Told::Event(1 << 40 | 8, vec![99])
        ]
    );
}

/// A narrow event's values reach the sink packed two to a word; a sink
/// that does not take them packed (this one) is given them unpacked, each
/// cut to 32 bits and an `i32` sign-extended.
#[test]
fn a_narrow_event_hands_its_values_over_packed() {
    let values = [7, (-3i64) as u64, 1 << 40 | 9, 0, 0, 0, 0, 0];
    let packed = probe::pack(&values);
    assert_eq!(packed, [7 | 0xFFFF_FFFD << 32, 9, 0, 0]);
    assert_eq!(
        probe::unpack(&SLOT, packed)[..2],
        [7, (-3i64) as u64],
        "the i32 field read back sign-extended"
    );
    let _one = SERIAL.lock().unwrap();
    probe::install(&SINK);
    SLOT.enable(tag(3));
    SLOT.fire(|| [7, (-3i64) as u64]);
    SLOT.fire(|| [1 << 40 | 9, 4]); // a u32 field keeps its low 32 bits
    SLOT.disable();
    assert_eq!(
        told(),
        [
            Told::Event(3, vec![7, (-3i64) as u64]),
            Told::Event(3, vec![9, 4])
        ]
    );
}

#[test]
fn a_span_is_entered_recorded_and_left_even_if_turned_off_inside() {
    let _one = SERIAL.lock().unwrap();
    probe::install(&SINK);
    {
        let _off = RECV.enter(|| [1, 2]);
        _off.record(1, 5);
    }
    assert_eq!(told(), [], "an off span tells nothing, not even its exit");
    RECV.enable(tag(2));
    {
        let inside = RECV.enter(|| [(-1i64) as u64, 0]);
        RECV.disable();
        inside.record(1, 64);
    }
    assert_eq!(
        told(),
        [
            Told::Enter(2, vec![u64::MAX, 0]),
            Told::Record(42, 1, 64),
            Told::Exit(42)
        ]
    );
}

#[test]
fn a_probe_describes_itself() {
    assert_eq!(SEND.name, "test.send");
    assert_eq!(SEND.target, "test");
    assert_eq!(SEND.level, Level::DEBUG);
    assert!(!SEND.is_span && RECV.is_span);
    assert_eq!(SEND.fields.len(), 3);
    assert_eq!(
        RECV.fields,
        [
            Field {
                name: "peer",
                kind: Kind::I64
            },
            Field {
                name: "len",
                kind: Kind::U64
            }
        ]
    );
    assert_eq!((SEND.signed, RECV.signed, SLOT.signed), (0, 0b01, 0b10));
    assert!(SEND.plain && RECV.plain && SLOT.plain && !CALL.plain);
    assert!(SLOT.narrow && !SEND.narrow && !RECV.narrow && !CALL.narrow);
    assert_eq!(
        SLOT.fields.iter().map(|f| f.kind).collect::<Vec<_>>(),
        [Kind::U32, Kind::I32]
    );
    assert_eq!(
        CALL.fields.iter().map(|f| f.kind).collect::<Vec<_>>(),
        [Kind::MaybeU64, Kind::Str(&["linear", "tree"]), Kind::U64]
    );
    assert_eq!(
        (probe::maybe(None), probe::maybe(Some(3))),
        (probe::ABSENT, 3)
    );
    assert!(SEND.file.ends_with("probe.rs"));
    assert!(SEND.line > 0);
}

#[test]
fn a_group_is_on_while_any_member_is() {
    // Only this test touches PAIR's members, and it fires none of them.
    assert!(!PAIR.is_on());
    FIRST.disable(); // turning an off probe off counts nothing
    assert!(!PAIR.is_on());
    FIRST.enable(tag(1));
    FIRST.enable(tag(2)); // a new tag for an on probe counts nothing
    assert!(PAIR.is_on());
    SECOND.enable(tag(3));
    FIRST.disable();
    assert!(PAIR.is_on(), "SECOND is still on");
    assert_eq!(FIRST.tag(), None);
    SECOND.disable();
    SECOND.disable();
    assert!(!PAIR.is_on());
    FIRST.enable(tag(4));
    assert!(
        PAIR.is_on(),
        "a second disable did not take the count below 0"
    );
    FIRST.disable();
    assert!(!PAIR.is_on());
}
