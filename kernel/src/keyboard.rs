//! The PS/2 keyboard as a second input: IRQ 1 takes scancodes from the i8042
//! and queues the bytes a serial terminal would have sent for those keys
//! (`vt::keys`), so the shell reads one stream from both consoles.

use spin::Mutex;
use vt::keys::Keyboard;

use crate::arch::i8042;
use crate::{input, println};

/// Decoder state (modifiers, a half-read E0 sequence). Lock rule: taken by
/// the IRQ handler only, on the boot core, interrupts off.
static KEYBOARD: Mutex<Keyboard> = Mutex::new(Keyboard::new());

/// Sets up the controller; false (having said why) if there is none.
pub fn init() -> bool {
    match i8042::init() {
        Ok(()) => true,
        Err(why) => {
            println!("keyboard: {why}; input from the serial port only");
            false
        }
    }
}

/// IRQ 1: queues what the waiting scancodes type. Also called once after
/// routing, in case a byte arrived while the IRQ was masked (the i8042
/// raises no new edge until it is read).
pub fn on_interrupt() {
    let mut keyboard = KEYBOARD.lock();
    while let Some(scancode) = i8042::read_keyboard() {
        keyboard
            .scancode(scancode)
            .as_slice()
            .iter()
            .for_each(|&byte| input::push(byte));
    }
}
