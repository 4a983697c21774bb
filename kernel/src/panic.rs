//! The panic handler: a `KERNEL PANIC` report on the console, then the
//! panicking core stops. Other cores go on (the shell may still answer).

use core::panic::PanicInfo;

use crate::arch::cpu;

#[panic_handler]
fn panic(info: &PanicInfo<'_>) -> ! {
    crate::console::release_if_held();
    crate::println!("\nKERNEL PANIC on core {}: {}", cpu::core_index(), info);
    cpu::halt_forever()
}
