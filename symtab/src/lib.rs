//! The format of the kernel's own symbol table, in one place for its writer
//! (`cargo xtask build`, after linking) and its reader (the kernel's fault
//! reports, which print `rip 0x131be6 in kernel::... +0x16`).
//!
//! All little-endian: the 8-byte [`MAGIC`]; `count: u32`; `names_len: u32`;
//! then `count` entries of `start: u64, size: u32, name_offset: u32`, sorted
//! by `start`; then `names_len` bytes of NUL-terminated UTF-8 names. A table
//! never filled holds only [`EMPTY_MAGIC`].

#![no_std]

extern crate alloc;

use alloc::vec::Vec;

/// The ELF section the kernel reserves for the table.
pub const SECTION: &str = ".ringlab_symbols";

/// The first 8 bytes of a filled table.
pub const MAGIC: [u8; 8] = *b"RLSYMS01";

/// The first 8 bytes as built, before the table is filled. Not all zeros,
/// so the section keeps its bytes in the ELF file instead of becoming bss.
pub const EMPTY_MAGIC: [u8; 8] = *b"RLSYMS--";

/// Magic, count and names length.
const HEADER: usize = 16;
/// `start`, `size`, `name_offset`.
const ENTRY: usize = 16;

/// One function of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Function<'a> {
    /// Its first address.
    pub start: u64,
    /// Its length in bytes.
    pub size: u32,
    /// Its demangled name.
    pub name: &'a str,
}

/// The table of `functions`, which must be sorted by `start`.
pub fn encode(functions: &[Function<'_>]) -> Vec<u8> {
    let mut names = Vec::new();
    let mut entries = Vec::with_capacity(functions.len() * ENTRY);
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

/// The function of `table` containing `address`, and how far into it
/// `address` is. `None` for an unfilled, truncated or corrupt table, and for
/// an address outside every function.
pub fn lookup(table: &[u8], address: u64) -> Option<(&str, u64)> {
    if table.get(..8)? != MAGIC {
        return None;
    }
    let count = read_u32(table, 8)? as usize;
    let names_len = read_u32(table, 12)? as usize;
    let names_at = count.checked_mul(ENTRY)?.checked_add(HEADER)?;
    let names = table.get(names_at..names_at.checked_add(names_len)?)?;
    let start_of = |i: usize| read_u64(table, HEADER + i * ENTRY).unwrap_or(u64::MAX);
    // The last entry starting at or below `address` (entries are in range:
    // `names` above proved the table holds them all).
    let i = partition_point(count, |i| start_of(i) <= address).checked_sub(1)?;
    let entry = HEADER + i * ENTRY;
    let (start, size) = (start_of(i), u64::from(read_u32(table, entry + 8)?));
    if address - start >= size.max(1) {
        return None;
    }
    let name = names.get(read_u32(table, entry + 12)? as usize..)?;
    let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
    Some((core::str::from_utf8(&name[..end]).ok()?, address - start))
}

/// The first `i` in `0..count` for which `below(i)` is false.
fn partition_point(count: usize, below: impl Fn(usize) -> bool) -> usize {
    let (mut low, mut high) = (0, count);
    while low < high {
        let mid = low + (high - low) / 2;
        if below(mid) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    low
}

fn read_u32(table: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(table.get(at..at + 4)?.try_into().ok()?))
}

fn read_u64(table: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(table.get(at..at + 8)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: [Function<'static>; 2] = [
        Function {
            start: 0x1000,
            size: 0x20,
            name: "a::b",
        },
        Function {
            start: 0x1040,
            size: 8,
            name: "c",
        },
    ];

    #[test]
    fn the_table_is_header_entries_then_names() {
        let table = encode(&TWO);
        assert_eq!(table[..8], MAGIC);
        assert_eq!(read_u32(&table, 8), Some(2));
        assert_eq!(read_u32(&table, 12), Some(7));
        assert_eq!(read_u64(&table, 16), Some(0x1000));
        assert_eq!(read_u32(&table, 44), Some(5));
        assert_eq!(&table[48..], b"a::b\0c\0");
    }

    #[test]
    fn lookup_finds_the_function_and_the_offset() {
        let table = encode(&TWO);
        assert_eq!(lookup(&table, 0x1000), Some(("a::b", 0)));
        assert_eq!(lookup(&table, 0x101f), Some(("a::b", 0x1f)));
        assert_eq!(lookup(&table, 0x1047), Some(("c", 7)));
        for outside in [0, 0xfff, 0x1020, 0x103f, 0x1048, u64::MAX] {
            assert_eq!(lookup(&table, outside), None, "{outside:#x}");
        }
    }

    #[test]
    fn an_unfilled_truncated_or_corrupt_table_finds_nothing() {
        let table = encode(&TWO);
        assert_eq!(lookup(&EMPTY_MAGIC, 0x1000), None);
        for len in 0..table.len() {
            let _ = lookup(&table[..len], 0x1047); // no panic
        }
        assert_eq!(lookup(&table[..table.len() - 1], 0x1000), None);
        let mut huge = table.clone();
        huge[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(lookup(&huge, 0x1000), None);
        let mut far = table;
        far[28..32].copy_from_slice(&1000u32.to_le_bytes());
        assert_eq!(lookup(&far, 0x1000), None);
    }
}
