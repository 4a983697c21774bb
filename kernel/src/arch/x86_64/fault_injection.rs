//! Deliberate CPU exceptions for the `fault` debug command, so students (and
//! the tests) can see the exception reports and the core states they cause.

use core::arch::asm;

/// An exception `trigger` can cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// Read an unmapped address: #PF.
    Page,
    /// Read a non-canonical address: #GP.
    GeneralProtection,
    /// Divide by zero: #DE.
    Divide,
    /// Execute UD2: #UD.
    InvalidOpcode,
    /// Execute INT3: #BP (resumable).
    Breakpoint,
    /// Recurse until the stack hits its guard page: #PF while pushing the
    /// #PF frame, hence #DF on its own stack.
    StackOverflow,
}

impl FaultKind {
    /// Every kind with its name on the command line.
    pub const ALL: [(&'static str, FaultKind); 6] = [
        ("page", FaultKind::Page),
        ("gp", FaultKind::GeneralProtection),
        ("divide", FaultKind::Divide),
        ("opcode", FaultKind::InvalidOpcode),
        ("breakpoint", FaultKind::Breakpoint),
        ("stack", FaultKind::StackOverflow),
    ];

    /// The kind's name on the command line.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, kind)| *kind == self)
            .map_or("?", |(name, _)| name)
    }
}

/// An address in no mapping: PML4 slot 32 (16 TiB) is never used.
const UNMAPPED_ADDRESS: u64 = 0x0000_1000_0000_0000;
/// An address with bits 63..48 not copies of bit 47.
const NON_CANONICAL_ADDRESS: u64 = 0x8000_0000_0000_0000;

/// Causes the exception; returns only after a resumable one (breakpoint).
/// Never inlined, so a fault report names this function and a backtrace
/// shows who called it.
#[inline(never)]
pub fn trigger(kind: FaultKind) {
    match kind {
        FaultKind::Page => read(UNMAPPED_ADDRESS),
        FaultKind::GeneralProtection => read(NON_CANONICAL_ADDRESS),
        // SAFETY: raises #DE on purpose and touches no memory; the fault
        // policy parks or restarts the core, so execution never continues.
        FaultKind::Divide => unsafe {
            asm!("xor edx, edx", "xor ecx, ecx", "div ecx", out("eax") _, out("edx") _, out("ecx") _);
        },
        // SAFETY: as above, with #UD.
        FaultKind::InvalidOpcode => unsafe { asm!("ud2") },
        // SAFETY: #BP is a trap: the handler reports it and execution
        // continues after INT3 with every register as it was.
        FaultKind::Breakpoint => unsafe { asm!("int3") },
        FaultKind::StackOverflow => {
            recurse(0);
        }
    }
}

fn read(address: u64) {
    // SAFETY: not safe, on purpose: the read faults before it returns a
    // value, and the fault policy never resumes this code.
    unsafe { core::ptr::read_volatile(address as *const u64) };
}

/// Uses 4 KiB of stack per call and cannot be turned into a loop.
#[allow(unconditional_recursion)] // the point: it only ends in the guard page
fn recurse(depth: u64) -> u64 {
    let frame = core::hint::black_box([depth; 512]);
    recurse(depth + 1) + frame[depth as usize % 512]
}
