//! The legacy 8259 PICs: remapped away from the exception vectors and fully
//! masked, because ringlab routes device interrupts through the I/O APIC.
//! Do it before the local APIC masks LINT0: the firmware leaves LINT0 in
//! ExtINT mode, and only while it is, QEMU sees the PIC's output drop when
//! the PIC is masked. Masked the other way round, a timer interrupt latched
//! during boot is delivered later with no vector (a #GP at the first `sti`).

use x86_64::instructions::port::Port;

use super::vectors::LEGACY_PIC_BASE as PIC_VECTOR_BASE;

/// Remaps both PICs to vectors 0x20..0x30 and masks every line.
pub fn disable() {
    let mut master_command: Port<u8> = Port::new(0x20);
    let mut master_data: Port<u8> = Port::new(0x21);
    let mut slave_command: Port<u8> = Port::new(0xA0);
    let mut slave_data: Port<u8> = Port::new(0xA1);
    // SAFETY: the standard ICW1-ICW4 initialisation sequence, then OCW1 with
    // all lines masked; the PICs are not used by anything else.
    unsafe {
        master_command.write(0x11); // ICW1: init, expect ICW4
        slave_command.write(0x11);
        master_data.write(PIC_VECTOR_BASE); // ICW2: vector base
        slave_data.write(PIC_VECTOR_BASE + 8);
        master_data.write(0x04); // ICW3: slave on line 2
        slave_data.write(0x02);
        master_data.write(0x01); // ICW4: 8086 mode
        slave_data.write(0x01);
        master_data.write(0xFF); // mask everything
        slave_data.write(0xFF);
    }
}
