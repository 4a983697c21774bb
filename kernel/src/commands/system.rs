//! Commands that show or control the machine: cores, mem, uptime, echo,
//! clear, poweroff.

use alloc::vec::Vec;
use core::fmt::Write;

use shell::{Args, Command, Error};

use super::Kernel;
use super::format::{Bytes, Seconds};
use crate::arch::paging::{self, PAGE_SIZE, PAGE_TABLE_BYTES};
use crate::cores::{self, CoreSet, CoreState};
use crate::{core_bus, heap, platform, time};

/// `cores`: one line per core; `cores restart N` brings a faulted core back.
pub const CORES: Command<Kernel> = Command {
    name: "cores",
    summary: "list the cores with their APIC ids and states, or restart a faulted one",
    usage: "cores | cores restart <core>",
    help: "cores: one line per core: its index, its local APIC id and what it is doing \
           (shell, idle, running a job, faulted, offline), then how many cores are online and \
           how many of those are faulted. cores restart <core>: brings a faulted core back to \
           idle as at boot (INIT, STARTUP, a fresh stack), frees what its faulted code held, \
           and empties the queues to and from it, saying how much it threw away.",
    example: "cores restart 1",
    run: cores_command,
};

fn cores_command(_: &mut Kernel, args: &mut Args<'_>, out: &mut dyn Write) -> Result<(), Error> {
    match args.optional::<&str>()? {
        None => list_cores(args, out),
        Some("restart") => {
            let core: usize = args.positional("core")?;
            args.finish()?;
            restart_core(core, out)
        }
        Some(other) => Err(Error::invalid(alloc::format!(
            "unknown cores subcommand '{other}' (valid: restart)"
        ))),
    }
}

/// `cores restart N`: the core back to idle, then its queues drained.
fn restart_core(core: usize, out: &mut dyn Write) -> Result<(), Error> {
    let cycles = cores::restart(core).map_err(|why| Error::invalid(restart_error(core, why)))?;
    // The faulted code never resumes: free the per-core locks it may hold.
    core_bus::release_after_fault(core);
    let _ = writeln!(
        out,
        "core {core} restarted in {}",
        Seconds(time::cycles_to_ns(cycles))
    );
    let everyone = (0..cores::count())
        .filter(|&c| c == 0 || cores::state(c) == CoreState::Idle)
        .fold(CoreSet::default(), CoreSet::with);
    // No work: the demo wrapper's sweep before the start empties every ring.
    let nothing =
        |_core: usize| -> cores::Work { alloc::boxed::Box::new(|_: &cores::JobContext| {}) };
    super::jobs::run_demo(everyone, "restart", false, out, nothing)?;
    Ok(())
}

/// The one-line error for a core that could not be restarted.
fn restart_error(core: usize, why: cores::RestartError) -> alloc::string::String {
    use cores::RestartError::*;
    match why {
        NoSuchCore { count } => {
            alloc::format!("no core {core}: this machine has cores 0-{}", count - 1)
        }
        ShellCore => "core 0 runs the shell, which restarts itself after a fault".into(),
        NotFaulted(state) => alloc::format!(
            "core {core} is not faulted ({}); only a faulted core is restarted",
            state_name(state)
        ),
        DidNotStart => {
            alloc::format!("core {core} did not start again within 2 s; it stays faulted")
        }
    }
}

fn state_name(state: CoreState) -> &'static str {
    match state {
        CoreState::Offline => "offline",
        CoreState::Shell => "shell",
        CoreState::Idle => "idle",
        CoreState::Running => "running",
        CoreState::Faulted => "faulted",
    }
}

