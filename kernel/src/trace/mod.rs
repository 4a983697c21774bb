//! Kernel tracing: a `tracing` subscriber that writes every event and span
//! of the bus, MPI and the shell into per-core buffers, drained by the shell
//! core to COM2 in the `trace-wire` format that `trace-viewer` reads.
//! `trace on [FILTER]`, `trace off`, `trace status` drive it.

mod buffers;
mod callsites;
mod drain;
mod filter;
mod subscriber;
mod values;

use core::fmt::Write;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use self::drain::drain;
use self::filter::Filter;
use self::subscriber::{FILTER, KernelSubscriber, ON};
use crate::arch::apic;
use crate::arch::vectors::TICK as TICK_VECTOR;
use crate::{cores, idle};

/// How often the shell core wakes to drain while tracing is on.
const DRAIN_EVERY_MS: u32 = 10;
/// APIC timer ticks per millisecond (measured at the first `trace on`).
static TICKS_PER_MS: AtomicU32 = AtomicU32::new(0);

/// Whether the subscriber is installed (once, at the first `trace on`).
static INSTALLED: AtomicBool = AtomicBool::new(false);
/// Whether COM2 exists.
static HAVE_PORT: AtomicBool = AtomicBool::new(false);

/// Sets up COM2, and the drain at each of the shell core's wake-ups.
/// Tracing stays off (and costs nothing) until `trace on`.
pub fn init() {
    HAVE_PORT.store(drain::init(), Ordering::Relaxed);
    idle::on_wake(on_wake);
}

/// Whether tracing is on.
pub fn is_on() -> bool {
    ON.load(Ordering::Relaxed)
}

/// Whether the subscriber was ever installed (before that, `tracing` has
/// no subscriber at all: the baseline `bench trace` compares against).
pub fn ever_on() -> bool {
    INSTALLED.load(Ordering::Relaxed)
}

/// Starts recording what `filter` (None: `debug`, every message and span)
/// lets through.
pub fn turn_on(filter: Option<&str>) -> Result<(), alloc::string::String> {
    let filter = match filter {
        Some(text) => Filter::parse(text)?,
        None => Filter::default_filter(),
    };
    if !HAVE_PORT.load(Ordering::Relaxed) {
        return Err("there is no COM2 to send the trace to (run QEMU with a second -serial, e.g. cargo xtask run --trace)".into());
    }
    *FILTER.write() = Some(filter);
    ON.store(true, Ordering::Relaxed);
    if TICKS_PER_MS.load(Ordering::Relaxed) == 0 {
        TICKS_PER_MS.store(apic::timer_ticks_per_ms(), Ordering::Relaxed);
    }
    apic::start_periodic_timer(
        TICK_VECTOR,
        TICKS_PER_MS.load(Ordering::Relaxed) * DRAIN_EVERY_MS,
    );
    // Relaxed: only the shell core turns tracing on; the swap just makes it once.
    if !INSTALLED.swap(true, Ordering::Relaxed) {
        let dispatch = tracing_core::Dispatch::new(KernelSubscriber);
        tracing_core::dispatcher::set_global_default(dispatch)
            .map_err(|_| "a tracing subscriber is already installed")?;
    }
    // Every callsite asks the subscriber again (level hint and interest).
    tracing_core::callsite::rebuild_interest_cache();
    Ok(())
}

/// Stops recording and sends everything still buffered.
pub fn turn_off() {
    ON.store(false, Ordering::Relaxed);
    tracing_core::callsite::rebuild_interest_cache();
    apic::stop_timer();
    drain();
}

/// Run by the shell core whenever it wakes (`idle::on_wake`): sends what
/// is buffered while tracing is on.
fn on_wake() {
    if is_on() {
        drain();
    }
}

/// Prints state, filter, and per core: records, bytes and drops.
pub fn status(out: &mut dyn Write) -> core::fmt::Result {
    let state = if is_on() { "on" } else { "off" };
    let filter = FILTER.read();
    let filter = filter.as_ref().map_or("-", Filter::as_str);
    writeln!(
        out,
        "trace {state}, filter {filter}, {} bytes sent to COM2",
        drain::SENT.load(Ordering::Relaxed)
    )?;
    writeln!(out, "core  records      bytes  dropped  buffered")?;
    for (core, buffer) in buffers::BUFFERS.iter().enumerate().take(cores::count()) {
        writeln!(
            out,
            "{core:>4}  {:>7}  {:>9}  {:>7}  {:>8}",
            buffer.written.load(Ordering::Relaxed),
            buffer.bytes.load(Ordering::Relaxed),
            buffer.dropped.load(Ordering::Relaxed),
            buffer.ring.len()
        )?;
    }
    Ok(())
}

/// Records written and dropped so far, over all cores (for `bench trace`).
pub fn totals() -> (u64, u64) {
    buffers::BUFFERS
        .iter()
        .fold((0, 0), |(written, dropped), b| {
            (
                written + b.written.load(Ordering::Relaxed),
                dropped + b.dropped.load(Ordering::Relaxed),
            )
        })
}

/// Frees `core`'s span-stack lock after that core faulted and was restarted.
pub fn release_after_fault(core: usize) {
    let spans = &buffers::BUFFERS[core].spans;
    if spans.is_locked() {
        // SAFETY: only `core` takes its own span stack (lock rule in
        // buffers.rs), and it is being restarted, so the holder is gone; the
        // stack is a plain ArrayVec, valid after any completed push or pop.
        unsafe { spans.force_unlock() };
    }
}
