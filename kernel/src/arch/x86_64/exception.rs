//! CPU exceptions (vectors 0-31): a clear report on the console (name,
//! vector, error code, RIP, CR2, core, registers), then whatever the
//! arch-neutral fault policy (`crate::fault`) decides: resume or restart.

use x86_64::registers::control::Cr2;

use super::trap::TrapFrame;
use crate::fault::{self, Exception, FaultAction};

/// Name and mnemonic of each exception vector (Intel SDM vol. 3, table 6-1).
const EXCEPTIONS: [(&str, &str); 32] = [
    ("divide error", "#DE"),
    ("debug", "#DB"),
    ("non-maskable interrupt", "NMI"),
    ("breakpoint", "#BP"),
    ("overflow", "#OF"),
    ("bound range exceeded", "#BR"),
    ("invalid opcode", "#UD"),
    ("device not available", "#NM"),
    ("double fault", "#DF"),
    ("coprocessor segment overrun", "-"),
    ("invalid TSS", "#TS"),
    ("segment not present", "#NP"),
    ("stack-segment fault", "#SS"),
    ("general protection fault", "#GP"),
    ("page fault", "#PF"),
    ("reserved", "-"),
    ("x87 floating-point error", "#MF"),
    ("alignment check", "#AC"),
    ("machine check", "#MC"),
    ("SIMD floating-point error", "#XM"),
    ("virtualization exception", "#VE"),
    ("control protection", "#CP"),
    ("reserved", "-"),
    ("reserved", "-"),
    ("reserved", "-"),
    ("reserved", "-"),
    ("reserved", "-"),
    ("reserved", "-"),
    ("hypervisor injection", "#HV"),
    ("VMM communication", "#VC"),
    ("security exception", "#SX"),
    ("reserved", "-"),
];

const PAGE_FAULT: u64 = 14;
const DOUBLE_FAULT: u64 = 8;

/// Handles exception `frame.vector` on the calling core.
pub fn handle(frame: &mut TrapFrame) {
    let (name, mnemonic) = EXCEPTIONS[frame.vector as usize];
    // CR2 still holds the faulting address on a double fault caused by a
    // page fault during exception delivery (a stack overflow), so keep it.
    let cr2 = matches!(frame.vector, PAGE_FAULT | DOUBLE_FAULT).then(Cr2::read_raw);
    let exception = Exception {
        core: super::cpu::core_index(),
        vector: frame.vector as u8,
        name,
        mnemonic,
        error_code: frame.error_code,
        rip: frame.rip,
        fault_address: cr2,
    };
    fault::report(&exception, |out| write_details(out, frame));
    match fault::decide(&exception) {
        FaultAction::Resume => {}
        FaultAction::Restart {
            entry,
            arg,
            stack_top,
            interrupts,
        } => frame.redirect(entry, arg, stack_top, interrupts),
    }
}

/// The arch-specific part of the report: error-code decoding and registers.
fn write_details(out: &mut dyn core::fmt::Write, frame: &TrapFrame) -> core::fmt::Result {
    if frame.vector == PAGE_FAULT {
        let e = frame.error_code;
        writeln!(
            out,
            "    page fault: {} access, {}{}",
            if e & 0x10 != 0 {
                "instruction fetch"
            } else if e & 0x2 != 0 {
                "write"
            } else {
                "read"
            },
            if e & 0x1 != 0 {
                "protection violation"
            } else {
                "page not present"
            },
            if e & 0x8 != 0 {
                ", reserved bit set"
            } else {
                ""
            },
        )?;
    }
    writeln!(
        out,
        "    rip {:#018x}  rsp {:#018x}  rflags {:#x}  cs {:#x}",
        frame.rip, frame.rsp, frame.rflags, frame.cs
    )?;
    writeln!(
        out,
        "    rax {:#018x}  rbx {:#018x}  rcx {:#018x}  rdx {:#018x}",
        frame.rax, frame.rbx, frame.rcx, frame.rdx
    )?;
    writeln!(
        out,
        "    rsi {:#018x}  rdi {:#018x}  rbp {:#018x}  r8  {:#018x}",
        frame.rsi, frame.rdi, frame.rbp, frame.r8
    )?;
    writeln!(
        out,
        "    r9  {:#018x}  r10 {:#018x}  r11 {:#018x}  r12 {:#018x}",
        frame.r9, frame.r10, frame.r11, frame.r12
    )?;
    writeln!(
        out,
        "    r13 {:#018x}  r14 {:#018x}  r15 {:#018x}",
        frame.r13, frame.r14, frame.r15
    )
}
