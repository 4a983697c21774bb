//! TSC calibration against the PIT (8254, channel 2, 1.193182 MHz), so the
//! kernel can turn cycle counts into wall time, and busy-wait delays on it
//! (for the APIC and SMP start-up here, and for everything above).

use core::sync::atomic::{AtomicU64, Ordering};

use x86_64::instructions::port::Port;

/// TSC ticks per second, measured once by `calibrate` on the boot core
/// before any other core runs (Relaxed: the cores started later see it).
static HZ: AtomicU64 = AtomicU64::new(0);

const PIT_HZ: u64 = 1_193_182;
const CALIBRATION_MS: u64 = 10;

const PIT_CHANNEL2: u16 = 0x42;
const PIT_COMMAND: u16 = 0x43;
const SPEAKER_CONTROL: u16 = 0x61; // bit 0: channel 2 gate, bit 1: speaker, bit 5: OUT2

/// Measures and keeps the TSC rate; returns it (ticks per second).
pub fn calibrate() -> u64 {
    let hz = measure_hz().max(1);
    HZ.store(hz, Ordering::Relaxed);
    hz
}

/// TSC ticks per second (0 before `calibrate`).
pub fn hz() -> u64 {
    HZ.load(Ordering::Relaxed)
}

/// Spins for `us` microseconds.
pub fn delay_us(us: u64) {
    wait_until(us, || false);
}

/// Spins until `done()` or `us` microseconds pass; true if `done()` held.
pub fn wait_until(us: u64, done: impl Fn() -> bool) -> bool {
    let deadline = super::cpu::rdtsc() + hz() / 1_000_000 * us;
    while super::cpu::rdtsc() < deadline {
        if done() {
            return true;
        }
        super::cpu::spin_hint();
    }
    done()
}

/// Counts TSC ticks over a 10 ms PIT one-shot, scaled to a second.
fn measure_hz() -> u64 {
    let count = PIT_HZ * CALIBRATION_MS / 1000;
    let mut speaker: Port<u8> = Port::new(SPEAKER_CONTROL);
    let mut command: Port<u8> = Port::new(PIT_COMMAND);
    let mut channel2: Port<u8> = Port::new(PIT_CHANNEL2);
    // SAFETY: the PIT and the speaker gate are only used here, at boot on the
    // BSP; these writes program channel 2 as a one-shot with the speaker off.
    unsafe {
        let gate = (speaker.read() & !0b10) | 0b01; // gate on, speaker off
        speaker.write(gate & !0b01); // gate low: a rising edge starts the count
        command.write(0b1011_0000); // channel 2, lobyte/hibyte, mode 0, binary
        channel2.write(count as u8);
        channel2.write((count >> 8) as u8);
        speaker.write(gate);
    }
    let start = super::cpu::rdtsc();
    // SAFETY: reading the status port has no side effects.
    while unsafe { speaker.read() } & 0x20 == 0 {
        core::hint::spin_loop();
    }
    let ticks = super::cpu::rdtsc() - start;
    ticks * 1000 / CALIBRATION_MS
}
