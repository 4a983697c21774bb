//! Starting the application processors: a real-mode trampoline copied to low
//! memory, then INIT-SIPI-SIPI for each core (Intel SDM vol. 3, 9.4.4). The
//! trampoline takes the core from 16-bit real mode to long mode on the
//! kernel's page tables and calls the entry with the stack it was given.

use core::arch::global_asm;
use core::ptr::addr_of;

use x86_64::{PhysAddr, VirtAddr};

use super::{apic, paging};

/// Where the trampoline runs: page 8, below 1 MiB as STARTUP requires.
const TRAMPOLINE_ADDRESS: u64 = 0x8000;

// Rust equivalent, for reading (every address is relative to 0x8000):
//   real mode:  lgdt(ap_gdt); cr0.PE = 1; far jump to 32-bit code
//   protected:  cr4.PAE = 1; cr3 = params.cr3; EFER.LME = EFER.NXE = 1;
//               cr0.PG = cr0.WP = 1; far jump to 64-bit code
//   long mode:  rsp = params.stack_top; (params.entry)(params.arg)
global_asm!(
    r#"
    .section .rodata.trampoline, "a"
    .balign 4096
    .global ap_trampoline_start
ap_trampoline_start:
    .code16
    cli
    cld
    xorw %ax, %ax
    movw %ax, %ds
    lgdtl (0x8000 + ap_gdt_pointer - ap_trampoline_start)
    movl %cr0, %eax
    orl $1, %eax
    movl %eax, %cr0
    ljmpl $0x08, $(0x8000 + ap_protected - ap_trampoline_start)

    .code32
ap_protected:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movl %cr4, %eax
    orl $(1 << 5), %eax
    movl %eax, %cr4
    movl (0x8000 + ap_params - ap_trampoline_start), %eax
    movl %eax, %cr3
    movl $0xC0000080, %ecx
    rdmsr
    orl $((1 << 8) | (1 << 11)), %eax
    wrmsr
    movl %cr0, %eax
    orl $((1 << 31) | (1 << 16)), %eax
    movl %eax, %cr0
    ljmp $0x18, $(0x8000 + ap_long_mode - ap_trampoline_start)

    .code64
ap_long_mode:
    movq (0x8000 + ap_params + 8 - ap_trampoline_start), %rsp
    movq (0x8000 + ap_params + 24 - ap_trampoline_start), %rdi
    movq (0x8000 + ap_params + 16 - ap_trampoline_start), %rax
    xorl %ebp, %ebp
    callq *%rax
    ud2

    .balign 8
ap_gdt:
    .quad 0                             /* null */
    .quad 0x00CF9A000000FFFF            /* 0x08: 32-bit code */
    .quad 0x00CF92000000FFFF            /* 0x10: data */
    .quad 0x00AF9A000000FFFF            /* 0x18: 64-bit code */
ap_gdt_pointer:
    .word ap_gdt_pointer - ap_gdt - 1
    .long 0x8000 + ap_gdt - ap_trampoline_start

    .balign 8
    .global ap_params
ap_params:
    .quad 0                             /* +0  cr3 */
    .quad 0                             /* +8  stack top */
    .quad 0                             /* +16 entry */
    .quad 0                             /* +24 argument */
    .global ap_trampoline_end
ap_trampoline_end:
    "#,
    options(att_syntax)
);

unsafe extern "C" {
    static ap_trampoline_start: u8;
    static ap_trampoline_end: u8;
    static ap_params: u8;
}

/// The parameter block at `ap_params`, as the trampoline reads it.
#[repr(C)]
struct TrampolineParams {
    cr3: PhysAddr,
    stack_top: VirtAddr,
    entry: extern "C" fn(usize) -> !,
    arg: usize,
}

// The offsets `ap_protected` and `ap_long_mode` read the block at.
const _: () = {
    use core::mem::{offset_of, size_of};
    assert!(offset_of!(TrampolineParams, cr3) == 0);
    assert!(offset_of!(TrampolineParams, stack_top) == 8);
    assert!(offset_of!(TrampolineParams, entry) == 16);
    assert!(offset_of!(TrampolineParams, arg) == 24);
    assert!(size_of::<TrampolineParams>() == 32);
};

/// Copies the trampoline to its low-memory page. Call once, before starting
/// any core.
pub fn install_trampoline() {
    let start = addr_of!(ap_trampoline_start);
    let length = addr_of!(ap_trampoline_end) as usize - start as usize;
    assert!(
        length <= paging::PAGE_SIZE as usize,
        "AP trampoline larger than a page"
    );
    // SAFETY: 0x8000..0x9000 is conventional memory below 1 MiB, which the
    // heap never claims and nothing else uses after boot; the source is the
    // trampoline's bytes in the kernel image.
    unsafe { core::ptr::copy_nonoverlapping(start, TRAMPOLINE_ADDRESS as *mut u8, length) };
}

/// Sends INIT to every core in `apic_ids` and waits the 10 ms the SDM asks
/// for before the first STARTUP.
pub fn reset_cores(apic_ids: impl Iterator<Item = u32>) {
    for apic_id in apic_ids {
        apic::send_init(apic_id);
    }
    super::tsc::delay_us(10_000);
}

/// Starts the core with `apic_id` (already reset by `reset_cores`) running
/// `entry(arg)` on `stack_top`. `is_up` tells when it has checked in; gives
/// up after `timeout_us`. One core at a time: they share the parameter block.
#[must_use = "a core that did not start must be reported"]
pub fn start_core(
    apic_id: u32,
    stack_top: VirtAddr,
    entry: extern "C" fn(usize) -> !,
    arg: usize,
    is_up: impl Fn() -> bool,
    timeout_us: u64,
) -> bool {
    let offset = addr_of!(ap_params) as usize - addr_of!(ap_trampoline_start) as usize;
    let params = (TRAMPOLINE_ADDRESS as usize + offset) as *mut TrampolineParams;
    // SAFETY: `params` is the parameter block inside the installed trampoline
    // copy; no core reads it until the STARTUP below: earlier cores either
    // checked in (past the trampoline) or were sent INIT again on timeout.
    unsafe {
        params.write_volatile(TrampolineParams {
            cr3: paging::root_table_address(),
            stack_top,
            entry,
            arg,
        });
    }
    let page = (TRAMPOLINE_ADDRESS / paging::PAGE_SIZE) as u8;
    apic::send_startup(apic_id, page);
    if super::tsc::wait_until(200, &is_up) {
        return true;
    }
    apic::send_startup(apic_id, page); // the second SIPI, as the SDM's sequence has it
    let started = super::tsc::wait_until(timeout_us, &is_up);
    if !started {
        // Back to wait-for-SIPI: a late core must not run the trampoline
        // with the next core's parameters (its stack, its identity).
        apic::send_init(apic_id);
    }
    started
}
