//! Kernel time: the TSC, calibrated once at boot, turned into nanoseconds;
//! busy-wait delays and timeouts built on it (they live in `arch::tsc`,
//! which needs them too, and are re-exported here).

use core::sync::atomic::{AtomicU64, Ordering};

use crate::arch::{cpu, tsc};

pub use crate::arch::tsc::{delay_us, wait_until};

/// Nanoseconds per TSC cycle in 32.32 fixed point, so a conversion is one
/// multiply and a shift (the trace stamps every record with it).
static NS_PER_CYCLE_32_32: AtomicU64 = AtomicU64::new(0);
static BOOT_TSC: AtomicU64 = AtomicU64::new(0);
static PROMPT_TSC: AtomicU64 = AtomicU64::new(0);

/// Records the boot time stamp. First thing kernel_main does.
pub fn mark_boot() {
    BOOT_TSC.store(cpu::rdtsc(), Ordering::Relaxed);
}

/// Calibrates the TSC (10 ms against the PIT).
pub fn init() {
    let hz = tsc::calibrate();
    NS_PER_CYCLE_32_32.store(
        ((1_000_000_000u128 << 32) / u128::from(hz)) as u64,
        Ordering::Relaxed,
    );
}

/// Records when the first prompt appeared.
pub fn mark_prompt() {
    PROMPT_TSC.store(cpu::rdtsc(), Ordering::Relaxed);
}

/// TSC ticks per second.
pub fn tsc_hz() -> u64 {
    tsc::hz()
}

/// The current TSC value.
#[inline]
pub fn now() -> u64 {
    cpu::rdtsc()
}

/// Converts TSC cycles to nanoseconds.
pub fn cycles_to_ns(cycles: u64) -> u64 {
    let scale = u128::from(NS_PER_CYCLE_32_32.load(Ordering::Relaxed));
    ((u128::from(cycles) * scale) >> 32) as u64
}

/// Cycles since boot.
#[inline]
pub fn uptime_cycles() -> u64 {
    now() - BOOT_TSC.load(Ordering::Relaxed)
}

/// Cycles from boot to the first prompt.
pub fn boot_to_prompt_cycles() -> u64 {
    PROMPT_TSC.load(Ordering::Relaxed) - BOOT_TSC.load(Ordering::Relaxed)
}
