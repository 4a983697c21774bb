//! The one table of interrupt vectors: which number each exception, device
//! interrupt and IPI arrives on. Every other file names vectors from here.

/// First vector that is not a CPU exception (0-31 are; Intel SDM vol. 3, 6.2).
pub const FIRST_IRQ: u8 = 32;
/// Where the remapped 8259s would deliver (they stay masked; see `pic.rs`).
pub const LEGACY_PIC_BASE: u8 = 0x20;
/// The PS/2 keyboard (ISA IRQ 1, routed through the I/O APIC).
pub const KEYBOARD: u8 = 0x21;
/// COM1's receive interrupt (ISA IRQ 4, routed through the I/O APIC).
pub const SERIAL: u8 = 0x24;
/// The wake-up IPI: a job was handed to a core, or a job core finished or faulted.
pub const WAKE: u8 = 0xF0;
/// The shell core's periodic APIC-timer tick (while tracing is on).
pub const TICK: u8 = 0xF1;
/// The bus's notification IPI (notify mode): a message arrived on, or
/// buffers came back to, a queue the target core sleeps on (core_bus.rs).
pub const BUS_NOTIFY: u8 = 0xF2;
/// The one-shot APIC timer that ends a job core's nap on the bus (idle.rs).
pub const NAP_TIMER: u8 = 0xF3;
/// The local APIC's spurious vector (must end in 0xF on old parts).
pub const SPURIOUS: u8 = 0xFF;

/// Breakpoint (#BP), the one exception that resumes.
pub const BREAKPOINT: u8 = 3;
/// Double fault (#DF), which runs on its own stack.
pub const DOUBLE_FAULT: u8 = 8;
/// Page fault (#PF), which leaves the faulting address in CR2.
pub const PAGE_FAULT: u8 = 14;
