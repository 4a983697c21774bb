//! Trap entry: 256 assembly stubs (one per vector) build a `TrapFrame` and
//! call `trap_dispatch`, which sends exceptions to `exception` and device
//! interrupts to the handler registered for the vector.

use core::arch::global_asm;
use core::sync::atomic::{AtomicUsize, Ordering};

// Each stub is at most 16 bytes and 16-byte aligned, so the stub of vector v
// sits at trap_stubs + 16 * v. Rust equivalent of one stub:
//   if !cpu_pushed_error_code(v) { push(0) }  push(v);  goto trap_common
// and of trap_common:
//   push(rax, rbx, rcx, rdx, rsi, rdi, rbp, r8..r15);  // now rsp = &TrapFrame
//   trap_dispatch(rsp);  pop(...);  rsp += 16 (vector, error code);  iretq
global_asm!(
    r#"
    .macro trap_stub vec, cpu_pushes_error_code
    .balign 16
    .if \cpu_pushes_error_code == 0
    pushq $0
    .endif
    pushq $\vec
    jmp trap_common
    .endm

    .section .text.trap, "ax"
    .balign 16
    .global trap_stubs
trap_stubs:
    trap_stub 0, 0
    trap_stub 1, 0
    trap_stub 2, 0
    trap_stub 3, 0
    trap_stub 4, 0
    trap_stub 5, 0
    trap_stub 6, 0
    trap_stub 7, 0
    trap_stub 8, 1
    trap_stub 9, 0
    trap_stub 10, 1
    trap_stub 11, 1
    trap_stub 12, 1
    trap_stub 13, 1
    trap_stub 14, 1
    trap_stub 15, 0
    trap_stub 16, 0
    trap_stub 17, 1
    trap_stub 18, 0
    trap_stub 19, 0
    trap_stub 20, 0
    trap_stub 21, 1
    trap_stub 22, 0
    trap_stub 23, 0
    trap_stub 24, 0
    trap_stub 25, 0
    trap_stub 26, 0
    trap_stub 27, 0
    trap_stub 28, 0
    trap_stub 29, 1
    trap_stub 30, 1
    trap_stub 31, 0
    .set vector, 32
    .rept 224
    trap_stub vector, 0
    .set vector, vector + 1
    .endr
    .balign 16
    .global trap_stubs_end
trap_stubs_end:

trap_common:
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, %rdi
    cld
    call trap_dispatch
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    addq $16, %rsp
    iretq
    "#,
    options(att_syntax)
);

unsafe extern "C" {
    static trap_stubs: u8;
    static trap_stubs_end: u8;
}

/// Distance between two stubs.
const STUB_SIZE: u64 = 16;

/// Address of the entry stub for `vector`.
pub fn stub_address(vector: u8) -> u64 {
    let base = core::ptr::addr_of!(trap_stubs) as u64;
    let end = core::ptr::addr_of!(trap_stubs_end) as u64;
    assert_eq!(
        end - base,
        256 * STUB_SIZE,
        "a trap stub outgrew its 16 bytes"
    );
    base + STUB_SIZE * u64::from(vector)
}

/// Registers and CPU state saved at a trap, lowest address first (the order
/// trap_common pushes them in reverse).
#[repr(C)]
#[derive(Debug)]
#[allow(missing_docs)] // register names say what they are
pub struct TrapFrame {
    pub r15: u64,
    pub r14: u64,
    pub r13: u64,
    pub r12: u64,
    pub r11: u64,
    pub r10: u64,
    pub r9: u64,
    pub r8: u64,
    pub rbp: u64,
    pub rdi: u64,
    pub rsi: u64,
    pub rdx: u64,
    pub rcx: u64,
    pub rbx: u64,
    pub rax: u64,
    /// Vector number pushed by the stub.
    pub vector: u64,
    /// Error code pushed by the CPU, or 0 pushed by the stub.
    pub error_code: u64,
    pub rip: u64,
    pub cs: u64,
    pub rflags: u64,
    pub rsp: u64,
    pub ss: u64,
}

impl TrapFrame {
    /// Makes the `iretq` at the end of the trap continue at `entry(arg)` on a
    /// fresh stack, with interrupts on or off: the way a faulted core is
    /// brought back to a known loop.
    pub fn redirect(
        &mut self,
        entry: extern "C" fn(usize) -> !,
        arg: usize,
        stack_top: u64,
        interrupts: bool,
    ) {
        const RFLAGS_RESERVED_BIT: u64 = 1 << 1;
        const RFLAGS_INTERRUPTS: u64 = 1 << 9;
        self.rip = entry as usize as u64;
        self.rdi = arg as u64;
        // The entry sees the stack as if called: rsp + 8 is 16-byte aligned.
        self.rsp = (stack_top & !0xF) - 8;
        self.rflags = RFLAGS_RESERVED_BIT | if interrupts { RFLAGS_INTERRUPTS } else { 0 };
    }
}

/// Handler for a device interrupt or IPI; runs with interrupts disabled.
pub type IrqHandler = fn();

const FIRST_IRQ_VECTOR: usize = 32;
/// Registered handlers for vectors 32..=255, as fn addresses (0 = none).
static IRQ_HANDLERS: [AtomicUsize; 256 - FIRST_IRQ_VECTOR] =
    [const { AtomicUsize::new(0) }; 256 - FIRST_IRQ_VECTOR];

/// Installs `handler` for `vector` (32..=255).
pub fn register_irq(vector: u8, handler: IrqHandler) {
    let slot = usize::from(vector)
        .checked_sub(FIRST_IRQ_VECTOR)
        .expect("vectors 0-31 are exceptions");
    // Release pairs with the Acquire load in trap_dispatch.
    IRQ_HANDLERS[slot].store(handler as usize, Ordering::Release);
}

/// Called by trap_common with the frame it built.
#[unsafe(no_mangle)]
extern "C" fn trap_dispatch(frame: &mut TrapFrame) {
    let vector = frame.vector as usize;
    if vector < FIRST_IRQ_VECTOR {
        super::exception::handle(frame);
        return;
    }
    if vector == usize::from(super::apic::SPURIOUS_VECTOR) {
        return; // spurious: no EOI, by the APIC's rules
    }
    // Acquire pairs with the Release store in register_irq.
    let handler = IRQ_HANDLERS[vector - FIRST_IRQ_VECTOR].load(Ordering::Acquire);
    if handler == 0 {
        crate::println!("warning: interrupt on vector {vector}, which has no handler; ignored");
    } else {
        // SAFETY: non-zero slots only ever hold an `IrqHandler` stored by
        // register_irq, so the transmute restores the same fn pointer.
        let handler: IrqHandler = unsafe { core::mem::transmute::<usize, IrqHandler>(handler) };
        handler();
    }
    super::apic::end_of_interrupt();
}
