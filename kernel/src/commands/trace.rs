//! `trace`: turn the kernel's trace stream (virtio console, or COM2) on and
//! off, and show what each core has recorded, sent and dropped.

use core::fmt::Write;

use shell::{Args, Command, Error};

use super::Kernel;
use crate::trace;

/// `trace on [FILTER] | off | status`.
pub const TRACE: Command<Kernel> = Command {
    name: "trace",
    summary: "stream the bus, MPI and shell events to the host for trace-viewer",
    usage: "trace on [FILTER] | trace off | trace status",
    help: "trace on records the events and spans of the bus, MPI and the shell into per-core \
           buffers that the shell core sends over a virtio console, or COM2 without one (run \
           QEMU with 'cargo xtask run --trace' and watch with trace-viewer). FILTER is a comma-separated list of LEVEL, TARGET or \
           TARGET=LEVEL (levels trace, debug, info, warn, error; targets bus, mpi, shell, core), e.g. \
           'bus=debug,mpi'. Without FILTER it records at debug: every message and span; 'trace on \
           trace' adds every fragment's fill, publish, consume and post. trace off stops and sends \
           what is left. trace status names the channel and shows, per core, the events, spans and \
           other records written, the records dropped because its buffer was full, what is \
           still buffered, and how many records interrupt and exception handlers wrote.",
    example: "trace on bus=debug,mpi",
    run: trace_command,
};

fn trace_command(_: &mut Kernel, args: &mut Args<'_>, out: &mut dyn Write) -> Result<(), Error> {
    match args.positional::<&str>("on|off|status")? {
        "on" => {
            let filter: Option<&str> = args.optional()?;
            args.finish()?;
            trace::turn_on(filter).map_err(Error::invalid)?;
            writeln!(
                out,
                "trace on ({})",
                filter.unwrap_or("debug: every message and span")
            )?;
        }
        "off" => {
            args.finish()?;
            trace::turn_off();
            writeln!(out, "trace off")?;
        }
        "status" => {
            args.finish()?;
            trace::status(out)?;
        }
        other => {
            return Err(Error::invalid(alloc::format!(
                "unknown trace subcommand '{other}' (valid: on, off, status)"
            )));
        }
    }
    Ok(())
}