fn list_cores(args: &Args<'_>, out: &mut dyn Write) -> Result<(), Error> {
    args.finish()?;
    for core in 0..cores::count() {
        let _ = write!(out, "core {core}: apic {}, ", cores::apic_id(core));
        let _ = match cores::state(core) {
            CoreState::Shell => writeln!(out, "shell"),
            CoreState::Idle => writeln!(out, "idle"),
            CoreState::Running => match cores::current_job(core) {
                Some((job, cycles)) => writeln!(
                    out,
                    "running {job} for {}",
                    Seconds(time::cycles_to_ns(cycles))
                ),
                None => writeln!(out, "idle"),
            },
            CoreState::Faulted => match cores::fault_record(core) {
                Some(fault) => {
                    writeln!(out, "faulted ({} at rip {:#x})", fault.exception, fault.rip)
                }
                None => writeln!(out, "faulted"),
            },
            CoreState::Offline => writeln!(out, "offline (did not start)"),
        };
    }
    let _ = write!(out, "{} cores online", cores::online_count());
    let faulted = (0..cores::count())
        .filter(|&core| cores::state(core) == CoreState::Faulted)
        .count();
    let _ = match faulted {
        0 => writeln!(out),
        _ => writeln!(out, ", {faulted} of them faulted"),
    };
    Ok(())
}

/// `mem`: the kernel's memory footprint.
pub const MEM: Command<Kernel> = Command {
    name: "mem",
    summary: "show RAM and the kernel's memory footprint",
    usage: "mem",
    help: "Shows usable RAM from the boot memory map, the kernel image, and the heap: \
           how much of it the core stacks, page tables and queues use, and the TLB entries \
           the stacks' tops take apart from the image's data (QEMU's TLB is direct-mapped).",
    example: "mem",
    run: mem_command,
};

fn mem_command(_: &mut Kernel, args: &mut Args<'_>, out: &mut dyn Write) -> Result<(), Error> {
    args.finish()?;
    let heap = heap::stats();
    let image = heap::kernel_image();
    let per_core = cores::STACK_BYTES + cores::FAULT_STACK_BYTES;
    let lines: Vec<(&str, alloc::string::String)> = alloc::vec![
        (
            "RAM",
            alloc::format!(
                "{} usable in {} regions",
                Bytes(heap.ram_bytes),
                heap.ram_regions
            )
        ),
        (
            "kernel",
            alloc::format!(
                "{} image at {:#x}-{:#x}",
                Bytes(image.len()),
                image.start,
                image.end
            )
        ),
        (
            "heap",
            alloc::format!(
                "{} managed, {} in use ({} allocations)",
                Bytes(heap.claimed_bytes),
                Bytes(heap.used_bytes),
                heap.allocations
            )
        ),
        (
            "  stacks",
            alloc::format!(
                "{} ({} cores x {}: stack + fault stack, each below a guard page)",
                Bytes(cores::stack_bytes()),
                cores::count(),
                Bytes(per_core)
            )
        ),
        ("  stack tops", stack_colours()),
        (
            "  page tables",
            alloc::format!(
                "{}",
                Bytes(PAGE_TABLE_BYTES.load(core::sync::atomic::Ordering::Relaxed))
            )
        ),
        (
            "  queues",
            alloc::format!(
                "{} ({} virtqueues)",
                Bytes(core_bus::queue_bytes()),
                cores::count() * (cores::count() - 1)
            )
        ),
    ];
    for (what, value) in lines {
        let _ = writeln!(out, "{what:<14}{value}");
    }
    if heap.ram_unused_above_4g > 0 {
        let _ = writeln!(
            out,
            "(not used: {} of RAM above 4 GiB)",
            Bytes(heap.ram_unused_above_4g)
        );
    }
    Ok(())
}

