//! `Args`: a typed cursor over one command's arguments (positionals,
//! `--options`, flags, a trailing `&`) that turns every mistake into an
//! `Error` naming the culprit.

use alloc::string::ToString;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::ops::RangeInclusive;

use crate::error::Error;
use crate::number::{FromArg, check_range};
use crate::tokens::{Token, tokenize};

/// The arguments of one command, with a record of which have been taken.
///
/// A command takes its options and flags first, then its positionals, then
/// calls [`Args::finish`] before acting, so left-overs are reported instead of
/// ignored. Methods take `&self` (the record is kept in `Cell`s), so
/// borrowed `&str` values can be held while taking more.
///
/// A word starting with `--` is an option; once options are taken,
/// [`Args::positional`] treats any it meets as unknown. Quoting (`"--x"`)
/// makes it plain text; `--name="a b"` is still an option.
#[derive(Debug)]
pub struct Args<'a> {
    args: Vec<Arg<'a>>,
    /// The line ended with a lone `&`.
    background: bool,
    /// The command asked about [`Args::background`].
    background_asked: Cell<bool>,
    /// The command's name, for [`Args::finish`]'s refusal of an `&` (set by
    /// the shell; `None` for arguments parsed alone).
    pub(crate) command: Option<&'static str>,
    /// Options and flags the command asked about, and whether each takes a value.
    known: RefCell<Vec<(&'static str, bool)>>,
}

/// One argument and whether it has been taken.
#[derive(Debug)]
struct Arg<'a> {
    token: Token<'a>,
    used: Cell<bool>,
}

impl Arg<'_> {
    /// Whether this is `--name` or `--name=value`, typed without a leading quote.
    fn is_option(&self) -> bool {
        !self.token.literal && self.token.text.len() > 2 && self.token.text.starts_with("--")
    }

    /// Takes this argument and returns its text.
    fn take(&self) -> &str {
        self.used.set(true);
        &self.token.text
    }
}

impl<'a> Args<'a> {
    /// Splits `text` (the arguments, without a command name) as the shell does.
    pub fn parse(text: &'a str) -> Result<Self, Error> {
        Ok(Self::from_tokens(tokenize(text)?))
    }

    /// Wraps already split words; a final unquoted `&` becomes the background mark.
    pub(crate) fn from_tokens(mut tokens: Vec<Token<'a>>) -> Self {
        let background = tokens
            .last()
            .is_some_and(|last| !last.literal && last.text == "&");
        if background {
            tokens.pop();
        }
        let args = tokens
            .into_iter()
            .map(|token| Arg {
                token,
                used: Cell::new(false),
            })
            .collect();
        Self {
            args,
            background,
            background_asked: Cell::new(false),
            command: None,
            known: RefCell::new(Vec::new()),
        }
    }

    /// Whether the line ended with `&` (run in the background). A command
    /// that can run in the background asks before [`Args::finish`], which
    /// refuses an `&` nobody asked about, so that a command that cannot is
    /// refused before it does anything.
    pub fn background(&self) -> bool {
        self.background_asked.set(true);
        self.background
    }

    /// Takes the next positional argument; an error names `name` if there is none.
    pub fn positional<'s, T: FromArg<'s>>(&'s self, name: &'static str) -> Result<T, Error> {
        let text = self
            .next_positional()?
            .ok_or(Error::MissingArgument { name })?;
        T::from_arg(text).map_err(|e| e.of_argument(name))
    }

