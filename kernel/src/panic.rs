//! The panic handler: a `KERNEL PANIC` report on the console, then the
//! panicking core stops. A job core is marked faulted (as after a CPU
//! exception) so the shell and the demo's other cores stop waiting for it.

use core::fmt::Write;
use core::panic::PanicInfo;

use crate::arch::{backtrace, cpu};
use crate::cores::{self, FaultRecord};
use crate::stack_trace;

#[panic_handler]
fn panic(info: &PanicInfo<'_>) -> ! {
    crate::console::release_if_held();
    let core = cpu::core_index();
    let rbp = backtrace::current_frame_pointer();
    let caller = stack_trace::panicking_caller(core, rbp).unwrap_or(0);
    crate::console::locked(|out| {
        let _ = writeln!(out, "\nKERNEL PANIC on core {core}: {info}")
            .and_then(|()| stack_trace::write(out, core, None, rbp));
    });
    if core != 0 {
        cores::mark_faulted(
            core,
            FaultRecord {
                exception: "kernel panic",
                rip: caller,
            },
        );
        cores::park_faulted(core);
    }
    cpu::halt_forever()
}
