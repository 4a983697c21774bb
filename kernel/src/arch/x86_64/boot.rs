//! Boot stage 1: the PVH entry. QEMU jumps to `pvh_start32` in 32-bit protected
//! mode with paging off and `ebx` = the `hvm_start_info` address. This stage
//! clears .bss, identity-maps the low 4 GiB, enters long mode and calls
//! `kernel_main` (stage 2, `crate::main`).

use core::arch::global_asm;

// The PVH ELF note (Xen's public/elfnote.h: XEN_ELFNOTE_PHYS32_ENTRY = 18).
// QEMU finds it through the PT_NOTE program header and enters there.
global_asm!(
    r#"
    .section .note.Xen, "a", @note
    .balign 4
    .long 4                 /* name size: "Xen\0" */
    .long 4                 /* descriptor size: one 32-bit address */
    .long 18                /* XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .balign 4
    .long pvh_start32
    .balign 4
    "#
);

// Rust equivalent, for reading:
//   zero(__bss_start..__bss_end);
//   pml4[0] = pdpt; pdpt[0..4] = pd[0..4]; pd[i] = i * 2 MiB | HUGE|WRITE|PRESENT
//     (the 3-4 GiB device hole is mapped uncached);
//   cr4.PAE = 1; cr3 = pml4; EFER.LME = EFER.NXE = 1; cr0.PG = cr0.WP = 1;
//   lgdt(boot_gdt); far jump to 64-bit code; kernel_main(start_info)
global_asm!(
    r#"
    .section .text.boot, "ax"
    .code32
    .global pvh_start32
pvh_start32:
    cli
    cld
    movl %ebx, %esi                     /* keep hvm_start_info across the loops */

    movl $__bss_start, %edi             /* .bss = 0 (page tables, boot stack) */
    movl $__bss_end, %ecx
    subl %edi, %ecx
    xorl %eax, %eax
    rep stosb

    movl $boot_stack_top, %esp

    movl $boot_pdpt, %eax               /* pml4[0] -> pdpt */
    orl $0x3, %eax
    movl %eax, boot_pml4

    movl $boot_pd, %eax                 /* pdpt[0..4] -> pd[0..4] */
    orl $0x3, %eax
    xorl %ecx, %ecx
1:  movl %eax, boot_pdpt(,%ecx,8)
    addl $4096, %eax
    incl %ecx
    cmpl $4, %ecx
    jne 1b

    movl $0x83, %eax                    /* 2 MiB pages: HUGE|WRITE|PRESENT */
    xorl %ecx, %ecx
2:  movl %eax, %edx
    cmpl $1536, %ecx                    /* entries 1536.. cover 3-4 GiB: devices */
    jb 3f
    orl $0x18, %edx                     /* PCD|PWT: uncached */
3:  movl %edx, boot_pd(,%ecx,8)
    addl $0x200000, %eax
    incl %ecx
    cmpl $2048, %ecx
    jne 2b

    movl %cr4, %eax                     /* PAE */
    orl $(1 << 5), %eax
    movl %eax, %cr4
    movl $boot_pml4, %eax
    movl %eax, %cr3
    movl $0xC0000080, %ecx              /* EFER: LME | NXE */
    rdmsr
    orl $((1 << 8) | (1 << 11)), %eax
    wrmsr
    movl %cr0, %eax                     /* PG | WP | PE */
    orl $((1 << 31) | (1 << 16) | 1), %eax
    movl %eax, %cr0

    lgdt boot_gdt_pointer
    ljmp $0x08, $pvh_start64

    .code64
pvh_start64:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorw %ax, %ax
    movw %ax, %fs
    movw %ax, %gs
    movl %esi, %edi                     /* arg 0: hvm_start_info (zero-extended) */
    xorl %ebp, %ebp
    call kernel_main
    ud2

    .section .rodata.boot, "a"
    .balign 8
boot_gdt:
    .quad 0                             /* null */
    .quad 0x00AF9A000000FFFF            /* 0x08: 64-bit code */
    .quad 0x00CF92000000FFFF            /* 0x10: data */
boot_gdt_pointer:
    .word boot_gdt_pointer - boot_gdt - 1
    .long boot_gdt

    .section .bss.boot, "aw", @nobits
    .balign 4096
    .global boot_pml4
boot_pml4:  .skip 4096
boot_pdpt:  .skip 4096
boot_pd:    .skip 4096 * 4
    .balign 16
boot_stack: .skip 64 * 1024             /* until the BSP moves to a guarded stack */
boot_stack_top:
    "#,
    options(att_syntax)
);
