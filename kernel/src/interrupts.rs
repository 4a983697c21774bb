//! Which device interrupt goes where: the serial port's and the keyboard's,
//! routed through the I/O APIC to the boot core, queue typed bytes. (The
//! wake-up IPI and the tick are the status line's: see `status.rs`.)

use crate::arch::vectors::{KEYBOARD as KEYBOARD_VECTOR, SERIAL as SERIAL_VECTOR};
use crate::arch::{apic, ioapic, trap};
use crate::platform::Platform;
use crate::{console, input, keyboard, println};

/// COM1's ISA IRQ line.
const COM1_IRQ: u8 = 4;
/// The keyboard's ISA IRQ line.
const KEYBOARD_IRQ: u8 = 1;

fn on_serial_input() {
    console::receive(input::push);
}

fn on_stray_interrupt(vector: u8) {
    println!("warning: interrupt on vector {vector}, which has no handler; ignored");
}

/// Installs the handlers and routes COM1 to the boot core. Without an I/O
/// APIC, the waiting shell polls COM1 instead (`idle::wait_until`).
pub fn init(platform: &Platform) {
    trap::register_stray_irq_handler(on_stray_interrupt);
    trap::register_irq(SERIAL_VECTOR, on_serial_input);
    trap::register_irq(KEYBOARD_VECTOR, keyboard::on_interrupt);
    if let Some(ioapic) = &platform.ioapic {
        ioapic::route_isa_irq(
            ioapic,
            &platform.isa_overrides,
            COM1_IRQ,
            SERIAL_VECTOR,
            apic::id(),
        );
        console::enable_receive_interrupt();
        input::set_interrupt_driven();
        if keyboard::init() {
            let overrides = &platform.isa_overrides;
            let apic_id = apic::id();
            ioapic::route_isa_irq(ioapic, overrides, KEYBOARD_IRQ, KEYBOARD_VECTOR, apic_id);
            keyboard::on_interrupt(); // a byte already waiting raises no new edge
        }
    }
}
