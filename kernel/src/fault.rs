//! What happens when a core takes a CPU exception: a report on the console,
//! then a decision. A breakpoint resumes; any other fault on a job core
//! parks that core (state `faulted`); a fault on core 0 restarts the shell.

use core::fmt::{self, Write};

use probe::{Probe, probe};

use crate::arch::exception::{Exception, FaultAction};
use crate::arch::vectors::BREAKPOINT;
use crate::cores::{self, FaultRecord};
use crate::{c_programs, commands, console, core_bus, fbcon, stack_trace, symbols};

probe!(static EXCEPTION = event "core.exception", target: "core", WARN, ["core", "vector", "rip"]);

/// The fault policy's trace point: an event per exception, written by the
/// handler on the faulting core (so into its interrupt lane).
pub static PROBES: [&Probe; 1] = [&EXCEPTION];

/// The exception policy `arch::exception` calls (registered at boot):
/// report, then decide how the faulting core goes on.
pub fn on_exception(e: &Exception<'_>) -> FaultAction {
    EXCEPTION.fire(|| [e.core as u64, u64::from(e.vector), e.rip]);
    report(e);
    decide(e)
}

/// Prints the report: a first line with `EXCEPTION`, then details.
fn report(e: &Exception<'_>) {
    console::locked(|out| {
        let _ = write_report(out, e)
            .and_then(|()| e.write_details(out))
            .and_then(|()| stack_trace::write(out, e.core, Some(e.rip), e.frame_pointer()));
    });
}

fn write_report(out: &mut dyn Write, e: &Exception<'_>) -> fmt::Result {
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
    core_bus::release_after_fault(0);
    fbcon::release_after_fault();
}

/// Decides how the faulting core goes on.
fn decide(e: &Exception<'_>) -> FaultAction {
    if e.vector == BREAKPOINT {
        crate::println!("    breakpoint: resuming");
        return FaultAction::Resume;
    }
    console::release_if_held();
    c_programs::forget(e.core);
    if e.core == 0 {
        crate::println!("    core 0 runs the shell: restarting the shell");
        let asked = cores::abort_running(true);
        if !asked.is_empty() {
            crate::println!("    asked core(s) {asked} to stop the job they were running with it");
        }
        release_shell_core_locks();
        return FaultAction::Restart {
            entry: commands::run_shell,
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
