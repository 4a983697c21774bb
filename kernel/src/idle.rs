//! Idling: the one place a core halts until an interrupt (job cores waiting
//! for a job or napping on the bus, the shell waiting for input), and the
//! work a waiting shell core does each time it wakes (registered from above:
//! the trace drain, the status line). Not the interrupt handlers themselves.

use arrayvec::ArrayVec;
use spin::Mutex;

use crate::arch::vectors::NAP_TIMER;
use crate::arch::{apic, cpu, trap};
use crate::{console, input};

/// Longest nap on the bus, in APIC timer ticks at divider 16: 10 ms on
/// QEMU's 1 GHz APIC clock (longer on slower real clocks). A notification
/// ends a nap long before; the bound is for what has no IPI of its own:
/// the hang watch of `run`, which only waiting ranks look at.
const NAP_TIMER_TICKS: u32 = 625_000;

/// Most pieces of on-wake work that can be registered.
const MAX_WAKE_WORK: usize = 4;

/// Work run at each wake-up of `wait_until`. Lock rule: filled at boot,
/// read by the shell core only (copied out, so work never runs under it).
static WAKE_WORK: Mutex<ArrayVec<fn(), MAX_WAKE_WORK>> = Mutex::new(ArrayVec::new_const());

/// Adds `work` to what the shell core does whenever it wakes while waiting.
pub fn on_wake(work: fn()) {
    WAKE_WORK
        .lock()
        .try_push(work)
        .expect("more on-wake work than MAX_WAKE_WORK");
}

fn run_wake_work() {
    let work = WAKE_WORK.lock().clone();
    work.iter().for_each(|work| work());
}

/// Runs `take` with interrupts off; if it yields nothing, halts once until
/// the next interrupt. An interrupt arriving between `take` and the halt
/// still ends the halt (STI's one-instruction shadow covers HLT).
fn take_or_halt<T>(take: impl FnOnce() -> Option<T>) -> Option<T> {
    cpu::disable_interrupts();
    let value = take();
    if value.is_some() {
        cpu::enable_interrupts();
    } else {
        cpu::enable_interrupts_and_halt();
    }
    value
}

/// Makes the nap timer's interrupt harmless (it only ends a `hlt`). Once,
/// at boot.
pub fn init() {
    trap::register_irq(NAP_TIMER, || {});
}

/// A core waiting on the bus in notify mode: runs `armed` (which publishes
/// the event indices and re-checks the rings) with interrupts off, and if
/// it says a notification is certain, halts until an interrupt. An IPI
/// sent after `armed` looked stays pending until `sti` and ends the `hlt`
/// at once, so no wake-up is lost. A job core's nap is also bounded by the
/// one-shot `NAP_TIMER`; the shell core, whose APIC timer may tick for
/// tracing, naps only while its input is interrupt-driven (Ctrl-C wakes it).
pub fn nap_if(armed: impl FnOnce() -> bool) {
    let shell_core = cpu::core_index() == 0;
    if shell_core && !input::is_interrupt_driven() {
        cpu::spin_hint();
        return;
    }
    take_or_halt(|| {
        if !armed() {
            return Some(());
        }
        if !shell_core {
            apic::start_oneshot_timer(NAP_TIMER, NAP_TIMER_TICKS);
        }
        None
    });
}

/// Halts the calling core until `take()` yields something, and returns it:
/// a job core waiting for its mailbox (the WAKE IPI ends each halt).
pub fn halt_until<T>(mut take: impl FnMut() -> Option<T>) -> T {
    loop {
        if let Some(value) = take_or_halt(&mut take) {
            return value;
        }
    }
}

/// The shell core's wait: returns once `ready()` holds, halted between
/// interrupts (or polling COM1 when no interrupt is routed to it), doing
/// the on-wake work after each wake-up.
pub fn wait_until(ready: impl Fn() -> bool) {
    while !ready() {
        run_wake_work();
        if input::is_interrupt_driven() {
            take_or_halt(|| ready().then_some(()));
        } else {
            console::receive(input::push);
            cpu::spin_hint();
        }
    }
}
