//! Bytes typed at the console, queued by the serial interrupt for the shell.
//! Producer: the IRQ handler; consumer: the shell; both on the boot core.
//! A full queue counts what it drops, and the shell reports the count.

use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use spin::Mutex;

use crate::arch::cpu;

const CAPACITY: usize = 4096;

struct Queue {
    bytes: [u8; CAPACITY],
    head: usize,
    len: usize,
}

/// Lock rule: taken by the IRQ handler (interrupts already off) and by
/// `pop` with interrupts off, so it is never contended on one core.
static QUEUE: Mutex<Queue> = Mutex::new(Queue {
    bytes: [0; CAPACITY],
    head: 0,
    len: 0,
});
/// Bytes dropped because the queue was full, not yet reported.
static DROPPED: AtomicUsize = AtomicUsize::new(0);
/// Whether COM1's interrupt feeds the queue (else the shell polls COM1).
static INTERRUPT_DRIVEN: AtomicBool = AtomicBool::new(false);

/// Ctrl-C.
pub const CTRL_C: u8 = 0x03;

/// Queues a received byte. Called from interrupt context, and by the shell
/// core polling COM1 (with interrupts off here too: an interrupt's handler,
/// or the hook after it, may take the queue's lock on this core).
pub fn push(byte: u8) {
    cpu::without_interrupts(|| {
        let mut queue = QUEUE.lock();
        if queue.len == CAPACITY {
            DROPPED.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let tail = (queue.head + queue.len) % CAPACITY;
        queue.bytes[tail] = byte;
        queue.len += 1;
    })
}

/// Takes the oldest queued byte.
pub fn pop() -> Option<u8> {
    cpu::without_interrupts(|| {
        let mut queue = QUEUE.lock();
        (queue.len > 0).then(|| {
            let byte = queue.bytes[queue.head];
            queue.head = (queue.head + 1) % CAPACITY;
            queue.len -= 1;
            byte
        })
    })
}

/// From now on the serial interrupt fills the queue.
pub fn set_interrupt_driven() {
    INTERRUPT_DRIVEN.store(true, Ordering::Relaxed);
}

/// Whether COM1's interrupt fills the queue (else the waiting shell polls).
pub fn is_interrupt_driven() -> bool {
    INTERRUPT_DRIVEN.load(Ordering::Relaxed)
}

/// Whether a typed byte is waiting.
pub fn has_input() -> bool {
    cpu::without_interrupts(|| QUEUE.lock().len > 0)
}

/// Bytes dropped since the last call (the shell reports them).
#[must_use = "the count is reset: report it"]
pub fn take_dropped() -> usize {
    DROPPED.swap(0, Ordering::Relaxed) // a count only: nothing is published with it
}

impl Queue {
    fn position(&self, byte: u8) -> Option<usize> {
        (0..self.len).find(|&i| self.bytes[(self.head + i) % CAPACITY] == byte)
    }

    /// Drops the oldest `count` bytes.
    fn discard(&mut self, count: usize) {
        self.head = (self.head + count) % CAPACITY;
        self.len -= count;
    }
}

/// Whether a Ctrl-C is waiting in the queue.
pub fn has_interrupt() -> bool {
    cpu::without_interrupts(|| QUEUE.lock().position(CTRL_C).is_some())
}

/// Takes the oldest queued Ctrl-C, if any: how a running command sees an
/// interrupt. What was typed ahead before it goes with it, as a terminal's
/// interrupt flushes the line being typed; what was typed after it stays.
#[must_use = "the Ctrl-C is taken out of the queue: act on it"]
pub fn take_interrupt() -> bool {
    cpu::without_interrupts(|| {
        let mut queue = QUEUE.lock();
        queue
            .position(CTRL_C)
            .map(|at| queue.discard(at + 1))
            .is_some()
    })
}
