//! `bus mode [poll|notify]`: how cores wait on the bus, spinning or napping
//! until the notification IPI (docs/bus.md, "Polling or notification").
//! The mechanism is in `bus/src/event.rs` and `core_bus.rs`.

use core::fmt::Write;

use shell::{Args, Command, Error};

use super::Kernel;
use crate::core_bus::{self, Mode};
use crate::cores::{self, CoreState};

/// `bus mode [poll|notify]`.
pub const BUS: Command<Kernel> = Command {
    name: "bus",
    summary: "how cores wait on the bus: poll (spin) or notify (halt until an IPI)",
    usage: "bus mode [poll|notify]",
    help: "bus mode prints the current mode. bus mode poll: a waiting core spins on its rings; \
           no core sends an IPI. bus mode notify: a waiting core publishes its event index \
           (VIRTIO_F_EVENT_IDX), re-checks its rings with interrupts off and halts (sti; hlt); \
           the other side sends an IPI only when its index move crosses that event index. \
           'vq stats' counts the notifications sent and suppressed per queue, 'vq dump' shows \
           the event indices. The mode changes only while no core runs a job.",
    example: "bus mode notify",
    run: bus_command,
};

fn bus_command(_: &mut Kernel, args: &mut Args<'_>, out: &mut dyn Write) -> Result<(), Error> {
    let subcommand: &str = args.positional("subcommand")?;
    if subcommand != "mode" {
        return Err(Error::invalid(alloc::format!(
            "unknown bus subcommand '{subcommand}' (valid: mode)"
        )));
    }
    let Some(wanted) = args.optional::<&str>()? else {
        args.finish()?;
        return Ok(writeln!(out, "bus mode: {}", name(core_bus::mode()))?);
    };
    args.finish()?;
    let mode = parse(wanted)?;
    refuse_while_running()?;
    core_bus::set_mode(mode);
    Ok(writeln!(out, "bus mode: {}", name(mode))?)
}

fn parse(text: &str) -> Result<Mode, Error> {
    match text {
        "poll" => Ok(Mode::Poll),
        "notify" => Ok(Mode::Notify),
        other => Err(Error::invalid(alloc::format!(
            "unknown bus mode '{other}' (valid: poll, notify)"
        ))),
    }
}

fn name(mode: Mode) -> &'static str {
    match mode {
        Mode::Poll => "poll",
        Mode::Notify => "notify",
    }
}

/// A core napping in notify mode is not woken by a switch to poll, so the
/// mode changes only between jobs.
fn refuse_while_running() -> Result<(), Error> {
    let running: alloc::vec::Vec<alloc::string::String> = (1..cores::count())
        .filter(|&core| cores::state(core) == CoreState::Running)
        .map(|core| alloc::format!("{core}"))
        .collect();
    if running.is_empty() {
        return Ok(());
    }
    Err(Error::invalid(alloc::format!(
        "core {} runs a job; the mode changes only while every core is idle (Ctrl-C stops background jobs)",
        running.join(",")
    )))
}
