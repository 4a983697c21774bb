//! Trap entry: 256 assembly stubs (one per vector) build a `TrapFrame`,
//! count the core one trap deeper (`cpu::trap_depth`) and call `trap_dispatch`, which sends exceptions to `exception` and device
//! interrupts to the handler registered for the vector.

use core::arch::global_asm;

use spin::Once;
use x86_64::VirtAddr;

use super::vectors::{FIRST_IRQ, SPURIOUS};

// Each stub is at most 16 bytes and 16-byte aligned, so the stub of vector v
// sits at trap_stubs + 16 * v. Rust equivalent of one stub:
//   if !cpu_pushed_error_code(v) { push(0) }  push(v);  goto trap_common
// and of trap_common:
//   push(rax, rbx, rcx, rdx, rsi, rdi, rbp, r8..r15);  // now rsp = &TrapFrame
//   core_local.trap_depth += 1;  trap_dispatch(rsp);  core_local.trap_depth -= 1;
//   pop(...);  rsp += 16 (vector, error code);  iretq
// GS points at the core's CoreLocal before its IDT is loaded (cores.rs), so
// every trap finds it; the depth word is at cpu::TRAP_DEPTH_OFFSET.
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
    incq %gs:{depth}
    movq %rsp, %rdi
    cld
    call trap_dispatch
    decq %gs:{depth}
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
    depth = const super::cpu::TRAP_DEPTH_OFFSET,
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

// The offsets trap_common and the CPU build the frame at: 15 registers
// pushed by trap_common (r15 lowest), then the stub's vector and error code,
// then the CPU's interrupt frame (rip, cs, rflags, rsp, ss).
const _: () = {
    use core::mem::{offset_of, size_of};
    assert!(offset_of!(TrapFrame, r15) == 0);
    assert!(offset_of!(TrapFrame, rdi) == 9 * 8);
    assert!(offset_of!(TrapFrame, rax) == 14 * 8);
    assert!(offset_of!(TrapFrame, vector) == 15 * 8);
    assert!(offset_of!(TrapFrame, error_code) == 16 * 8);
    assert!(offset_of!(TrapFrame, rip) == 17 * 8);
    assert!(offset_of!(TrapFrame, rflags) == 19 * 8);
    assert!(offset_of!(TrapFrame, rsp) == 20 * 8);
    assert!(size_of::<TrapFrame>() == 22 * 8);
};

impl TrapFrame {
    /// Makes the `iretq` at the end of the trap continue at `entry(arg)` on a
    /// fresh stack, with interrupts on or off: the way a faulted core is
    /// brought back to a known loop.
    pub fn redirect(
        &mut self,
        entry: extern "C" fn(usize) -> !,
        arg: usize,
        stack_top: VirtAddr,
        interrupts: bool,
    ) {
        const RFLAGS_RESERVED_BIT: u64 = 1 << 1;
        const RFLAGS_INTERRUPTS: u64 = 1 << 9;
        self.rip = entry as usize as u64;
        self.rdi = arg as u64;
        // The entry sees the stack as if called: rsp + 8 is 16-byte aligned.
        self.rsp = stack_top.align_down(16u64).as_u64() - 8;
        self.rflags = RFLAGS_RESERVED_BIT | if interrupts { RFLAGS_INTERRUPTS } else { 0 };
    }
}

/// Handler for a device interrupt or IPI; runs with interrupts disabled.
pub type IrqHandler = fn();
/// Told about an interrupt on a vector nobody registered (the vector).
pub type StrayIrqHandler = fn(u8);

const IRQ_SLOTS: usize = 256 - FIRST_IRQ as usize;
/// Registered handlers for vectors 32..=255, each set once. `Once` publishes
/// the pointer with a Release store that `get`'s Acquire load in
/// trap_dispatch pairs with.
static IRQ_HANDLERS: [Once<IrqHandler>; IRQ_SLOTS] = [const { Once::new() }; IRQ_SLOTS];
/// Who hears of an interrupt without a handler (set once, from above).
static STRAY_IRQ_HANDLER: Once<StrayIrqHandler> = Once::new();

/// Sees the interrupted context once an interrupt is handled, and may
/// redirect it ([`TrapFrame::redirect`]); runs with interrupts disabled.
pub type AfterIrqHook = fn(&mut TrapFrame);
/// The hook run after every interrupt (set once, from above).
static AFTER_IRQ: Once<AfterIrqHook> = Once::new();

/// Installs the hook run after every interrupt's handler, with the frame
/// of the code it interrupted (until then there is none).
pub fn register_after_irq(hook: AfterIrqHook) {
    AFTER_IRQ.call_once(|| hook);
}

/// Installs `handler` for `vector` (32..=255), for good.
pub fn register_irq(vector: u8, handler: IrqHandler) {
    let slot = vector
        .checked_sub(FIRST_IRQ)
        .expect("vectors 0-31 are exceptions");
    let installed = IRQ_HANDLERS[usize::from(slot)].call_once(|| handler);
    assert!(
        core::ptr::fn_addr_eq(*installed, handler),
        "vector {vector} already has a handler"
    );
}

/// Installs who is told about interrupts on vectors without a handler
/// (until then they are ignored silently).
pub fn register_stray_irq_handler(handler: StrayIrqHandler) {
    STRAY_IRQ_HANDLER.call_once(|| handler);
}

/// Called by trap_common with the frame it built.
#[unsafe(no_mangle)]
extern "C" fn trap_dispatch(frame: &mut TrapFrame) {
    let Some(slot) = (frame.vector as u8).checked_sub(FIRST_IRQ) else {
        super::exception::handle(frame);
        return;
    };
    if frame.vector as u8 == SPURIOUS {
        return; // spurious: no EOI, by the APIC's rules
    }
    match IRQ_HANDLERS[usize::from(slot)].get() {
        Some(handler) => handler(),
        None => {
            if let Some(report) = STRAY_IRQ_HANDLER.get() {
                report(frame.vector as u8);
            }
        }
    }
    super::apic::end_of_interrupt();
    if let Some(hook) = AFTER_IRQ.get() {
        hook(frame);
    }
}
