//! The kernel's own symbol table, so a fault report can say
//! `rip 0x131be6 in kernel::commands::debug::fault_page +0x16` without
//! addr2line. The build reserves a section and `cargo xtask build` fills it
//! from the linked ELF's `.symtab` (xtask/src/symbols.rs writes the format).
//!
//! Format, all little-endian: the 8-byte [`MAGIC`]; `count: u32`;
//! `names_len: u32`; then `count` entries of `start: u64, size: u32,
//! name_offset: u32`, sorted by `start`; then `names_len` bytes of UTF-8
//! names. A table never filled keeps only [`EMPTY_MAGIC`].

/// The bytes reserved for the table (xtask fails the build if it does not fit).
pub const CAPACITY: usize = 256 * 1024;

/// The first 8 bytes of a filled table.
pub const MAGIC: [u8; 8] = *b"RLSYMS01";

/// The first 8 bytes as built, before xtask fills the table. Not all zeros,
/// so the section keeps its bytes in the ELF file instead of becoming bss.
const EMPTY_MAGIC: [u8; 8] = *b"RLSYMS--";

const HEADER: usize = 16;
const ENTRY: usize = 16;

/// The reserved section. xtask finds it by its section name and writes it.
#[used]
#[unsafe(link_section = ".ringlab_symbols")]
static TABLE: [u8; CAPACITY] = reserved();

const fn reserved() -> [u8; CAPACITY] {
    let mut table = [0u8; CAPACITY];
    let mut i = 0;
    while i < EMPTY_MAGIC.len() {
        table[i] = EMPTY_MAGIC[i];
        i += 1;
    }
    table
}

/// The function containing `address`, and how far into it `address` is.
pub fn lookup(address: u64) -> Option<(&'static str, u64)> {
    let table = filled()?;
    let count = read_u32(table, 8) as usize;
    let names_len = read_u32(table, 12) as usize;
    let names_at = HEADER + count * ENTRY;
    let names = table.get(names_at..names_at + names_len)?;
    let start_of = |i: usize| read_u64(table, HEADER + i * ENTRY);
    // Binary search for the last entry starting at or below `address`.
    let (mut low, mut high) = (0, count);
    while low < high {
        let mid = low + (high - low) / 2;
        if start_of(mid) <= address {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    let i = low.checked_sub(1)?;
    let entry = HEADER + i * ENTRY;
    let (start, size) = (start_of(i), u64::from(read_u32(table, entry + 8)));
    if address - start >= size.max(1) {
        return None;
    }
    let name_at = read_u32(table, entry + 12) as usize;
    let name = names.get(name_at..)?;
    let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
    Some((core::str::from_utf8(&name[..end]).ok()?, address - start))
}

/// The table, if xtask filled it.
fn filled() -> Option<&'static [u8]> {
    // black_box: the compiler must not fold reads of TABLE to the zeros it
    // was built with; xtask rewrites the bytes in the ELF after linking.
    let table: &'static [u8; CAPACITY] = core::hint::black_box(&TABLE);
    (table[..8] == MAGIC).then_some(&table[..])
}

fn read_u32(table: &[u8], at: usize) -> u32 {
    let mut bytes = [0; 4];
    bytes.copy_from_slice(&table[at..at + 4]);
    u32::from_le_bytes(bytes)
}

fn read_u64(table: &[u8], at: usize) -> u64 {
    let mut bytes = [0; 8];
    bytes.copy_from_slice(&table[at..at + 8]);
    u64::from_le_bytes(bytes)
}
