//! The I/O APIC: routes legacy ISA interrupts (the serial port's IRQ 4, later
//! the keyboard's IRQ 1) to a vector on a chosen core, honouring the MADT's
//! interrupt source overrides.

use super::acpi::{IoApicInfo, IsaOverride};

const IOREGSEL: usize = 0x00;
const IOWIN: usize = 0x10;
const REDIRECTION_TABLE: u32 = 0x10;

const POLARITY_ACTIVE_LOW: u32 = 1 << 13;
const TRIGGER_LEVEL: u32 = 1 << 15;

fn write(base: u64, register: u32, value: u32) {
    // SAFETY: `base` is the I/O APIC's register window from the MADT,
    // identity-mapped uncached; IOREGSEL selects, IOWIN carries the value.
    unsafe {
        ((base as usize + IOREGSEL) as *mut u32).write_volatile(register);
        ((base as usize + IOWIN) as *mut u32).write_volatile(value);
    }
}

/// Routes ISA interrupt `irq` to `vector` on the core with `apic_id`.
pub fn route_isa_irq(
    ioapic: &IoApicInfo,
    overrides: &[IsaOverride],
    irq: u8,
    vector: u8,
    apic_id: u32,
) {
    // ISA default: GSI = IRQ, edge-triggered, active high (ACPI 6.5, 5.2.12.5).
    let mut gsi = u32::from(irq);
    let mut flags = 0;
    if let Some(o) = overrides.iter().find(|o| o.irq == irq) {
        gsi = o.gsi;
        if o.active_low {
            flags |= POLARITY_ACTIVE_LOW;
        }
        if o.level_triggered {
            flags |= TRIGGER_LEVEL;
        }
    }
    let pin = gsi - ioapic.gsi_base;
    let entry = REDIRECTION_TABLE + 2 * pin;
    write(ioapic.address, entry + 1, apic_id << 24); // destination (physical mode)
    write(ioapic.address, entry, flags | u32::from(vector)); // fixed delivery, unmasked
}
