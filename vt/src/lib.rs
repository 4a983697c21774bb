//! ringlab's terminal for the framebuffer console, without the pixels: the
//! VT100/ANSI output it understands ([`Terminal`] drawing on a [`Surface`]) and
//! the keys it sends ([`keys::Keyboard`]). `no_std`, host-tested in `vt/tests/`.

#![no_std]

extern crate alloc;

pub mod color;
pub mod keys;
mod parser;
mod terminal;

pub use color::Rgb;
pub use parser::{Action, Csi, MAX_PARAMS, Parser};
pub use terminal::{Cell, Position, Surface, Terminal};
