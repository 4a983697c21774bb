//! `fb`: the framebuffer console's own commands. `fb bench` times the screen
//! path in the kernel and prints machine-readable BENCH lines.

use core::fmt::Write;

use shell::{Args, Command, Error};

use super::Kernel;
use crate::{console, fbcon, time};

/// `fb bench`.
pub const FB: Command<Kernel> = Command {
    name: "fb",
    summary: "framebuffer console: fb bench times scrolling and printing",
    usage: "fb bench",
    help: "fb bench measures the framebuffer console alone (the serial port does not see its \
           output): the mean TSC cycles of a full-screen one-line scroll over 1000 line feeds, \
           and the time to print 1000 lines of 80 characters, one write per line. It then \
           restores the screen. Prints `BENCH {...}` lines for `cargo xtask bench`.",
    example: "fb bench",
    run: fb_command,
};

fn fb_command(_: &mut Kernel, args: &mut Args<'_>, out: &mut dyn Write) -> Result<(), Error> {
    let what: &str = args.positional("subcommand")?;
    args.finish()?;
    if what != "bench" {
        return Err(Error::invalid("unknown subcommand (try: fb bench)"));
    }
    // Under the console lock: no other core draws while the bench times the screen.
    let result = console::locked(|_| fbcon::bench())
        .ok_or(Error::invalid("there is no framebuffer console"))?;
    let us = time::cycles_to_ns(result.thousand_lines_cycles) / 1000;
    let (ms, fraction) = (us / 1000, us % 1000);
    let _ = writeln!(
        out,
        "scroll: {} cycles per full-screen line scroll; 1000 lines: {ms}.{fraction:03} ms",
        result.scroll_cycles
    );
    let _ = writeln!(
        out,
        "BENCH {{\"name\": \"fb_scroll_cycles\", \"value\": {}, \"unit\": \"cycles\"}}",
        result.scroll_cycles
    );
    let _ = writeln!(
        out,
        "BENCH {{\"name\": \"fb_1000_lines_ms\", \"value\": {ms}.{fraction:03}, \"unit\": \"ms\"}}"
    );
    Ok(())
}
