//! `Command`: one entry of the command table a kernel declares, with the
//! texts `help` shows and the function that runs it; plus name lookup over a
//! table (built-ins included) for dispatch, suggestions and completion.

use core::fmt::Write;
use core::iter;

use crate::args::Args;
use crate::error::Error;
use crate::help;
use crate::suggest::suggest;

/// One shell command, generic over the context `C` its function gets.
///
/// A kernel declares `static COMMANDS: &[Command<Kernel>] = &[...]`; adding a
/// command is adding one entry.
pub struct Command<C> {
    /// The word that runs it, e.g. `echo`.
    pub name: &'static str,
    /// One line for the `help` list.
    pub summary: &'static str,
    /// The argument syntax, e.g. `echo <text>...`; printed after argument errors.
    pub usage: &'static str,
    /// A paragraph for `help <name>`.
    pub help: &'static str,
    /// A complete example line, e.g. `echo hello world`.
    pub example: &'static str,
    /// Runs the command. It should take its arguments, call
    /// [`Args::finish`], and only then act. Output may use `\n`; the shell
    /// turns it into `\r\n`.
    pub run: fn(&mut C, &mut Args<'_>, &mut dyn Write) -> Result<(), Error>,
}

/// Every command name: the table's, then the built-in `help`.
pub(crate) fn names<C>(commands: &[Command<C>]) -> impl Iterator<Item = &'static str> + Clone {
    commands
        .iter()
        .map(|command| command.name)
        .chain(iter::once(help::NAME))
}

/// The table entry called `name`.
pub(crate) fn find<'t, C>(commands: &'t [Command<C>], name: &str) -> Option<&'t Command<C>> {
    commands.iter().find(|command| command.name == name)
}

/// The error for a name that is not a command, with a suggestion if one is close.
pub(crate) fn unknown<C>(commands: &[Command<C>], name: &str) -> Error {
    Error::UnknownCommand {
        name: name.into(),
        suggestion: suggest(name, names(commands)),
    }
}
