//! Host tests (`cargo test -p shell`), one file per part of the crate.
//! Editor and shell tests drive whole byte strings through `crate::testing`.

mod args;
mod cores;
mod crlf;
mod editor;
mod history;
mod input_errors;
mod keys;
mod number;
mod shell;
mod suggest;
mod tokens;
