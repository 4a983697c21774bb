//! The in-memory inter-core bus (Toro's "VirtIOBus", but no VIRTIO device):
//! one `bus::Bus` for all cores, made at boot, and each core's endpoint.
//! Demos use their core's endpoint (`with_endpoint`); the shell inspects `get`.
//! Also how a core waits on it: spinning (poll mode) or napping until the
//! notification IPI (notify mode, `set_mode`).

use core::fmt::Write;

use bus::{Bus, Config, Endpoint, Spin};
use spin::{Mutex, Once};

use crate::arch::vectors::BUS_NOTIFY;
use crate::arch::{apic, cpu, trap};
use crate::cores::{self, MAX_CORES};
use crate::{heap, idle};

static BUS: Once<Bus> = Once::new();
/// Heap bytes the queues took when the bus was created.
static QUEUE_BYTES: Once<usize> = Once::new();

/// Each core's endpoint. Lock rule: only code running on that core takes
/// it (its jobs, or the shell for core 0), so the lock is never contended;
/// it exists to hand out `&mut` soundly.
static ENDPOINTS: [Mutex<Option<Endpoint<'static>>>; MAX_CORES] =
    [const { Mutex::new(None) }; MAX_CORES];

/// Above this many cores the boot log sums the queues up in one line.
const LIST_QUEUES_UP_TO: usize = 4;

/// Creates the bus for `cores` cores (default queue size and buffer size)
/// and logs its queues as Toro does.
pub fn init(cores: usize) {
    let before = heap::stats().used_bytes;
    trap::register_irq(BUS_NOTIFY, || {}); // it only ends a nap's `hlt`
    let bus = BUS.call_once(|| {
        Bus::new(cores, Config::default())
            .expect("the default bus config is valid")
            .with_notifier(notify_core)
    });
    QUEUE_BYTES.call_once(|| heap::stats().used_bytes.saturating_sub(before));
    for (core, slot) in ENDPOINTS.iter().enumerate().take(cores) {
        *slot.lock() = Some(
            bus.endpoint(core)
                .expect("each core's endpoint is taken once, here"),
        );
    }
    if cores <= LIST_QUEUES_UP_TO {
        let _ = list_queues(&mut crate::console::Console);
    } else {
        crate::println!(
            "VirtIOBus: {} queues have been initiated (Core[i]->Core[j] for every pair of {cores} cores; 'vq list' shows them)",
            cores * (cores - 1)
        );
    }
}

/// The bus's notifier: the notification IPI to `core`.
fn notify_core(core: usize) {
    apic::send_ipi(cores::apic_id(core), BUS_NOTIFY);
}

/// How cores wait on the bus.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Spin, re-reading the ring (`pause` per turn); nobody sends an IPI.
    Poll,
    /// Publish the event index, re-check, halt until notified (VIRTIO_F_EVENT_IDX).
    Notify,
}

/// The mode the bus is in.
pub fn mode() -> Mode {
    if get().notify() {
        Mode::Notify
    } else {
        Mode::Poll
    }
}

/// Switches the mode. Callers switch only while no core runs a job (a
/// core napping in notify mode would not be woken by the switch to poll).
pub fn set_mode(mode: Mode) {
    get()
        .set_notify(mode == Mode::Notify)
        .expect("the kernel's bus has a notifier");
}

/// One wait turn of a core in a loop of non-blocking bus calls (MPI's idle
/// turn): in notify mode, naps until notified (`Endpoint::arm`, then
/// `idle::nap_if`); in poll mode, one `pause`.
pub fn idle_turn(endpoint: &Endpoint<'_>) {
    nap_or_spin(|| endpoint.arm());
}

/// In notify mode, naps unless `arm` finds something (`idle::nap_if`); in
/// poll mode, one `pause` (no interrupts toggled, nothing armed).
fn nap_or_spin(arm: impl FnOnce() -> bool) {
    if get().notify() {
        idle::nap_if(arm);
    } else {
        cpu::spin_hint();
    }
}

/// The endpoint as MPI's transport, waiting by `idle_turn`.
pub fn mpi_port<'e>(
    endpoint: &'e mut Endpoint<'static>,
) -> mpi::BusPort<'static, &'e mut Endpoint<'static>> {
    mpi::BusPort::new(endpoint).with_idle_turn(idle_turn)
}

/// The kernel's policy for blocking bus calls: stop when `abort()` says so;
/// otherwise nap until notified (notify mode) or spin (poll mode).
pub struct Wait<'a> {
    abort: &'a dyn Fn() -> bool,
}

impl<'a> Wait<'a> {
    /// Waits until done or until `abort()` is true.
    pub fn until(abort: &'a dyn Fn() -> bool) -> Self {
        Self { abort }
    }
}

impl Spin for Wait<'_> {
    fn keep_waiting(&mut self) -> bool {
        cpu::spin_hint();
        !(self.abort)()
    }

    fn wait(&mut self, arm: &mut dyn FnMut() -> bool) -> bool {
        if (self.abort)() {
            return false;
        }
        nap_or_spin(arm);
        true
    }
}

/// The bus (after `init`).
pub fn get() -> &'static Bus {
    BUS.get().expect("core_bus::init runs at boot")
}

/// Heap bytes used by the queues.
pub fn queue_bytes() -> usize {
    QUEUE_BYTES.get().copied().unwrap_or(0)
}

/// Prints one line per queue, grouped by receiving core, as Toro's boot log.
pub fn list_queues(out: &mut dyn Write) -> core::fmt::Result {
    let cores = BUS.get().map_or(0, Bus::cores);
    if cores < 2 {
        return writeln!(
            out,
            "no queues: a bus needs two cores, and {cores} is online"
        );
    }
    for dst in 0..cores {
        for src in (0..cores).filter(|&src| src != dst) {
            writeln!(
                out,
                "VirtIOBus: Core[{src}]->Core[{dst}] queue has been initiated"
            )?;
        }
    }
    Ok(())
}

/// Runs `f` with the calling core's endpoint.
pub fn with_endpoint<R>(core: usize, f: impl FnOnce(&mut Endpoint<'static>) -> R) -> R {
    debug_assert_eq!(
        core,
        crate::arch::cpu::core_index(),
        "an endpoint is used only by its own core"
    );
    let mut slot = ENDPOINTS[core].lock();
    f(slot.as_mut().expect("every online core has an endpoint"))
}

/// Throws away everything waiting in `core`'s receive rings (`core` must be
/// the calling core): what a demo stopped half-way, a stray `vq send` or a
/// faulted sender left there. See `bus::Endpoint::discard_pending`.
pub fn drain(core: usize) -> bus::Discarded {
    with_endpoint(core, Endpoint::discard_pending)
}

/// Frees `core`'s endpoint lock after that core faulted and was restarted:
/// the code that held it never resumes.
pub fn release_after_fault(core: usize) {
    if ENDPOINTS[core].is_locked() {
        // SAFETY: only `core` ever takes its endpoint lock (lock rule above),
        // and `core` is being restarted on a fresh stack, so the holder is
        // gone. The endpoint's indices are atomics stored one at a time, so
        // the queue is consistent between any two of them; a message cut off
        // mid-send is reported to its receiver as truncated.
        unsafe { ENDPOINTS[core].force_unlock() };
    }
}
