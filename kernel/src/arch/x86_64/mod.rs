//! Everything specific to x86_64 PCs: boot, CPU tables, interrupts, APICs,
//! page tables, SMP start-up, ACPI, the serial port and power-off.
//! The rest of the kernel uses only what `crate::arch` re-exports from here.

/// Typed addresses, as the rest of the kernel passes them.
pub use ::x86_64::{PhysAddr, VirtAddr};

pub mod acpi;
pub mod apic;
pub mod backtrace;
mod boot;
pub mod cpu;
pub mod exception;
pub mod fault_injection;
pub mod gdt;
pub mod i8042;
pub mod idt;
pub mod ioapic;
pub mod paging;
pub mod pci;
pub mod pic;
pub mod power;
pub mod pvh;
pub mod serial;
pub mod smp;
pub mod trap;
pub mod tsc;
pub mod vectors;
