//! Writes the kernel's own symbol table into its ELF after linking, so fault
//! reports name functions (`rip 0x131be6 in kernel::... +0x16`). The format
//! is the `symtab` crate's; the kernel's reader is kernel/src/symbols.rs.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};
use object::{Object, ObjectSection, ObjectSymbol, SymbolKind};
use symtab::{EMPTY_MAGIC, MAGIC, SECTION};

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
    let table = symtab::encode(&functions.iter().map(Function::entry).collect::<Vec<_>>());
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

impl Function {
    /// The table's entry for this function.
    fn entry(&self) -> symtab::Function<'_> {
        symtab::Function {
            start: self.start,
            size: self.size,
            name: &self.name,
        }
    }
}
