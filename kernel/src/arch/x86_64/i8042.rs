//! The i8042 PS/2 controller's keyboard port: set up for IRQ 1 with scancode
//! translation on (so the keyboard's set 2 arrives as set 1), and read.
//! Decoding the scancodes is `crate::keyboard`'s job; the mouse port stays off.

use x86_64::instructions::port::Port;

const DATA: u16 = 0x60;
/// Status on read, command on write.
const STATUS_COMMAND: u16 = 0x64;

const STATUS_OUTPUT_FULL: u8 = 1 << 0;
const STATUS_INPUT_FULL: u8 = 1 << 1;
/// The byte waiting in DATA came from the second (mouse) port.
const STATUS_FROM_MOUSE: u8 = 1 << 5;

/// Controller commands (IBM PS/2 Technical Reference, 8042 section).
#[derive(Clone, Copy)]
#[repr(u8)]
enum Command {
    ReadConfig = 0x20,
    WriteConfig = 0x60,
    DisableMousePort = 0xA7,
    DisableKeyboardPort = 0xAD,
    EnableKeyboardPort = 0xAE,
}

/// Controller configuration byte bits.
mod config {
    pub const KEYBOARD_IRQ: u8 = 1 << 0;
    pub const MOUSE_IRQ: u8 = 1 << 1;
    pub const KEYBOARD_CLOCK_OFF: u8 = 1 << 4;
    pub const TRANSLATE: u8 = 1 << 6;
}

/// Keyboard command: start sending scancodes.
const KEYBOARD_ENABLE_SCANNING: u8 = 0xF4;

/// How many status polls before giving up on the controller (it answers
/// within microseconds; an absent one reads 0xFF for ever).
const POLLS: u32 = 100_000;

fn status() -> u8 {
    // SAFETY: reading the 8042 status register has no side effects.
    unsafe { Port::new(STATUS_COMMAND).read() }
}

fn write_port(port: u16, value: u8) -> Result<(), &'static str> {
    (0..POLLS)
        .find(|_| status() & STATUS_INPUT_FULL == 0)
        .ok_or("the PS/2 controller does not take input")?;
    // SAFETY: the 8042's command and data ports; the input buffer is empty.
    unsafe { Port::new(port).write(value) };
    Ok(())
}

fn command(command: Command) -> Result<(), &'static str> {
    write_port(STATUS_COMMAND, command as u8)
}

fn read_reply() -> Result<u8, &'static str> {
    (0..POLLS)
        .find(|_| status() & STATUS_OUTPUT_FULL != 0)
        .ok_or("the PS/2 controller does not answer")?;
    // SAFETY: a byte is waiting in the output buffer; reading DATA pops it.
    Ok(unsafe { Port::new(DATA).read() })
}

/// Drops whatever waits in the output buffer (keys pressed during boot).
fn flush() {
    for _ in 0..64 {
        if status() & STATUS_OUTPUT_FULL == 0 {
            return;
        }
        // SAFETY: as in read_reply; the byte is discarded on purpose.
        let _: u8 = unsafe { Port::new(DATA).read() };
    }
}

/// Sets the controller up: keyboard port on with IRQ 1 and translation,
/// mouse port off, keyboard scanning. Fails when no controller answers.
pub fn init() -> Result<(), &'static str> {
    if status() == 0xFF {
        return Err("no PS/2 controller (status port reads 0xff)");
    }
    command(Command::DisableKeyboardPort)?;
    command(Command::DisableMousePort)?;
    flush();
    command(Command::ReadConfig)?;
    let mut bits = read_reply()?;
    bits |= config::KEYBOARD_IRQ | config::TRANSLATE;
    bits &= !(config::MOUSE_IRQ | config::KEYBOARD_CLOCK_OFF);
    command(Command::WriteConfig)?;
    write_port(DATA, bits)?;
    command(Command::EnableKeyboardPort)?;
    // The keyboard acknowledges with 0xFA, which the IRQ handler drops.
    write_port(DATA, KEYBOARD_ENABLE_SCANNING)
}

/// Takes the next byte from the keyboard, if one is waiting. Bytes from the
/// mouse port are read and dropped.
pub fn read_keyboard() -> Option<u8> {
    loop {
        let status = status();
        if status & STATUS_OUTPUT_FULL == 0 {
            return None;
        }
        // SAFETY: a byte is waiting; reading DATA pops it.
        let byte = unsafe { Port::new(DATA).read() };
        if status & STATUS_FROM_MOUSE == 0 {
            return Some(byte);
        }
    }
}
