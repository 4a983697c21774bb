//! What the framebuffer's status line says: each core's state and whether
//! tracing is on. Pushed to `fbcon` (which only draws it) at every wake-up
//! IPI and tick, on whichever core takes it, and whenever the shell core waits.

use core::fmt::Write;
use core::sync::atomic::{AtomicU64, Ordering};

use arrayvec::ArrayString;

use crate::arch::trap;
use crate::arch::vectors::{TICK, WAKE};
use crate::cores::{self, CoreState};
use crate::{console, fbcon, idle, trace};

/// Digest of the status last drawn, so `refresh` can skip the console lock
/// when nothing changed. A hint (Relaxed; may be stale): two cores racing
/// both draw, under the console lock, and the later one wins.
static DRAWN_DIGEST: AtomicU64 = AtomicU64::new(0);

/// Makes the wake-up IPI and the tick refresh the status line, and the
/// shell core at each wait; draws it once now.
pub fn init() {
    trap::register_irq(WAKE, refresh); // a job started or ended
    trap::register_irq(TICK, refresh); // tracing is on
    idle::on_wake(refresh); // e.g. after `trace on`, before the prompt waits
    refresh();
}

/// Draws the status line again if what it shows changed since it was
/// drawn. Cheap when nothing changed; callable from interrupt handlers.
pub fn refresh() {
    if !fbcon::is_present() {
        return;
    }
    let digest = digest();
    if DRAWN_DIGEST.load(Ordering::Relaxed) == digest {
        return;
    }
    let mut text = ArrayString::<160>::new();
    let _ = write_text(&mut text);
    if console::show_status(&text) {
        DRAWN_DIGEST.store(digest, Ordering::Relaxed);
    }
}

/// One letter per core: S shell, R running, . idle, F faulted, - offline.
fn core_letter(state: CoreState) -> char {
    match state {
        CoreState::Shell => 'S',
        CoreState::Running => 'R',
        CoreState::Idle => '.',
        CoreState::Faulted => 'F',
        CoreState::Offline => '-',
    }
}

/// The status line's text.
fn write_text(out: &mut impl Write) -> core::fmt::Result {
    let count = cores::count();
    let in_state = |wanted| (0..count).filter(|&c| cores::state(c) == wanted).count();
    let (busy, idle) = (in_state(CoreState::Running), in_state(CoreState::Idle));
    write!(out, "ringlab  cores [")?;
    for core in 0..count {
        out.write_char(core_letter(cores::state(core)))?;
    }
    let trace = if trace::is_on() { "on" } else { "off" };
    write!(out, "]  {busy} busy, {idle} idle  |  trace {trace}")
}

/// A digest of everything the status line shows (FNV-1a).
fn digest() -> u64 {
    let mut digest = 0xcbf2_9ce4_8422_2325_u64;
    let mut mix = |byte: u8| digest = (digest ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3);
    for core in 0..cores::count() {
        mix(cores::state(core) as u8);
    }
    mix(u8::from(trace::is_on()));
    mix(cores::count() as u8);
    digest
}
