//! The console: COM1 output shared by all cores. One lock serialises whole
//! lines; it remembers its owner so a core that faults while printing can
//! still report the fault (and release the lock when it is restarted).

use core::fmt::{self, Write};
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::arch::cpu;
use crate::arch::serial::{COM1, Uart};
use crate::{fbcon, input};

const NO_OWNER: usize = usize::MAX;

/// Core index holding the console, or NO_OWNER. Lock rule: only the owner
/// writes to the UART (and LAST_WAS_CR).
static OWNER: AtomicUsize = AtomicUsize::new(NO_OWNER);
/// Set while the shell waits at its prompt. Lock rule: read and cleared
/// under the console lock. The first output that finds it set (a background
/// job, a fault report) clears the prompt line first and sets
/// PROMPT_INTERRUPTED, so the shell draws prompt and line again after it.
static PROMPT_SHOWN: AtomicBool = AtomicBool::new(false);
static PROMPT_INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// What tells the shell that output went over its prompt (it may be
/// halted waiting for input): set once by the shell ([`on_prompt_interrupted`]).
static PROMPT_WAKER: spin::Once<fn()> = spin::Once::new();
/// Whether the last byte sent was '\r', so "\r\n" is not doubled.
static LAST_WAS_CR: AtomicBool = AtomicBool::new(false);
static UART: Uart = Uart::new(COM1);

/// Programs COM1. Call first thing at boot.
pub fn init() {
    UART.init(input::push);
}

/// Runs `f` with the console held by the calling core (interrupts off).
/// Re-entrant on the same core, which is what lets a fault report print
/// from inside a fault that struck mid-line.
pub fn locked<R>(f: impl FnOnce(&mut Locked) -> R) -> R {
    let mut interrupted = false;
    let result = hold(|console| {
        // Relaxed: PROMPT_SHOWN and PROMPT_INTERRUPTED are used under the console lock.
        if PROMPT_SHOWN.swap(false, Ordering::Relaxed) {
            console.write_bytes(b"\r\x1b[K"); // output arrives while the prompt waits
            PROMPT_INTERRUPTED.store(true, Ordering::Relaxed);
            interrupted = true;
        }
        f(console)
    });
    // After the lock, so the shell finds the output done when it redraws.
    if let Some(wake) = PROMPT_WAKER.get().filter(|_| interrupted) {
        wake();
    }
    result
}

/// Makes `wake` what [`locked`] calls after output went over the prompt,
/// so the shell draws it again under that output (once, at start-up).
pub fn on_prompt_interrupted(wake: fn()) {
    PROMPT_WAKER.call_once(|| wake);
}

/// Runs `f` holding the console lock (interrupts off), re-entrantly, for
/// work that prints nothing on the serial console (bookkeeping, redrawing
/// the framebuffer's status line): it does not clear a waiting prompt.
pub fn hold<R>(f: impl FnOnce(&mut Locked) -> R) -> R {
    cpu::without_interrupts(|| {
        let me = cpu::core_index();
        let nested = OWNER.load(Ordering::Relaxed) == me;
        if !nested {
            // Acquire pairs with the Release in the unlock below.
            while OWNER
                .compare_exchange_weak(NO_OWNER, me, Ordering::Acquire, Ordering::Relaxed)
                .is_err()
            {
                cpu::spin_hint();
            }
        }
        let result = f(&mut Locked(()));
        if !nested {
            OWNER.store(NO_OWNER, Ordering::Release); // Acquire: the next holder's CAS
        }
        result
    })
}

/// Draws `text` as the framebuffer's status line, under the console lock
/// (not output: a waiting prompt stays); false if it could not be drawn.
pub fn show_status(text: &str) -> bool {
    hold(|_| fbcon::set_status(text))
}

/// The shell waits at its prompt again. Under one hold of the console it
/// first calls `redraw` if other output cleared the prompt line, then marks
/// the prompt shown: no other core's output can land between the prompt and
/// the half-typed line, or between the redraw and the mark.
pub fn show_prompt(redraw: impl FnOnce()) {
    hold(|_| {
        // Relaxed: both flags are used under the console lock.
        if PROMPT_INTERRUPTED.swap(false, Ordering::Relaxed) {
            redraw(); // PROMPT_SHOWN is still false: the redraw clears nothing
        }
        PROMPT_SHOWN.store(true, Ordering::Relaxed);
    });
}

/// The shell is back from its prompt, to handle what was typed.
pub fn hide_prompt() {
    hold(|_| PROMPT_SHOWN.store(false, Ordering::Relaxed));
}

/// Whether other output cleared the prompt line (without resetting it).
pub fn prompt_interrupted() -> bool {
    PROMPT_INTERRUPTED.load(Ordering::Relaxed)
}

/// Frees the console if the calling core holds it: for a core that is being
/// restarted after a fault and will never reach its unlock.
pub fn release_if_held() {
    // Release, as an unlock: pairs with the next holder's Acquire CAS in `hold`.
    let _ = OWNER.compare_exchange(
        cpu::core_index(),
        NO_OWNER,
        Ordering::Release,
        Ordering::Relaxed,
    );
}

/// Proof that the console is held; writes go straight to the UART.
pub struct Locked(());

impl Locked {
    /// Sends raw bytes, turning a lone "\n" into "\r\n".
    pub fn write_bytes(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            if byte == b'\n' && !LAST_WAS_CR.load(Ordering::Relaxed) {
                UART.write_byte(b'\r');
            }
            UART.write_byte(byte);
            LAST_WAS_CR.store(byte == b'\r', Ordering::Relaxed);
        }
        fbcon::write(bytes); // the screen too, after the serial port
    }
}

impl Write for Locked {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.write_bytes(s.as_bytes());
        Ok(())
    }
}

/// A console writer that takes the lock per write: what the shell and its
/// commands write through, so other cores can print while a command waits.
/// One `write!`/`writeln!` is one write: no other core's output lands
/// inside it (a job's first line once cut the shell's "running in the
/// background" line in two).
pub struct Console;

impl Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        locked(|console| console.write_str(s))
    }

    fn write_fmt(&mut self, args: fmt::Arguments<'_>) -> fmt::Result {
        locked(|console| console.write_fmt(args))
    }
}

/// Prints formatted text as one unit (no other core's output inside it).
pub fn print_fmt(args: fmt::Arguments<'_>) {
    locked(|console| {
        let _ = console.write_fmt(args);
    });
}

/// Prints to the console.
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => { $crate::console::print_fmt(format_args!($($arg)*)) };
}

/// Prints a line to the console.
#[macro_export]
macro_rules! println {
    () => { $crate::print!("\n") };
    ($($arg:tt)*) => { $crate::console::print_fmt(format_args!("{}\n", format_args!($($arg)*))) };
}

/// Hands every byte waiting in COM1's receive FIFO to `sink`.
pub fn receive(mut sink: impl FnMut(u8)) {
    while let Some(byte) = UART.read_byte() {
        sink(byte);
    }
}

/// Makes COM1 raise its IRQ when a byte arrives.
pub fn enable_receive_interrupt() {
    UART.enable_rx_interrupt();
}
