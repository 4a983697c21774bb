//! `Shell`: a `LineEditor` plus a command table. Each finished line is split
//! into words, looked up, run, and any error printed as one line (plus the
//! usage line when that helps); `help` is built in.

use core::fmt::Write;

use crate::args::Args;
use crate::command::{Command, find, names, unknown};
use crate::complete::Completer;
use crate::crlf::CrLf;
use crate::editor::{EditorEvent, LineEditor};
use crate::error::Error;
use crate::help;
use crate::term::Term;
use crate::tokens::tokenize;

/// What a byte fed to the shell led to, for a kernel that wants to react.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShellEvent {
    /// A command ran (`ok` is false if it failed; its error is printed).
    Ran {
        /// The command's name.
        name: &'static str,
        /// Whether it returned `Ok`.
        ok: bool,
    },
    /// The line named no command, or could not be split; the error is printed.
    Rejected,
    /// Ctrl-C was pressed; abort whatever is running.
    Interrupt,
    /// Ctrl-L was pressed; see [`EditorEvent::ClearScreen`].
    ClearScreen,
}

/// A shell over the command table `commands`, whose functions get a `&mut C`.
pub struct Shell<C: 'static> {
    editor: LineEditor,
    commands: &'static [Command<C>],
}

/// The command a line names.
enum Target<'t, C> {
    Help,
    Table(&'t Command<C>),
}

/// What running one non-empty line came to.
enum Outcome {
    /// The line named no command, or could not be split.
    Rejected(Error),
    /// A command ran.
    Ran {
        name: &'static str,
        usage: &'static str,
        result: Result<(), Error>,
    },
}

impl<C: 'static> Shell<C> {
    /// A shell showing `prompt`, with `commands` plus the built-in `help`
    /// (which shadows any table entry of that name). Print the first prompt
    /// with `shell.editor().prompt(out)`.
    pub const fn new(prompt: &'static str, commands: &'static [Command<C>]) -> Self {
        Self {
            editor: LineEditor::new(prompt),
            commands,
        }
    }

    /// The line editor, for [`LineEditor::prompt`], [`LineEditor::redraw`]
    /// and [`LineEditor::print_above`].
    pub fn editor(&self) -> &LineEditor {
        &self.editor
    }

    /// Handles one input byte. On Enter, runs the line, prints any error
    /// and the next prompt. Returns what happened, if anything did.
    pub fn feed(&mut self, ctx: &mut C, byte: u8, out: &mut dyn Write) -> Option<ShellEvent> {
        let line = match self.editor.feed(byte, out, &Names(self.commands))? {
            EditorEvent::Line(line) => line,
            EditorEvent::Interrupt => return Some(ShellEvent::Interrupt),
            EditorEvent::ClearScreen => return Some(ShellEvent::ClearScreen),
        };
        let event = self.run_and_report(ctx, &line, out);
        self.editor.prompt(out);
        event
    }

    /// Runs one line as if typed, returning its error instead of printing it
    /// (for tests and scripts). An empty line is `Ok`.
    pub fn execute(&self, ctx: &mut C, line: &str, out: &mut dyn Write) -> Result<(), Error> {
        match self.run(ctx, line, &mut CrLf::new(out)) {
            None => Ok(()),
            Some(Outcome::Rejected(error)) => Err(error),
            Some(Outcome::Ran { result, .. }) => result,
        }
    }

    /// Runs a line and prints its error; `None` for an empty line.
    fn run_and_report(&self, ctx: &mut C, line: &str, out: &mut dyn Write) -> Option<ShellEvent> {
        let mut lines = CrLf::new(out);
        let outcome = self.run(ctx, line, &mut lines)?;
        let _ = lines.end_line();
        let (event, error, usage) = match outcome {
            Outcome::Rejected(error) => (ShellEvent::Rejected, Some(error), None),
            Outcome::Ran {
                name,
                usage,
                result,
            } => (
                ShellEvent::Ran {
                    name,
                    ok: result.is_ok(),
                },
                result.err(),
                Some(usage),
            ),
        };
        if let Some(error) = error {
            report(&error, usage, &mut Term::new(out));
        }
        Some(event)
    }

    /// Splits, looks up and runs a line; `None` for an empty line.
    fn run(&self, ctx: &mut C, line: &str, out: &mut dyn Write) -> Option<Outcome> {
        let mut words = match tokenize(line) {
            Ok(words) => words.into_iter(),
            Err(error) => return Some(Outcome::Rejected(error)),
        };
        let name = words.next()?.text;
        let target = match self.lookup(&name) {
            Ok(target) => target,
            Err(error) => return Some(Outcome::Rejected(error)),
        };
        let mut args = Args::from_tokens(words.collect());
        let (name, usage, result) = match target {
            Target::Help => {
                args.command = Some(help::NAME);
                (
                    help::NAME,
                    help::USAGE,
                    help::run(self.commands, &args, out),
                )
            }
            Target::Table(command) => {
                args.command = Some(command.name);
                // The trace stream shows each command as a slice (target
                // `shell`, name `shell.command`: see docs/tracing.md).
                let span = tracing::info_span!(target: "shell", "shell.command", command = command.name, line = line);
                let _inside = span.enter();
                (
                    command.name,
                    command.usage,
                    (command.run)(ctx, &mut args, out),
                )
            }
        };
        let result = result.and_then(|()| check_leftovers(&args));
        Some(Outcome::Ran {
            name,
            usage,
            result,
        })
    }

    /// The command called `name`.
    fn lookup(&self, name: &str) -> Result<Target<'static, C>, Error> {
        if name == help::NAME {
            return Ok(Target::Help);
        }
        find(self.commands, name)
            .map(Target::Table)
            .ok_or_else(|| unknown(self.commands, name))
    }
}

/// Prints an error as one line, then the usage line if the error is about
/// the shape of the arguments and there is a command to show it for.
fn report(error: &Error, usage: Option<&str>, term: &mut Term<'_>) {
    term.line(format_args!("error: {error}"));
    if let (true, Some(usage)) = (error.shows_usage(), usage) {
        term.line(format_args!("usage: {usage}"));
    }
}

/// After a command ran, checks it left no argument unused and no `&`
/// unasked about, in case it forgot [`Args::finish`].
fn check_leftovers(args: &Args<'_>) -> Result<(), Error> {
    args.finish()
}

/// Tab completion over a command table: command names as the first word, and
/// as the word after `help`.
struct Names<C: 'static>(&'static [Command<C>]);

impl<C: 'static> Completer for Names<C> {
    fn candidates(&self, before: &str, _word: &str, offer: &mut dyn FnMut(&str)) {
        if matches!(before.trim(), "" | help::NAME) {
            names(self.0).for_each(offer);
        }
    }
}
