//! Which interrupt arrives on which vector and what it does: the wake-up IPI
//! and the shell core's tick (they end a `hlt`; the screen's status line is
//! refreshed), and the serial port's and keyboard's, which queue typed bytes.

use crate::arch::{apic, ioapic, trap};
use crate::cores::WAKE_VECTOR;
use crate::platform::Platform;
use crate::{console, fbcon, input, keyboard};

/// Vector of the shell core's periodic tick (while tracing is on).
pub const TICK_VECTOR: u8 = 0xF1;
/// Vector of COM1's receive interrupt.
const SERIAL_VECTOR: u8 = 0x24;
/// COM1's ISA IRQ line.
const COM1_IRQ: u8 = 4;
/// Vector of the PS/2 keyboard's interrupt.
const KEYBOARD_VECTOR: u8 = 0x21;
/// The keyboard's ISA IRQ line.
const KEYBOARD_IRQ: u8 = 1;

fn on_wake() {
    fbcon::refresh_status(); // a job started or ended: the status line shows it
}

fn on_serial_input() {
    console::receive(input::push);
}

/// Installs the handlers and routes COM1 to the boot core. Without an I/O
/// APIC, the shell polls COM1 instead (`input::poll_if_unrouted`).
pub fn init(platform: &Platform) {
    trap::register_irq(WAKE_VECTOR, on_wake);
    trap::register_irq(TICK_VECTOR, on_wake);
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
