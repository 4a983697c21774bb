//! Per-core GDT and TSS. Each core gets its own pair (a TSS is per core by
//! design), in a static slot it rewrites each time it starts; the TSS's IST
//! slot gives the double-fault handler its own stack.

use core::cell::UnsafeCell;

use x86_64::VirtAddr;
use x86_64::instructions::segmentation::{CS, DS, ES, SS, Segment};
use x86_64::instructions::tables::load_tss;
use x86_64::structures::gdt::{Descriptor, GlobalDescriptorTable};
use x86_64::structures::tss::TaskStateSegment;

use super::acpi::MAX_CPUS;

/// IST slot (0-based index into `interrupt_stack_table`) of the double-fault stack.
pub const DOUBLE_FAULT_IST_INDEX: u16 = 0;

/// One core's GDT and TSS.
///
/// Rule: only core `i` writes slot `i`, in [`init_core`], while it starts:
/// at boot before it has any GDT of its own, or after a restart's INIT made
/// the CPU forget the tables it had loaded. A restart used to leak a new pair.
struct CoreTables {
    tss: UnsafeCell<TaskStateSegment>,
    gdt: UnsafeCell<GlobalDescriptorTable>,
}

// SAFETY: by the rule above each slot has one writer, its own core, and no
// CPU reads a slot while it is being written.
unsafe impl Sync for CoreTables {}

static TABLES: [CoreTables; MAX_CPUS] = [const {
    CoreTables {
        tss: UnsafeCell::new(TaskStateSegment::new()),
        gdt: UnsafeCell::new(GlobalDescriptorTable::new()),
    }
}; MAX_CPUS];

/// Builds core `core`'s GDT and TSS in its slot and loads them, with
/// `double_fault_stack_top` as the double-fault stack. Called once each time
/// the core starts (the rule of [`CoreTables`]).
pub fn init_core(core: usize, double_fault_stack_top: VirtAddr) {
    let slot = &TABLES[core];
    // SAFETY: the caller is core `core` starting, so by the rule of
    // `CoreTables` nothing else reads or writes this slot now.
    let (tss, gdt) = unsafe { (&mut *slot.tss.get(), &mut *slot.gdt.get()) };
    *tss = TaskStateSegment::new();
    tss.interrupt_stack_table[DOUBLE_FAULT_IST_INDEX as usize] = double_fault_stack_top;
    let tss: &'static TaskStateSegment = tss;
    // A fresh table: the old TSS descriptor's busy bit would make `ltr` fault.
    *gdt = GlobalDescriptorTable::new();
    let code = gdt.append(Descriptor::kernel_code_segment());
    let data = gdt.append(Descriptor::kernel_data_segment());
    let tss_selector = gdt.append(Descriptor::tss_segment(tss));
    let gdt: &'static GlobalDescriptorTable = gdt;
    gdt.load();
    // SAFETY: the selectors index the GDT just loaded, whose descriptors are a
    // flat 64-bit code segment, a flat data segment and this core's TSS.
    unsafe {
        CS::set_reg(code);
        SS::set_reg(data);
        DS::set_reg(data);
        ES::set_reg(data);
        load_tss(tss_selector);
    }
}
