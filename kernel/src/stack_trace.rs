//! The backtrace part of fault and panic reports: the frame-pointer walk
//! (`arch::backtrace`) over the faulting core's own stack, each frame named
//! from the kernel's symbol table.

use core::fmt::{self, Write};

use crate::arch::backtrace;
use crate::{cores, symbols};

/// Writes `    backtrace:` and one line per frame: `rip` first when given
/// (the faulting instruction), then the return addresses on the chain from
/// frame pointer `rbp`, which must point into `core`'s stack.
pub fn write(out: &mut dyn Write, core: usize, rip: Option<u64>, rbp: u64) -> fmt::Result {
    writeln!(out, "    backtrace:")?;
    if let Some(rip) = rip {
        write_frame(out, 0, rip, rip)?;
    }
    let Some(stack) = cores::stack_range(core) else {
        return Ok(());
    };
    let mut result = Ok(());
    let mut depth = usize::from(rip.is_some());
    backtrace::walk(rbp, stack, |return_address| {
        // Name the call instruction, which ends just before the return address.
        result = result.and_then(|()| write_frame(out, depth, return_address, return_address - 1));
        depth += 1;
    });
    result
}

/// Function-name prefixes of the code between a panic and its handler.
const PANIC_MACHINERY: [&str; 4] = [
    "core::panicking::",
    "core::result::unwrap_failed",
    "core::option::expect_failed",
    "kernel::panic::",
];

/// The first frame of the chain from `rbp` outside the panic machinery
/// (`core::panicking`, the unwrap/expect failure paths, this kernel's panic
/// handler): the code that panicked.
pub fn panicking_caller(core: usize, rbp: u64) -> Option<u64> {
    let stack = cores::stack_range(core)?;
    let mut found = None;
    backtrace::walk(rbp, stack, |return_address| {
        let machinery = symbols::lookup(return_address - 1)
            .is_some_and(|(name, _)| PANIC_MACHINERY.iter().any(|m| name.starts_with(m)));
        if found.is_none() && !machinery {
            found = Some(return_address);
        }
    });
    found
}

/// One frame line: `shown` with the function holding `looked_up` (the same
/// address, or one byte before a return address) and `shown`'s offset in it.
fn write_frame(out: &mut dyn Write, depth: usize, shown: u64, looked_up: u64) -> fmt::Result {
    match symbols::lookup(looked_up) {
        Some((name, offset)) => {
            let offset = offset + (shown - looked_up);
            writeln!(out, "      #{depth:<2} {shown:#x} in {name} +{offset:#x}")
        }
        None => writeln!(out, "      #{depth:<2} {shown:#x}"),
    }
}
