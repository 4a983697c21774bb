//! Writes the kernel's own symbol table into its ELF after linking, so fault
//! reports name functions (`rip 0x131be6 in kernel::... +0x16`). The reader
//! and the format are in kernel/src/symbols.rs; this is the writer.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};
use object::{Object, ObjectSection, ObjectSymbol, SymbolKind};

/// The section the kernel reserves (`kernel/src/symbols.rs`).
const SECTION: &str = ".ringlab_symbols";
/// The first bytes of a filled table, and of the reserved, empty one.
const MAGIC: &[u8; 8] = b"RLSYMS01";
const EMPTY_MAGIC: &[u8; 8] = b"RLSYMS--";

/// One function: where it starts, how long it is, its demangled name.
struct Function {
    start: u64,
    size: u32,
    name: String,
}

/// Fills the symbol section of the kernel ELF at `elf` in place; returns how
/// many functions it holds. On an ELF already filled it writes nothing.
pub fn fill(elf: &Path) -> Result<usize> {
    let mut bytes = fs::read(elf).with_context(|| format!("reading {}", elf.display()))?;
    let (offset, capacity, functions) = {
        let file = object::File::parse(&*bytes).context("parsing the kernel ELF")?;
        let section = file
            .section_by_name(SECTION)
            .with_context(|| format!("the kernel ELF has no {SECTION} section"))?;
        let (offset, size) = section
            .file_range()
            .with_context(|| format!("{SECTION} has no bytes in the file"))?;
        (offset as usize, size as usize, functions(&file))
    };
    let current = &bytes[offset..offset + 8];
    if current != MAGIC && current != EMPTY_MAGIC {
        bail!("{SECTION} does not start with the reserved table's magic");
    }
    let table = encode(&functions);
    if table.len() > capacity {
        bail!(
            "the symbol table needs {} KiB but the kernel reserves {} KiB \
             (raise CAPACITY in kernel/src/symbols.rs)",
            table.len().div_ceil(1024),
            capacity / 1024
        );
    }
    let mut section = table;
    section.resize(capacity, 0);
    if bytes[offset..offset + capacity] != section[..] {
        bytes[offset..offset + capacity].copy_from_slice(&section);
        // Write a copy, then rename: a QEMU starting from `elf` never reads
        // half a file.
        let partial = elf.with_extension("symbols-partial");
        fs::write(&partial, bytes)
            .and_then(|()| fs::rename(&partial, elf))
            .with_context(|| format!("writing {}", elf.display()))?;
    }
    Ok(functions.len())
}

/// Every sized function symbol, demangled without its hash, by address.
fn functions(file: &object::File<'_>) -> Vec<Function> {
    let mut out: Vec<Function> = file
        .symbols()
        .filter(|s| s.kind() == SymbolKind::Text && s.size() > 0)
        .filter_map(|s| {
            let name = s.name().ok()?;
            Some(Function {
                start: s.address(),
                size: u32::try_from(s.size()).ok()?,
                name: format!("{:#}", rustc_demangle::demangle(name)),
            })
        })
        .collect();
    out.sort_by_key(|f| f.start);
    out.dedup_by_key(|f| f.start);
    out
}

/// The table in the format kernel/src/symbols.rs reads.
fn encode(functions: &[Function]) -> Vec<u8> {
    let mut names = Vec::new();
    let mut entries = Vec::with_capacity(functions.len() * 16);
    for f in functions {
        entries.extend_from_slice(&f.start.to_le_bytes());
        entries.extend_from_slice(&f.size.to_le_bytes());
        entries.extend_from_slice(&(names.len() as u32).to_le_bytes());
        names.extend_from_slice(f.name.as_bytes());
        names.push(0);
    }
    let mut table = MAGIC.to_vec();
    table.extend_from_slice(&(functions.len() as u32).to_le_bytes());
    table.extend_from_slice(&(names.len() as u32).to_le_bytes());
    table.extend(entries);
    table.extend(names);
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_header_entries_then_names() {
        let table = encode(&[
            Function {
                start: 0x1000,
                size: 0x20,
                name: "a::b".into(),
            },
            Function {
                start: 0x1020,
                size: 8,
                name: "c".into(),
            },
        ]);
        assert_eq!(&table[..8], MAGIC);
        assert_eq!(u32::from_le_bytes(table[8..12].try_into().unwrap()), 2);
        assert_eq!(u32::from_le_bytes(table[12..16].try_into().unwrap()), 7);
        assert_eq!(
            u64::from_le_bytes(table[16..24].try_into().unwrap()),
            0x1000
        );
        assert_eq!(u32::from_le_bytes(table[44..48].try_into().unwrap()), 5);
        assert_eq!(&table[48..], b"a::b\0c\0");
    }
}
