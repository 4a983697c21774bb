//! The built-in `help` command: `help` lists every command with its summary,
//! `help <command>` prints one command's usage, description and example.

use core::fmt::Write;
use core::iter;

use crate::args::Args;
use crate::command::{Command, find, unknown};
use crate::error::Error;

/// The built-in's name.
pub(crate) const NAME: &str = "help";
/// The built-in's usage line.
pub(crate) const USAGE: &str = "help [command]";
const SUMMARY: &str = "list the commands, or describe one";
const DESCRIPTION: &str = "Without an argument, lists every command with a one-line summary.\n\
With a command name, shows how to call it, what it does and an example.";
const EXAMPLE: &str = "help help";

/// Runs `help [command]` over `commands`.
pub(crate) fn run<C>(
    commands: &[Command<C>],
    args: &Args<'_>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let topic: Option<&str> = args.optional()?;
    args.finish()?;
    match topic {
        None => list(commands, out),
        Some(NAME) => describe(USAGE, DESCRIPTION, EXAMPLE, out),
        Some(name) => {
            let command = find(commands, name).ok_or_else(|| unknown(commands, name))?;
            describe(command.usage, command.help, command.example, out)
        }
    }
}

/// Prints each command and its summary, names padded to one column.
fn list<C>(commands: &[Command<C>], out: &mut dyn Write) -> Result<(), Error> {
    let entries = commands
        .iter()
        .map(|command| (command.name, command.summary));
    let entries = entries.chain(iter::once((NAME, SUMMARY)));
    let width = entries
        .clone()
        .map(|(name, _)| name.len())
        .max()
        .unwrap_or(0);
    writeln!(out, "commands:")?;
    for (name, summary) in entries {
        writeln!(out, "  {name:<width$}  {summary}")?;
    }
    writeln!(out, "type 'help <command>' for its usage and an example")?;
    Ok(())
}

/// Prints one command's usage, description and example.
fn describe(
    usage: &str,
    description: &str,
    example: &str,
    out: &mut dyn Write,
) -> Result<(), Error> {
    writeln!(out, "usage: {usage}")?;
    writeln!(out, "{description}")?;
    writeln!(out, "example: {example}")?;
    Ok(())
}
