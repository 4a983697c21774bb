//! 16550 UART driver for the serial ports (COM1 = the console). Hand-written:
//! it is a handful of port writes, and the `uart_16550` crate pins an older
//! `x86_64` version than the kernel uses (see docs/architecture.md).

use x86_64::instructions::port::Port;

/// I/O base of COM1, the console.
pub const COM1: u16 = 0x3F8;
/// I/O base of COM2, the trace stream.
pub const COM2: u16 = 0x2F8;

/// Register offsets from the port base (16550 data sheet).
mod reg {
    pub const DATA: u16 = 0; // RBR/THR; divisor low with DLAB
    pub const INTERRUPT_ENABLE: u16 = 1; // IER; divisor high with DLAB
    pub const FIFO_CONTROL: u16 = 2; // FCR
    pub const LINE_CONTROL: u16 = 3; // LCR
    pub const MODEM_CONTROL: u16 = 4; // MCR
    pub const LINE_STATUS: u16 = 5; // LSR
    pub const SCRATCH: u16 = 7;
}

const LSR_DATA_READY: u8 = 1 << 0;
const LSR_TX_EMPTY: u8 = 1 << 5;
const IER_RX_AVAILABLE: u8 = 1 << 0;

/// One 16550 at a fixed I/O base.
pub struct Uart {
    base: u16,
}

impl Uart {
    /// A handle on the UART at `base`; does not touch the hardware.
    pub const fn new(base: u16) -> Self {
        Uart { base }
    }

    fn write_reg(&self, offset: u16, value: u8) {
        // SAFETY: writes to the UART's own register block; no memory effects.
        unsafe { Port::new(self.base + offset).write(value) }
    }

    fn read_reg(&self, offset: u16) -> u8 {
        // SAFETY: reads the UART's own register block; reading RBR only pops
        // the receive FIFO, which is this driver's to pop.
        unsafe { Port::new(self.base + offset).read() }
    }

    /// Programs 115200 baud 8N1 with FIFOs on and interrupts off. A byte
    /// that arrived before is handed to `early_byte`: switching the FIFOs on
    /// clears them. Returns false when no UART answers at this base.
    pub fn init(&self, early_byte: impl FnMut(u8)) -> bool {
        self.write_reg(reg::SCRATCH, 0x5A);
        if self.read_reg(reg::SCRATCH) != 0x5A {
            return false;
        }
        self.read_byte().into_iter().for_each(early_byte);
        self.write_reg(reg::INTERRUPT_ENABLE, 0);
        self.write_reg(reg::LINE_CONTROL, 0x80); // DLAB: divisor follows
        self.write_reg(reg::DATA, 1); // 115200 / 1
        self.write_reg(reg::INTERRUPT_ENABLE, 0);
        self.write_reg(reg::LINE_CONTROL, 0x03); // 8 data bits, no parity, 1 stop
        self.write_reg(reg::FIFO_CONTROL, 0xC7); // enable, clear both, 14-byte trigger
        self.write_reg(reg::MODEM_CONTROL, 0x0B); // DTR | RTS | OUT2 (IRQ line on)
        true
    }

    /// Raises the UART's IRQ whenever a received byte is waiting.
    pub fn enable_rx_interrupt(&self) {
        self.write_reg(reg::INTERRUPT_ENABLE, IER_RX_AVAILABLE);
    }

    /// Sends one byte, waiting for room in the transmit holding register.
    pub fn write_byte(&self, byte: u8) {
        while self.read_reg(reg::LINE_STATUS) & LSR_TX_EMPTY == 0 {
            core::hint::spin_loop();
        }
        self.write_reg(reg::DATA, byte);
    }

    /// Sends `bytes`, up to a FIFO's worth (16) per wait for an empty
    /// transmitter: half the port accesses of `write_byte` per byte, which
    /// matters for the trace stream (each access is an exit to QEMU).
    pub fn write_all(&self, bytes: &[u8]) {
        const FIFO_DEPTH: usize = 16;
        for chunk in bytes.chunks(FIFO_DEPTH) {
            while self.read_reg(reg::LINE_STATUS) & LSR_TX_EMPTY == 0 {
                core::hint::spin_loop();
            }
            for &byte in chunk {
                self.write_reg(reg::DATA, byte);
            }
        }
    }

    /// Takes one received byte, if any.
    pub fn read_byte(&self) -> Option<u8> {
        (self.read_reg(reg::LINE_STATUS) & LSR_DATA_READY != 0).then(|| self.read_reg(reg::DATA))
    }
}
