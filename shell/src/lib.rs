//! ringlab's command shell: a line editor for a VT100/xterm serial terminal,
//! typed argument parsing with clear errors, and a command table with a
//! built-in `help`. It knows nothing about the kernel or the hardware.
//!
//! The kernel feeds input bytes one at a time to [`Shell::feed`] together
//! with a [`core::fmt::Write`] sink for the echo and the output, and its own
//! context value, which each command's function receives. Everything here is
//! `no_std` (with `alloc`) and tested on the host.
//!
//! # Parts
//! - [`LineEditor`] edits one line: cursor keys, Home/End, history, kill
//!   keys, Tab completion, Ctrl-C and Ctrl-L. Unusable input (stray control
//!   bytes, non-ASCII, over-long lines) is reported, never silently dropped.
//! - [`Args`] hands a command its arguments as typed values: positionals,
//!   `--option value` / `--option=value`, flags, a trailing `&`, and
//!   [`CoreSet`] / [`CoreOrAll`] for core numbers.
//! - [`Command`] is one entry of the table; [`Shell`] dispatches to it and
//!   prints any [`Error`] as `error: ...` plus, where it helps, `usage: ...`.
//!
//! # Example
//! ```
//! use core::fmt::Write;
//! use shell::{Args, Command, Error, Shell};
//!
//! struct Counter {
//!     hits: u32,
//! }
//!
//! fn count(counter: &mut Counter, args: &mut Args<'_>, out: &mut dyn Write) -> Result<(), Error> {
//!     let step: u32 = args.option("--step")?.unwrap_or(1);
//!     args.finish()?;
//!     counter.hits += step;
//!     writeln!(out, "hits: {}", counter.hits)?;
//!     Ok(())
//! }
//!
//! static COMMANDS: &[Command<Counter>] = &[Command {
//!     name: "count",
//!     summary: "add to the counter",
//!     usage: "count [--step N]",
//!     help: "Adds N (default 1) to the counter and prints the total.",
//!     example: "count --step 2",
//!     run: count,
//! }];
//!
//! let mut shell = Shell::new("demo> ", COMMANDS);
//! let mut counter = Counter { hits: 0 };
//! let mut screen = String::new();
//! shell.editor().prompt(&mut screen);
//! for &byte in b"count --step 2\r" {
//!     shell.feed(&mut counter, byte, &mut screen);
//! }
//! assert_eq!(counter.hits, 2);
//! assert_eq!(screen, "demo> count --step 2\r\nhits: 2\r\ndemo> ");
//! ```
#![no_std]

extern crate alloc;

mod args;
mod command;
mod complete;
mod cores;
mod crlf;
mod editor;
mod error;
mod help;
mod history;
mod keys;
mod number;
mod shell;
mod suggest;
mod term;
mod tokens;

#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;

pub use args::Args;
pub use command::Command;
pub use complete::Completer;
pub use cores::{CoreOrAll, CoreSet, MAX_CORES, parse_core};
pub use crlf::CrLf;
pub use editor::{EditorEvent, LINE_CAPACITY, LineEditor};
pub use error::Error;
pub use number::{FromArg, check_range};
pub use shell::{Shell, ShellEvent};
pub use term::CLEAR_SCREEN;
