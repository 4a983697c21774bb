//! The shell's error type: one variant per way a command line can be wrong.
//! Each prints as a single line; the shell adds `error: ` in front and, for
//! mistakes in the shape of the arguments, the command's usage line after.

use alloc::string::String;
use core::fmt;

/// What went wrong with a command line.
///
/// Commands build their own messages with [`Error::invalid`]; the other
/// variants come from argument parsing and dispatch.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The first word names no command.
    UnknownCommand {
        /// The word as typed.
        name: String,
        /// A known command close to it, if there is one.
        suggestion: Option<&'static str>,
    },
    /// A required argument was not given.
    MissingArgument {
        /// The argument's name, as the command called it.
        name: &'static str,
    },
    /// An argument was left over after the command took all it needs.
    UnexpectedArgument {
        /// The first left-over argument.
        text: String,
    },
    /// An `--option` the command does not know.
    UnknownOption {
        /// The option as typed, without any `=value`.
        option: String,
        /// The options the command does know, comma-separated (may be empty).
        valid: String,
    },
    /// An option was given more than once.
    RepeatedOption {
        /// The option's name.
        option: &'static str,
    },
    /// An option that needs a value was given none.
    MissingValue {
        /// The option's name.
        option: &'static str,
    },
    /// A number was expected.
    NotANumber {
        /// The argument as typed.
        text: String,
        /// The argument's name (`--count`, `src`), once known.
        name: Option<&'static str>,
    },
    /// A negative number where only 0 and up are taken.
    Negative {
        /// The argument as typed.
        text: String,
        /// The argument's name, once known.
        name: Option<&'static str>,
    },
    /// A number does not fit the type the command asked for.
    TooLarge {
        /// The argument as typed.
        text: String,
        /// The argument's name, once known.
        name: Option<&'static str>,
        /// The smallest and the largest the type holds.
        fits: (i128, i128),
    },
    /// A number is outside the range the command allows.
    OutOfRange {
        /// What the number is, e.g. `core`.
        name: &'static str,
        /// The number given.
        value: i128,
        /// The smallest valid value.
        min: i128,
        /// The largest valid value.
        max: i128,
    },
    /// The line ended with `&`, and the command cannot run in the background.
    NoBackground {
        /// The command's name, if known.
        command: Option<&'static str>,
    },
    /// A `"` opened a quoted argument that never closed.
    UnterminatedQuote,
    /// A command-specific complaint, printed as is.
    Invalid(String),
    /// The output sink refused a write.
    Output,
}

impl Error {
    /// A command-specific error, e.g. `Error::invalid("core 2 is busy running ping")`.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::Invalid(message.into())
    }

    /// Whether printing the command's usage line after this error helps: true
    /// for mistakes in the shape of the arguments, false for bad values.
    pub(crate) fn shows_usage(&self) -> bool {
        matches!(
            self,
            Self::MissingArgument { .. }
                | Self::UnexpectedArgument { .. }
                | Self::UnknownOption { .. }
                | Self::RepeatedOption { .. }
                | Self::MissingValue { .. }
                | Self::NotANumber { .. }
        )
    }

    /// This error, naming the argument `name` if it is about a number's text.
    pub(crate) fn of_argument(mut self, of: &'static str) -> Self {
        if let Self::NotANumber { name, .. }
        | Self::Negative { name, .. }
        | Self::TooLarge { name, .. } = &mut self
        {
            name.get_or_insert(of);
        }
        self
    }
}

/// `NAME: ` before a number's complaint, when the argument's name is known.
fn named(f: &mut fmt::Formatter<'_>, name: Option<&str>) -> fmt::Result {
    match name {
        Some(name) => write!(f, "{name}: "),
        None => Ok(()),
    }
}

impl From<fmt::Error> for Error {
    fn from(_: fmt::Error) -> Self {
        Self::Output
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownCommand { name, suggestion } => {
                write!(f, "unknown command '{name}'")?;
                if let Some(suggestion) = suggestion {
                    write!(f, " (did you mean '{suggestion}'?)")?;
                }
                write!(f, "; type 'help' for the list")
            }
            Self::MissingArgument { name } => write!(f, "missing argument '{name}'"),
            Self::UnexpectedArgument { text } => write!(f, "unexpected argument '{text}'"),
            Self::UnknownOption { option, valid } if valid.is_empty() => {
                write!(
                    f,
                    "unknown option '{option}' (this command takes no options)"
                )
            }
            Self::UnknownOption { option, valid } => {
                write!(f, "unknown option '{option}' (valid: {valid})")
            }
            Self::RepeatedOption { option } => write!(f, "option '{option}' is given twice"),
            Self::MissingValue { option } => write!(f, "option '{option}' needs a value"),
            Self::NotANumber { text, name } => {
                named(f, *name)?;
                write!(f, "'{text}' is not a number")
            }
            Self::Negative { text, name } => {
                named(f, *name)?;
                write!(f, "'{text}' is negative (numbers here start at 0)")
            }
            Self::TooLarge {
                text,
                name,
                fits: (min, max),
            } => {
                named(f, *name)?;
                match min {
                    0 => write!(f, "'{text}' is too large (at most {max})"),
                    _ => write!(f, "'{text}' does not fit ({min} to {max})"),
                }
            }
            Self::OutOfRange {
                name,
                value,
                min,
                max,
            } => {
                write!(f, "{name} {value} is out of range (valid: ")?;
                write_range(f, *min, *max)?;
                write!(f, ")")
            }
            Self::NoBackground { command } => {
                match command {
                    Some(name) => write!(f, "'{name}'")?,
                    None => write!(f, "this command")?,
                }
                write!(f, " cannot run in the background; run it without '&'")
            }
            Self::UnterminatedQuote => {
                write!(f, "unterminated quote: every '\"' needs a closing '\"'")
            }
            Self::Invalid(message) => f.write_str(message),
            Self::Output => write!(f, "could not write the output"),
        }
    }
}

/// Writes `min-max`, or `min to max` when a minus sign would make that unreadable.
fn write_range(f: &mut fmt::Formatter<'_>, min: i128, max: i128) -> fmt::Result {
    match (min == max, min < 0) {
        (true, _) => write!(f, "{min}"),
        (false, false) => write!(f, "{min}-{max}"),
        (false, true) => write!(f, "{min} to {max}"),
    }
}