    /// Takes the next positional argument and checks it lies in `range`.
    pub fn positional_in<'s, T>(
        &'s self,
        name: &'static str,
        range: RangeInclusive<T>,
    ) -> Result<T, Error>
    where
        T: FromArg<'s> + Copy + PartialOrd + TryInto<i128>,
    {
        check_range(name, self.positional(name)?, range)
    }

    /// Takes the next positional argument if there is one.
    pub fn optional<'s, T: FromArg<'s>>(&'s self) -> Result<Option<T>, Error> {
        self.next_positional()?.map(T::from_arg).transpose()
    }

    /// Takes `name VALUE` or `name=VALUE` from anywhere on the line, e.g.
    /// `args.option::<u32>("--count")`. Given twice, or without a value, is an error.
    pub fn option<'s, T: FromArg<'s>>(&'s self, name: &'static str) -> Result<Option<T>, Error> {
        self.known.borrow_mut().push((name, true));
        let mut found = None;
        for at in 0..self.args.len() {
            let Some(value) = self.option_value(at, name)? else {
                continue;
            };
            if found.replace(value).is_some() {
                return Err(Error::RepeatedOption { option: name });
            }
        }
        found
            .map(T::from_arg)
            .transpose()
            .map_err(|e| e.of_argument(name))
    }

    /// Takes the flag `name` (e.g. `--verbose`) wherever it is; true if given.
    pub fn flag(&self, name: &'static str) -> bool {
        self.known.borrow_mut().push((name, false));
        let mut given = false;
        for arg in self
            .args
            .iter()
            .filter(|arg| arg.is_option() && arg.token.text == name)
        {
            arg.used.set(true);
            given = true;
        }
        given
    }

    /// Takes every argument not yet taken, in order (e.g. for `echo`).
    pub fn rest(&self) -> Vec<&str> {
        self.args
            .iter()
            .filter(|arg| !arg.used.get())
            .map(Arg::take)
            .collect()
    }

    /// Checks nothing was left over: no unknown option, no extra argument,
    /// and no `&` the command did not ask about ([`Args::background`]).
    pub fn finish(&self) -> Result<(), Error> {
        let mut left = self.args.iter().filter(|arg| !arg.used.get());
        if let Some(option) = left.clone().find(|arg| arg.is_option()) {
            return Err(self.stray_option(&option.token.text));
        }
        if let Some(arg) = left.next() {
            return Err(Error::UnexpectedArgument {
                text: arg.token.text.to_string(),
            });
        }
        if self.background && !self.background_asked.get() {
            return Err(Error::NoBackground {
                command: self.command,
            });
        }
        Ok(())
    }

    /// The next untaken argument, taken; an error if it is an option, as all
    /// options should have been taken by now.
    fn next_positional(&self) -> Result<Option<&str>, Error> {
        let Some(arg) = self.args.iter().find(|arg| !arg.used.get()) else {
            return Ok(None);
        };
        if arg.is_option() {
            return Err(self.stray_option(&arg.token.text));
        }
        Ok(Some(arg.take()))
    }

    /// If the argument at `at` is an untaken option word `name` or
    /// `name=value`, takes it with its value and returns the value.
    fn option_value(&self, at: usize, name: &'static str) -> Result<Option<&str>, Error> {
        let arg = &self.args[at];
        if arg.used.get() || !arg.is_option() {
            return Ok(None);
        }
        if arg.token.text == name {
            let value = self
                .args
                .get(at + 1)
                .filter(|next| !next.used.get() && !next.is_option());
            let value = value.ok_or(Error::MissingValue { option: name })?;
            arg.used.set(true);
            return Ok(Some(value.take()));
        }
        let value = arg
            .token
            .text
            .strip_prefix(name)
            .and_then(|tail| tail.strip_prefix('='));
        if value.is_some() {
            arg.used.set(true);
        }
        Ok(value)
    }

    /// The error for an option word the command did not take.
    fn stray_option(&self, word: &str) -> Error {
        let (name, has_value) = word
            .split_once('=')
            .map_or((word, false), |(name, _)| (name, true));
        let known = self.known.borrow();
        if has_value
            && known
                .iter()
                .any(|&(flag, takes_value)| flag == name && !takes_value)
        {
            return Error::invalid(alloc::format!("option '{name}' takes no value"));
        }
        let mut valid: Vec<&str> = known.iter().map(|&(option, _)| option).collect();
        valid.sort_unstable();
        valid.dedup();
        Error::UnknownOption {
            option: name.into(),
            valid: valid.join(", "),
        }
    }
}
