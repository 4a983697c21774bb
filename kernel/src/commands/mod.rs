//! The shell on core 0: the command table and the loop that feeds typed
//! bytes to the `shell` crate. One file per group of commands; adding a
//! command is one entry in COMMANDS plus its function.

mod bench;
mod bench_trace;
mod bus_mode;
mod collective;
mod debug;
mod fb;
mod format;
mod hang;
// Lab 1's reference command; its student version (docs/labs/) leaves it out.
#[cfg(not(feature = "lab-shell"))]
mod hello;
mod jobs;
mod leftovers;
mod pci;
mod ping;
mod program_run;
mod run;
mod system;
mod trace;
mod vq;

use core::fmt::Write;
use core::sync::atomic::{AtomicBool, Ordering};

use shell::{Command, Shell, ShellEvent};

use crate::console::{self, Console};
use crate::{cores, idle, input, time};

/// The prompt (tests and the autograder wait for it).
pub const PROMPT: &str = "ringlab> ";

/// What commands get as their context. Kernel state is global (it is shared
/// with the other cores), so this carries nothing yet.
pub struct Kernel;

/// Every command, in the order `help` lists them (`help` itself is built in).
static COMMANDS: &[Command<Kernel>] = &[
    system::CORES,
    system::MEM,
    system::UPTIME,
    system::ECHO,
    #[cfg(not(feature = "lab-shell"))]
    hello::HELLO,
    system::CLEAR,
    system::POWEROFF,
    pci::PCI,
    ping::PING,
    vq::VQ,
    bus_mode::BUS,
    collective::REDUCE,
    collective::ALLREDUCE,
    collective::BCAST,
    collective::GATHER,
    collective::SCATTER,
    collective::ALLGATHER,
    collective::BARRIER,
    run::PROGRAMS,
    run::RUN,
    bench::BENCH,
    fb::FB,
    trace::TRACE,
    debug::SPIN,
    debug::FAULT,
];

/// Set once the shell has printed its first prompt.
static STARTED: AtomicBool = AtomicBool::new(false);

/// Runs the shell for good: at the end of boot, and again on a fresh stack
/// when core 0 faults (then it says so). The argument is unused.
pub extern "C" fn run_shell(_: usize) -> ! {
    let mut shell = Shell::new(PROMPT, COMMANDS);
    let mut out = Console;
    let restarted = STARTED.swap(true, Ordering::Relaxed); // the shell core only
    console::on_prompt_interrupted(wake_the_shell);
    if restarted {
        let _ = writeln!(out, "shell restarted (history cleared)");
        jobs::report_ended_demos(); // one that ran on core 0 alone is over
    } else {
        let _ = writeln!(
            out,
            "Type 'help' for the commands. In QEMU, Ctrl-A X quits."
        );
    }
    shell.editor().prompt(&mut out);
    if !restarted {
        time::mark_prompt();
    }
    loop {
        // Another core may have printed over the prompt: draw it again.
        console::show_prompt(|| shell.editor().redraw(&mut out));
        idle::wait_until(|| {
            input::has_input() || console::prompt_interrupted() || jobs::unwaited_demo_ended()
        });
        jobs::report_ended_demos(); // prints over the prompt, as other cores do
        console::hide_prompt();
        while let Some(byte) = input::pop() {
            if shell.feed(&mut Kernel, byte, &mut out) == Some(ShellEvent::Interrupt) {
                stop_background_jobs(&shell, &mut out);
            }
        }
        let dropped = input::take_dropped();
        if dropped > 0 {
            let text =
                alloc::format!("error: {dropped} typed bytes were dropped (input queue full)");
            console::hold(|_| shell.editor().print_above(&mut out, &text)); // one piece
        }
    }
}

/// Wakes the shell core, halted at its prompt, after another core's output
/// went over it, so that it draws the prompt again.
fn wake_the_shell() {
    if crate::arch::cpu::core_index() != 0 {
        cores::wake(0);
    }
}

/// Ctrl-C at the prompt also stops the jobs running in the background.
fn stop_background_jobs(shell: &Shell<Kernel>, out: &mut Console) {
    let asked = cores::abort_running(false);
    if !asked.is_empty() {
        let text = alloc::format!("asked core(s) {asked} to stop their background job");
        console::hold(|_| shell.editor().print_above(out, &text)); // one piece
    }
}
