//! Before any sink is installed, a probe that is on fires into nothing:
//! its values are computed (it is on) but nothing breaks, and a span it
//! enters is not recorded, so its guard tells nothing when dropped. (A
//! file of its own: the other tests install a sink for the whole process.)

use std::num::NonZeroU64;
use std::sync::atomic::{AtomicUsize, Ordering};

probe::probe!(static EARLY = event "test.early", target: "test", DEBUG, ["n"]);
probe::probe!(static EARLY_SPAN = span "test.early_span", target: "test", DEBUG, ["n"]);

#[test]
fn a_probe_on_before_install_fires_into_nothing() {
    let on = NonZeroU64::new(1).unwrap();
    EARLY.enable(on);
    EARLY_SPAN.enable(on);
    let computed = AtomicUsize::new(0);
    EARLY.fire(|| [computed.fetch_add(1, Ordering::Relaxed) as u64]);
    let inside = EARLY_SPAN.enter(|| [computed.fetch_add(1, Ordering::Relaxed) as u64]);
    inside.record(0, 5);
    drop(inside);
    assert_eq!(computed.load(Ordering::Relaxed), 2, "both were on");
}
