//! The subcommands, one file each, each an `Args` struct (its doc comments
//! are the `--help` text) with a `run` method; plus loading a recorded file.

pub mod demo;
pub mod export;
pub mod live;
pub mod record;
pub mod replay;
pub mod stats;

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use crate::item::{Item, decode_all};

/// Reads and decodes a recorded trace; returns the items and the file size.
pub fn load(path: &Path) -> anyhow::Result<(Vec<Item>, u64)> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok((decode_all(&bytes), bytes.len() as u64))
}

/// Writes one line per damaged stretch of `items` to `out`.
pub fn report_damage(items: &[Item], out: &mut impl Write) -> std::io::Result<()> {
    for item in items {
        if let Item::Damaged(d) = item {
            writeln!(out, "warning: {d}")?;
        }
    }
    Ok(())
}
