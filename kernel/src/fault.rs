//! What happens when a core takes a CPU exception: a report on the console,
//! then a decision. A breakpoint resumes; any other fault on a job core
//! parks that core (state `faulted`); a fault on core 0 restarts the shell.

use core::fmt::{self, Write};

use crate::cores::{self, FaultRecord};
use crate::{console, shell_main, symbols};

const BREAKPOINT: u8 = 3;

/// An exception, as the arch layer saw it.
#[derive(Debug, Clone, Copy)]
pub struct Exception {
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
        stack_top: u64,
        /// Whether interrupts are on there.
        interrupts: bool,
    },
}

/// Prints the report: a first line with `EXCEPTION`, then details.
pub fn report(e: &Exception, details: impl FnOnce(&mut dyn Write) -> fmt::Result) {
    console::locked(|out| {
        let _ = write_report(out, e).and_then(|()| details(out));
    });
}

fn write_report(out: &mut dyn Write, e: &Exception) -> fmt::Result {
    write!(
        out,
        "\nEXCEPTION on core {}: {} ({}, vector {}), error code {:#x}, rip {:#x}",
        e.core, e.name, e.mnemonic, e.vector, e.error_code, e.rip
    )?;
    match symbols::lookup(e.rip) {
        Some((function, offset)) => writeln!(out, " in {function} +{offset:#x}")?,
        None => writeln!(out)?,
    }
    if let Some(job) = cores::current_job(e.core) {
        writeln!(out, "    while running job '{}'", job.0)?;
    }
    if let Some(address) = e.fault_address {
        writeln!(out, "    fault address (cr2) {address:#x}")?;
        if let Some(owner) = cores::guard_page_owner(address) {
            writeln!(
                out,
                "    stack overflow: core {owner}'s stack ran into its guard page"
            )?;
        }
    }
    Ok(())
}

/// Frees the per-core locks core 0 may have held when it faulted: its code
/// never resumes, so nothing else would ever unlock them.
fn release_shell_core_locks() {
    crate::virtio_bus::release_after_fault(0);
    crate::trace::release_after_fault(0);
    crate::fbcon::release_after_fault();
}

/// Decides how the faulting core goes on.
pub fn decide(e: &Exception) -> FaultAction {
    if e.vector == BREAKPOINT {
        crate::println!("    breakpoint: resuming");
        return FaultAction::Resume;
    }
    console::release_if_held();
    if e.core == 0 {
        crate::println!("    core 0 runs the shell: restarting the shell");
        let asked = cores::abort_running(true);
        if !asked.is_empty() {
            crate::println!("    asked core(s) {asked} to stop the job they were running with it");
        }
        release_shell_core_locks();
        return FaultAction::Restart {
            entry: shell_main,
            arg: 0,
            stack_top: cores::stack_top(0),
            interrupts: true,
        };
    }
    crate::println!("    core {} is parked; 'cores' shows it as faulted", e.core);
    cores::mark_faulted(
        e.core,
        FaultRecord {
            exception: e.name,
            rip: e.rip,
        },
    );
    FaultAction::Restart {
        entry: cores::park_faulted,
        arg: e.core,
        stack_top: cores::stack_top(e.core),
        interrupts: false,
    }
}
