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

use anyhow::{Context, bail};
use trace_wire::{DecodeError, DecodeErrorKind};

use crate::item::{Item, decode_all};

/// Reads and decodes a recorded trace; returns the items and the file size.
/// Refuses a file that is no ringlab trace (nothing in it decodes) and one
/// whose header names a format version this viewer cannot read: reading
/// the rest with this version's layout would show wrong records.
pub fn load(path: &Path) -> anyhow::Result<(Vec<Item>, u64)> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let items = decode_all(&bytes);
    for item in &items {
        if let Item::Damaged(DecodeError {
            kind: kind @ DecodeErrorKind::UnsupportedVersion(_),
            ..
        }) = item
        {
            bail!(
                "{}: {kind}; read it with the trace-viewer of the ringlab that recorded it",
                path.display()
            );
        }
    }
    if !items.iter().any(|item| matches!(item, Item::Record(_))) {
        match bytes.len() {
            0 => bail!("{} is empty: no trace was recorded in it", path.display()),
            n => bail!(
                "{} is not a ringlab trace: nothing in its {n} bytes decodes as a record",
                path.display()
            ),
        }
    }
    Ok((items, bytes.len() as u64))
}

/// Whether `a` and `b` name one existing file (by device and inode, so
/// links and other spellings of the path count too).
pub fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
        _ => false,
    }
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
