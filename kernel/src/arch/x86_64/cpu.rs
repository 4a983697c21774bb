//! Per-core CPU basics: which core am I and how many traps deep (GS base),
//! interrupt flag, halt, the time-stamp counter.

use core::arch::asm;
use core::sync::atomic::AtomicUsize;
use x86_64::VirtAddr;
use x86_64::instructions::interrupts;
use x86_64::registers::model_specific::GsBase;

/// The per-core block GS points at: the index, and the trap depth that
/// trap_common keeps; everything else per core is in `crate::cores`,
/// indexed by the index.
#[repr(C)]
pub struct CoreLocal {
    /// This core's index: 0 for the boot core, then in MADT order.
    index: usize,
    /// Traps (interrupts and exceptions) this core is inside now: trap.rs's
    /// trap_common adds one (`incq %gs:8`) before it calls the handler and
    /// takes it off before `iretq`. Only this core touches it, with plain
    /// instructions (the atomic type only makes the static writable).
    trap_depth: AtomicUsize,
}

/// Byte offset of `trap_depth` in `CoreLocal` (trap_common's `%gs:8`).
pub(super) const TRAP_DEPTH_OFFSET: usize = 8;
const _: () = assert!(core::mem::offset_of!(CoreLocal, index) == 0);
const _: () = assert!(core::mem::offset_of!(CoreLocal, trap_depth) == TRAP_DEPTH_OFFSET);

impl CoreLocal {
    /// The block of core `index`, outside any trap.
    pub const fn new(index: usize) -> Self {
        CoreLocal {
            index,
            trap_depth: AtomicUsize::new(0),
        }
    }
}

/// Points GS at `local` for the calling core.
pub fn set_core_local(local: &'static CoreLocal) {
    GsBase::write(VirtAddr::from_ptr(local));
}

/// Index of the calling core (0 = boot core, which runs the shell).
#[inline]
pub fn core_index() -> usize {
    let index: usize;
    // SAFETY: every core sets GS to its CoreLocal (whose field 0 is the index)
    // before any code that can call this runs: the BSP first thing in
    // kernel_main, APs first thing in `cores::ap_entry`.
    unsafe { asm!("mov {}, gs:[0]", out(reg) index, options(nostack, readonly, preserves_flags)) };
    index
}

/// How many traps (interrupts, exceptions) the calling core is inside: 0 in
/// task code (whether interrupts are enabled or not), 1 in a handler.
#[inline]
pub fn trap_depth() -> usize {
    let depth: usize;
    // SAFETY: as in `core_index`: GS points at this core's CoreLocal, whose
    // word at TRAP_DEPTH_OFFSET is the depth (only this core writes it).
    unsafe {
        asm!("mov {}, gs:[{offset}]", out(reg) depth, offset = const TRAP_DEPTH_OFFSET,
            options(nostack, readonly, preserves_flags))
    };
    depth
}

/// Reads the time-stamp counter.
#[inline]
pub fn rdtsc() -> u64 {
    // SAFETY: RDTSC has no side effects (CR4.TSD is clear: ring 0 anyway).
    unsafe { core::arch::x86_64::_rdtsc() }
}

/// Enables interrupts and halts until the next one, atomically: an interrupt
/// arriving between the check the caller made and the halt still wakes us
/// (STI's one-instruction shadow covers HLT).
#[inline]
pub fn enable_interrupts_and_halt() {
    interrupts::enable_and_hlt();
}

/// Disables interrupts.
#[inline]
pub fn disable_interrupts() {
    interrupts::disable();
}

/// Enables interrupts.
#[inline]
pub fn enable_interrupts() {
    interrupts::enable();
}

/// Runs `f` with interrupts disabled, restoring the previous state after.
#[inline]
pub fn without_interrupts<R>(f: impl FnOnce() -> R) -> R {
    interrupts::without_interrupts(f)
}

/// Stops this core for good (interrupts off, halt forever).
pub fn halt_forever() -> ! {
    loop {
        interrupts::disable();
        x86_64::instructions::hlt();
    }
}

/// Tells the CPU we are spinning (PAUSE).
#[inline]
pub fn spin_hint() {
    core::hint::spin_loop();
}

/// Switches to the stack ending at `stack_top` and calls `entry(arg)` there;
/// the old stack is abandoned.
pub fn run_on_stack(stack_top: VirtAddr, entry: extern "C" fn(usize) -> !, arg: usize) -> ! {
    // SAFETY: `stack_top` is the top of a mapped stack that nothing else
    // uses; `entry` never returns, so nothing ever needs the old stack.
    // Rust equivalent: rsp = stack_top; entry(arg)
    unsafe {
        asm!(
            "mov rsp, {top}",
            "xor ebp, ebp",
            "call {entry}",
            "ud2",
            top = in(reg) stack_top.align_down(16u64).as_u64(),
            entry = in(reg) entry,
            in("rdi") arg,
            options(noreturn),
        )
    }
}
