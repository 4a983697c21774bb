//! Powering the machine off: QEMU's isa-debug-exit device when present (a
//! known exit status for scripts), else ACPI soft-off (S5) through PM1a_CNT.

use x86_64::instructions::port::Port;

/// Port of QEMU's `-device isa-debug-exit,iobase=0xf4,iosize=0x04`.
const DEBUG_EXIT_PORT: u16 = 0xF4;
/// Value written for a clean poweroff: QEMU exits with (0x10 << 1) | 1 = 33.
pub const DEBUG_EXIT_POWEROFF: u32 = 0x10;

const SLP_EN: u16 = 1 << 13;

/// Tries every way off in turn. Returns only if all of them failed.
pub fn power_off(pm1a_control_port: Option<u16>, s5_sleep_type: Option<u16>) {
    // SAFETY: writing the debug-exit port ends QEMU when the device exists and
    // is ignored (no device decodes it) when it does not.
    unsafe { Port::new(DEBUG_EXIT_PORT).write(DEBUG_EXIT_POWEROFF) };
    if let Some(port) = pm1a_control_port {
        // QEMU's \_S5_ has SLP_TYPa = 0; use the DSDT's value when found.
        let sleep_type = s5_sleep_type.unwrap_or(0);
        // SAFETY: PM1a_CNT from the FADT; writing SLP_TYP|SLP_EN enters the
        // requested sleep state, S5 = off. Nothing else uses this register.
        unsafe { Port::new(port).write((sleep_type << 10) | SLP_EN) };
    }
}
