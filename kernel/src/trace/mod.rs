//! Kernel tracing: a `tracing` subscriber and a probe sink that write every
//! event and span of the bus, MPI and the shell as fixed raw records into
//! per-core lanes,
//! drained by the shell core to the channel (virtio console, or COM2) in
//! the `trace-wire` format that `trace-viewer` reads.
//! `trace on [FILTER]`, `trace off`, `trace status` drive it.

mod callsites;
mod channel;
mod clocks;
mod drain;
mod filter;
mod lanes;
mod owned;
mod probes;
mod subscriber;
mod values;

use core::fmt::Write;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use self::drain::drain;
use self::filter::Filter;
use self::lanes::Lane;
use self::subscriber::{FILTER, KernelSubscriber, ON};
use crate::arch::apic;
use crate::arch::vectors::TICK as TICK_VECTOR;
use crate::{cores, idle, time};

/// How often the shell core wakes to drain while tracing is on.
const DRAIN_EVERY_MS: u32 = 2;
/// How long `trace off` waits for the channel to take the last records.
const FLUSH_TIMEOUT_US: u64 = 2_000_000;
/// APIC timer ticks per millisecond (measured at the first `trace on`).
static TICKS_PER_MS: AtomicU32 = AtomicU32::new(0);

/// Why the virtio console is not the channel ("" when it is).
static NO_VIRTIO: spin::Once<&'static str> = spin::Once::new();

/// Whether the subscriber is installed (once, at the first `trace on`).
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// Finds the channel and sets up the drain
/// at each of the shell core's wake-ups. Tracing stays off (and costs
/// nothing) until `trace on`.
pub fn init() {
    probes::init();
    let (_, why) = channel::init();
    NO_VIRTIO.call_once(|| why.unwrap_or(""));
    idle::on_wake(on_wake);
}

/// Measures each core's TSC against core 0's (at boot, once the other
/// cores are up); the stream carries the offsets.
pub fn measure_clocks() {
    clocks::measure();
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
    if channel::kind() == channel::Kind::None {
        return Err("there is no channel to send the trace to: no virtio console and no COM2 (run QEMU with cargo xtask run --trace)".into());
    }
    lanes::init(cores::count());
    probes::enable(&filter);
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

/// Stops recording and sends everything still buffered, drops included.
pub fn turn_off() {
    probes::disable();
    ON.store(false, Ordering::Relaxed);
    tracing_core::callsite::rebuild_interest_cache();
    apic::stop_timer();
    // A core may be finishing a record it began before it saw ON go false:
    // keep draining until every lane is empty (the channel may also need
    // time to take what it was given).
    time::delay_us(100);
    drain();
    time::wait_until(FLUSH_TIMEOUT_US, || {
        drain();
        every_lane().all(|lane| lane.buffered() == 0) && channel::idle()
    });
}

fn every_lane() -> impl Iterator<Item = &'static Lane> {
    (0..cores::count()).flat_map(|core| lanes::of(core).iter())
}

pub use self::probes::add as add_probes;

/// Sends what is buffered now (the shell core only: `bench trace` drains
/// between the batches it times).
pub fn drain_now() {
    drain();
}

/// Run by the shell core whenever it wakes (`idle::on_wake`): sends what
/// is buffered while tracing is on.
fn on_wake() {
    if is_on() {
        drain();
    }
}

/// Prints state, filter, channel, the records each core's handlers wrote
/// (its interrupt lane), and per core: events, spans, other records, drops
/// and slots still buffered (the columns of
/// `trace-viewer stats`' per-core table, plus marks and buffered).
pub fn status(out: &mut dyn Write) -> core::fmt::Result {
    let state = if is_on() { "on" } else { "off" };
    let filter = FILTER.read();
    let filter = filter.as_ref().map_or("-", Filter::as_str);
    let kind = channel::kind();
    write!(
        out,
        "trace {state}, filter {filter}, channel {}",
        kind.describe()
    )?;
    if let Some((address, port)) = channel::virtio_address() {
        write!(out, " at {address} port {port}")?;
    }
    if kind == channel::Kind::Com2 {
        write!(out, " [{}]", NO_VIRTIO.get().copied().unwrap_or(""))?;
    }
    if kind == channel::Kind::None {
        writeln!(out)?;
    } else {
        writeln!(out, ", {} bytes sent", channel::bytes_sent())?;
    }
    if lanes::task_capacity() > 0 {
        writeln!(
            out,
            "buffers: {} records of 64 bytes per core",
            lanes::task_capacity()
        )?;
    }
    write!(
        out,
        "records written in interrupt and exception handlers, by core:"
    )?;
    for core in 0..cores::count() {
        let [events, spans, marks, _] = lanes::of(core)[lanes::HANDLER_LANE].counts.snapshot();
        write!(out, " {}", events + spans + marks)?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "core    events     spans     marks   dropped  buffered"
    )?;
    for core in 0..cores::count() {
        let [events, spans, marks, dropped] = core_counts(core);
        let buffered: u64 = lanes::of(core).iter().map(Lane::buffered).sum();
        writeln!(
            out,
            "{core:>4}  {events:>8}  {spans:>8}  {marks:>8}  {dropped:>8}  {buffered:>8}"
        )?;
    }
    Ok(())
}

/// Core `core`'s events, spans, marks and drops over both its lanes.
fn core_counts(core: usize) -> [u64; 4] {
    lanes::of(core).iter().fold([0; 4], |sum, lane| {
        let counts = lane.counts.snapshot();
        core::array::from_fn(|i| sum[i] + counts[i])
    })
}

/// Records written and dropped so far, over all cores (for `bench trace`).
pub fn totals() -> (u64, u64) {
    (0..cores::count()).fold((0, 0), |(written, dropped), core| {
        let [events, spans, marks, lost] = core_counts(core);
        (written + events + spans + marks, dropped + lost)
    })
}
