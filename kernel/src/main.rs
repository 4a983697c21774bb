//! ringlab: a bare-metal x86_64 teaching kernel. This file is the boot path
//! after the assembly entry (`arch/x86_64/boot.rs`), top to bottom:
//! `kernel_main` brings up the boot core once, `boot_core_main` starts the
//! other cores and hands over to the shell (`commands::run_shell`).

#![no_std]
#![no_main]

extern crate alloc;

mod arch;
mod bochs_vga;
mod c_programs;
mod commands;
mod console;
mod core_bus;
mod cores;
mod fault;
mod fbcon;
mod heap;
mod idle;
mod input;
mod interrupts;
mod keyboard;
mod mpi_context;
mod panic;
mod pci;
mod platform;
mod stack_trace;
mod status;
mod symbols;
mod time;
mod trace;
mod virtio_console;

use crate::arch::{pic, pvh};

/// Boot stage 2, on the boot stack in long mode; called by stage 1 with the
/// PVH `hvm_start_info` address.
#[unsafe(no_mangle)]
pub extern "C" fn kernel_main(start_info: u64) -> ! {
    time::mark_boot(); // boot-to-prompt is measured from here
    cores::set_core_identity(0); // GS: core_index() works from here on
    console::init(); // COM1: the boot log from here on
    arch::exception::register_handler(fault::on_exception); // the fault policy
    arch::idt::load(); // exceptions are reported from here on
    pic::disable(); // mask the 8259s while LINT0 still forwards them (see pic.rs)
    // SAFETY: `start_info` is what the PVH loader passed in ebx, and boot
    // stage 1 identity-mapped the low 4 GiB.
    let boot = unsafe { pvh::read_start_info(start_info) };
    println!("ringlab {} booting", env!("CARGO_PKG_VERSION"));
    let platform = platform::set(read_acpi(boot.rsdp)); // before the heap reuses firmware memory
    heap::init(&boot); // talc over the RAM in the memory map
    arch::paging::init(); // take over the boot page tables
    time::init(); // calibrate the TSC against the PIT
    pci::init(); // walk the PCI buses, size every BAR
    fbcon::init(&mut console::Console); // framebuffer console on the standard VGA, if any
    cores::init(platform.cpus.iter().map(|cpu| cpu.apic_id)); // core table, every core's stacks
    cores::init_this_core(0); // GDT/TSS, IDT, local APIC on the boot core
    interrupts::init(platform); // wake IPI, serial and keyboard input interrupts
    idle::init(); // the nap timer's interrupt (bus notify mode)
    c_programs::init(); // a C program asked to stop is stopped at an interrupt
    trace::init(); // the trace channel (virtio console, else COM2); tracing stays off
    trace::add_probes(&fault::PROBES); // exceptions in the trace
    status::init(); // the wake-up IPI and the tick redraw the status line
    cores::enter_boot_core_stack(boot_core_main) // move to the guarded stack
}

/// Boot stage 3, on the boot core's guarded stack: start the other cores,
/// then become the shell.
extern "C" fn boot_core_main(_: usize) -> ! {
    let (started, cycles) = cores::start_application_processors();
    println!(
        "smp: {} of {} cores online ({} started in {} us)",
        cores::online_count(),
        cores::count(),
        started,
        time::cycles_to_ns(cycles) / 1000
    );
    trace::measure_clocks(); // each core's TSC against core 0's, for the trace stream
    core_bus::init(cores::count()); // one virtqueue per ordered pair of cores
    commands::run_shell(0)
}

fn read_acpi(rsdp: Option<u64>) -> platform::Platform {
    match arch::acpi::read_platform(rsdp) {
        Ok(platform) => {
            if platform.skipped_cpus > 0 {
                println!(
                    "acpi: {} more cores listed than ringlab drives; they stay off",
                    platform.skipped_cpus
                );
            }
            platform
        }
        Err(why) => {
            println!("acpi: {why}; running on the boot core only, serial input polled");
            platform::Platform::default()
        }
    }
}