/// The entries of QEMU's TLB that the cores' hot stack tops take, and
/// those the image's data takes: apart, as paging.rs places the stacks.
fn stack_colours() -> alloc::string::String {
    // A run of entries that goes round the end of the TLB is two ranges.
    let entries = |pages: core::ops::Range<u64>| {
        let (first, last) = (
            paging::tlb_entry(pages.start),
            paging::tlb_entry(pages.end - 1),
        );
        match first <= last {
            true => alloc::format!("{first}-{last}"),
            false => alloc::format!("{first}-{} and 0-{last}", paging::TLB_ENTRIES - 1),
        }
    };
    let mut tops: Vec<_> = (0..cores::count())
        .filter_map(cores::stack_range)
        .map(|stack| {
            let top = stack.end.as_u64() / PAGE_SIZE;
            entries(top - paging::HOT_STACK_PAGES..top)
        })
        .collect();
    tops.dedup();
    alloc::format!(
        "TLB entries {} (each stack's top {}); the image's data takes {} of {}",
        tops.join(", "),
        Bytes((paging::HOT_STACK_PAGES * PAGE_SIZE) as usize),
        entries(paging::data_pages()),
        paging::TLB_ENTRIES
    )
}

/// `uptime`: time since boot.
pub const UPTIME: Command<Kernel> = Command {
    name: "uptime",
    summary: "show the time since boot, in seconds and TSC cycles",
    usage: "uptime",
    help: "Shows the time since the kernel started, in seconds and in TSC cycles (the TSC \
           rate was calibrated against the PIT at boot), and how long boot took to the first prompt.",
    example: "uptime",
    run: uptime_command,
};

fn uptime_command(_: &mut Kernel, args: &mut Args<'_>, out: &mut dyn Write) -> Result<(), Error> {
    args.finish()?;
    let cycles = time::uptime_cycles();
    let mhz = time::tsc_hz() / 1_000_000;
    let _ = writeln!(
        out,
        "up {} ({cycles} cycles, TSC at {}.{:03} GHz); boot to prompt took {}",
        Seconds(time::cycles_to_ns(cycles)),
        mhz / 1000,
        mhz % 1000,
        Seconds(time::cycles_to_ns(time::boot_to_prompt_cycles()))
    );
    Ok(())
}

/// `echo`: prints its arguments.
pub const ECHO: Command<Kernel> = Command {
    name: "echo",
    summary: "print the arguments",
    usage: "echo <text>...",
    help: "Prints its arguments separated by single spaces. Double quotes keep spaces: echo \"a  b\".",
    example: "echo hello ringlab",
    run: echo_command,
};

fn echo_command(_: &mut Kernel, args: &mut Args<'_>, out: &mut dyn Write) -> Result<(), Error> {
    let words = args.rest();
    args.finish()?;
    let _ = writeln!(out, "{}", words.join(" "));
    Ok(())
}

/// `clear`: clears the screen.
pub const CLEAR: Command<Kernel> = Command {
    name: "clear",
    summary: "clear the screen",
    usage: "clear",
    help: "Clears the terminal and puts the cursor at the top left (Ctrl-L does the same while typing).",
    example: "clear",
    run: clear_command,
};

fn clear_command(_: &mut Kernel, args: &mut Args<'_>, out: &mut dyn Write) -> Result<(), Error> {
    args.finish()?;
    let _ = out.write_str(shell::CLEAR_SCREEN);
    Ok(())
}

/// `poweroff`: turns the machine off.
pub const POWEROFF: Command<Kernel> = Command {
    name: "poweroff",
    summary: "turn the machine off (ends QEMU)",
    usage: "poweroff",
    help: "Turns the machine off: through QEMU's isa-debug-exit device when present (QEMU exits \
           with status 33), otherwise by ACPI soft-off (S5).",
    example: "poweroff",
    run: poweroff_command,
};

fn poweroff_command(_: &mut Kernel, args: &mut Args<'_>, out: &mut dyn Write) -> Result<(), Error> {
    args.finish()?;
    let _ = writeln!(out, "powering off");
    let platform = platform::get();
    crate::arch::power::power_off(platform.pm1a_control_port, platform.s5_sleep_type);
    time::delay_us(100_000); // the power-off writes take effect asynchronously in QEMU
    Err(Error::invalid(
        "poweroff failed: neither isa-debug-exit nor ACPI soft-off ended the machine",
    ))
}
