//! The interrupt descriptor table, shared by all cores: every vector points at
//! its stub in `trap`; the double fault runs on its own IST stack.

use spin::Once;
use x86_64::VirtAddr;
use x86_64::structures::idt::InterruptDescriptorTable;

use super::gdt::DOUBLE_FAULT_IST_INDEX;
use super::trap::stub_address;

static IDT: Once<InterruptDescriptorTable> = Once::new();

/// Vectors of exceptions without an error code that `IndexMut<u8>` reaches;
/// the others are set through their named fields in `build`.
const PLAIN_EXCEPTIONS: [u8; 13] = [0, 1, 2, 3, 4, 5, 6, 7, 9, 16, 19, 20, 28];

fn build() -> InterruptDescriptorTable {
    let mut idt = InterruptDescriptorTable::new();
    let stub = |vector: u8| VirtAddr::new(stub_address(vector));
    // SAFETY: for every set_handler_addr below, the address is the trap stub
    // for exactly that vector, which pushes a zero error code only when the
    // CPU does not, so the stack layout trap_common expects always holds.
    unsafe {
        for vector in PLAIN_EXCEPTIONS {
            idt[vector].set_handler_addr(stub(vector));
        }
        idt.double_fault
            .set_handler_addr(stub(8))
            .set_stack_index(DOUBLE_FAULT_IST_INDEX);
        idt.invalid_tss.set_handler_addr(stub(10));
        idt.segment_not_present.set_handler_addr(stub(11));
        idt.stack_segment_fault.set_handler_addr(stub(12));
        idt.general_protection_fault.set_handler_addr(stub(13));
        idt.page_fault.set_handler_addr(stub(14));
        idt.alignment_check.set_handler_addr(stub(17));
        idt.machine_check.set_handler_addr(stub(18));
        idt.cp_protection_exception.set_handler_addr(stub(21));
        idt.vmm_communication_exception.set_handler_addr(stub(29));
        idt.security_exception.set_handler_addr(stub(30));
        for vector in 32..=255u8 {
            idt[vector].set_handler_addr(stub(vector));
        }
    }
    idt
}

/// Loads the IDT on the calling core (building it on first use).
pub fn load() {
    IDT.call_once(build).load();
}
