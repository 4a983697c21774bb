//! Local APIC (xAPIC, memory-mapped): per-core enable, end of interrupt, and
//! inter-processor interrupts (fixed vectors, INIT, STARTUP).

use core::sync::atomic::{AtomicU64, Ordering};

use x86_64::registers::model_specific::Msr;

use super::vectors::SPURIOUS as SPURIOUS_VECTOR;

const IA32_APIC_BASE: u32 = 0x1B;
const APIC_BASE_ENABLE: u64 = 1 << 11;

/// Register offsets (Intel SDM vol. 3, table 11-1).
mod reg {
    pub const ID: usize = 0x20;
    pub const TASK_PRIORITY: usize = 0x80;
    pub const EOI: usize = 0xB0;
    pub const SPURIOUS: usize = 0xF0;
    pub const ERROR_STATUS: usize = 0x280;
    pub const ICR_LOW: usize = 0x300;
    pub const ICR_HIGH: usize = 0x310;
    pub const LVT_TIMER: usize = 0x320;
    pub const TIMER_INITIAL_COUNT: usize = 0x380;
    pub const TIMER_CURRENT_COUNT: usize = 0x390;
    pub const TIMER_DIVIDE: usize = 0x3E0;
    pub const LVT_LINT0: usize = 0x350;
    pub const LVT_ERROR: usize = 0x370;
}

const SOFTWARE_ENABLE: u32 = 1 << 8;
const LVT_MASKED: u32 = 1 << 16;
const LVT_TIMER_PERIODIC: u32 = 1 << 17;
const TIMER_DIVIDE_BY_16: u32 = 0b0011;
const ICR_DELIVERY_PENDING: u32 = 1 << 12;
const ICR_LEVEL_ASSERT: u32 = 1 << 14;
const ICR_INIT: u32 = 0b101 << 8;
const ICR_STARTUP: u32 = 0b110 << 8;

/// Physical (= virtual: identity-mapped, uncached) base of the register page.
static BASE: AtomicU64 = AtomicU64::new(0);

fn register(offset: usize) -> *mut u32 {
    (BASE.load(Ordering::Relaxed) as usize + offset) as *mut u32
}

fn read(offset: usize) -> u32 {
    // SAFETY: BASE is the APIC register page (set by init_core before any
    // access), identity-mapped uncached; `offset` is a register in it.
    unsafe { register(offset).read_volatile() }
}

fn write(offset: usize, value: u32) {
    // SAFETY: as in `read`.
    unsafe { register(offset).write_volatile(value) }
}

/// Enables the calling core's local APIC: software enable with the spurious
/// vector, accept all priorities, timer and LINT0 masked (the 8259 is off).
pub fn init_core() {
    let mut msr = Msr::new(IA32_APIC_BASE);
    // SAFETY: IA32_APIC_BASE exists on every x86_64 CPU; setting the enable
    // bit keeps the base address the firmware chose.
    let base = unsafe {
        let value = msr.read() | APIC_BASE_ENABLE;
        msr.write(value);
        value & 0x000F_FFFF_FFFF_F000
    };
    BASE.store(base, Ordering::Relaxed);
    write(reg::SPURIOUS, SOFTWARE_ENABLE | u32::from(SPURIOUS_VECTOR));
    write(reg::TASK_PRIORITY, 0);
    write(reg::LVT_TIMER, LVT_MASKED);
    write(reg::LVT_LINT0, LVT_MASKED);
    write(reg::LVT_ERROR, LVT_MASKED);
    write(reg::ERROR_STATUS, 0);
    write(reg::EOI, 0);
}

/// The calling core's APIC id.
pub fn id() -> u32 {
    read(reg::ID) >> 24
}

/// Signals the end of the interrupt being handled.
pub fn end_of_interrupt() {
    write(reg::EOI, 0);
}

fn send_icr(apic_id: u32, command: u32) {
    super::cpu::without_interrupts(|| {
        while read(reg::ICR_LOW) & ICR_DELIVERY_PENDING != 0 {
            core::hint::spin_loop();
        }
        write(reg::ICR_HIGH, apic_id << 24);
        write(reg::ICR_LOW, command); // the write to ICR_LOW sends it
    });
}

/// Sends interrupt `vector` to the core with `apic_id`.
pub fn send_ipi(apic_id: u32, vector: u8) {
    send_icr(apic_id, ICR_LEVEL_ASSERT | u32::from(vector));
}

/// Sends INIT: the target resets and waits for STARTUP.
pub fn send_init(apic_id: u32) {
    send_icr(apic_id, ICR_LEVEL_ASSERT | ICR_INIT);
}

/// Sends STARTUP: the target starts in real mode at `page_number * 4096`.
pub fn send_startup(apic_id: u32, page_number: u8) {
    send_icr(
        apic_id,
        ICR_LEVEL_ASSERT | ICR_STARTUP | u32::from(page_number),
    );
}

/// Measures the calling core's APIC timer rate (ticks per millisecond, with
/// the divider at 16) against the TSC over 10 ms; the timer is left stopped.
pub fn timer_ticks_per_ms() -> u32 {
    write(reg::LVT_TIMER, LVT_MASKED);
    write(reg::TIMER_DIVIDE, TIMER_DIVIDE_BY_16);
    write(reg::TIMER_INITIAL_COUNT, u32::MAX);
    super::tsc::delay_us(10_000);
    let elapsed = u32::MAX - read(reg::TIMER_CURRENT_COUNT);
    write(reg::TIMER_INITIAL_COUNT, 0);
    (elapsed / 10).max(1)
}

/// Raises `vector` on the calling core every `ticks` timer ticks.
pub fn start_periodic_timer(vector: u8, ticks: u32) {
    write(reg::TIMER_DIVIDE, TIMER_DIVIDE_BY_16);
    write(reg::LVT_TIMER, LVT_TIMER_PERIODIC | u32::from(vector));
    write(reg::TIMER_INITIAL_COUNT, ticks);
}

/// Raises `vector` on the calling core once, `ticks` timer ticks from now
/// (divider 16), replacing whatever the timer was counting.
pub fn start_oneshot_timer(vector: u8, ticks: u32) {
    write(reg::TIMER_DIVIDE, TIMER_DIVIDE_BY_16);
    write(reg::LVT_TIMER, u32::from(vector)); // one-shot: the periodic bit clear
    write(reg::TIMER_INITIAL_COUNT, ticks);
}

/// Stops the calling core's timer.
pub fn stop_timer() {
    write(reg::LVT_TIMER, LVT_MASKED);
    write(reg::TIMER_INITIAL_COUNT, 0);
}
