//! CPU exceptions (vectors 0-31): what struck (name, vector, error code,
//! RIP, CR2, core, registers) handed to the handler registered from above
//! (the fault policy, `crate::fault`), which says whether to resume or restart.

use core::fmt::{self, Write};

use spin::Once;
use x86_64::VirtAddr;
use x86_64::registers::control::Cr2;

use super::trap::TrapFrame;
use super::vectors::{DOUBLE_FAULT, PAGE_FAULT};

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

/// An exception, as the CPU reported it.
pub struct Exception<'a> {
    /// Core it struck.
    pub core: usize,
    /// Vector number (0-31).
    pub vector: u8,
    /// Name, e.g. "page fault".
    pub name: &'static str,
    /// Mnemonic, e.g. "#PF".
    pub mnemonic: &'static str,
    /// Error code (0 when the exception has none).
    pub error_code: u64,
    /// Instruction pointer at the fault.
    pub rip: u64,
    /// The faulting address (CR2) for page and double faults.
    pub fault_address: Option<u64>,
    frame: &'a TrapFrame,
}

/// What the trap should do on return.
pub enum FaultAction {
    /// Continue after the instruction (breakpoint).
    Resume,
    /// Continue at `entry(arg)` on a fresh stack.
    Restart {
        /// Where to go.
        entry: extern "C" fn(usize) -> !,
        /// Its argument.
        arg: usize,
        /// Stack to run it on.
        stack_top: VirtAddr,
        /// Whether interrupts are on there.
        interrupts: bool,
    },
}

/// The policy for exceptions: reports and decides; registered from above.
pub type ExceptionHandler = fn(&Exception<'_>) -> FaultAction;

/// Set once at boot, before the IDT is loaded (`Once`: Release store when
/// set, Acquire load in `handle`).
static HANDLER: Once<ExceptionHandler> = Once::new();

/// Installs the exception policy. Call before `idt::load`.
pub fn register_handler(handler: ExceptionHandler) {
    HANDLER.call_once(|| handler);
}

/// Handles exception `frame.vector` on the calling core; without a
/// registered policy the core stops.
pub fn handle(frame: &mut TrapFrame) {
    let (name, mnemonic) = EXCEPTIONS[frame.vector as usize];
    let vector = frame.vector as u8;
    // CR2 still holds the faulting address on a double fault caused by a
    // page fault during exception delivery (a stack overflow), so keep it.
    let cr2 = matches!(vector, PAGE_FAULT | DOUBLE_FAULT).then(Cr2::read_raw);
    let exception = Exception {
        core: super::cpu::core_index(),
        vector,
        name,
        mnemonic,
        error_code: frame.error_code,
        rip: frame.rip,
        fault_address: cr2,
        frame,
    };
    let Some(policy) = HANDLER.get() else {
        super::cpu::halt_forever()
    };
    match policy(&exception) {
        FaultAction::Resume => {}
        FaultAction::Restart {
            entry,
            arg,
            stack_top,
            interrupts,
        } => frame.redirect(entry, arg, stack_top, interrupts),
    }
}

impl Exception<'_> {
    /// The arch-specific part of a report: error-code decoding and registers.
    pub fn write_details(&self, out: &mut dyn Write) -> fmt::Result {
        write_details(out, self.frame)
    }

    /// The interrupted code's frame pointer (`rbp`), where a backtrace starts.
    pub fn frame_pointer(&self) -> u64 {
        self.frame.rbp
    }
}

fn write_details(out: &mut dyn Write, frame: &TrapFrame) -> fmt::Result {
    if frame.vector == u64::from(PAGE_FAULT) {
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
