//! The panic handler: a `KERNEL PANIC` report on the console, then the
//! panicking core stops. A job core is marked faulted (as after a CPU
//! exception) so the shell and the demo's other cores stop waiting for it.

use core::panic::PanicInfo;

use crate::arch::cpu;
use crate::cores::{self, FaultRecord};

#[panic_handler]
fn panic(info: &PanicInfo<'_>) -> ! {
    crate::console::release_if_held();
    let core = cpu::core_index();
    crate::println!("\nKERNEL PANIC on core {core}: {info}");
    if core != 0 {
        cores::mark_faulted(
            core,
            FaultRecord {
                exception: "kernel panic",
                rip: 0,
            },
        );
        cores::park_faulted(core);
    }
    cpu::halt_forever()
}
