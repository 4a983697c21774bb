//! The kernel's own symbol table, so a fault report can say
//! `rip 0x131be6 in kernel::commands::debug::fault_page +0x16` without
//! addr2line. The build reserves a section and `cargo xtask build` fills it
//! from the linked ELF's `.symtab`; the format is the `symtab` crate's.

/// The bytes reserved for the table (xtask fails the build if it does not fit).
pub const CAPACITY: usize = 256 * 1024;

/// The reserved section (named [`symtab::SECTION`]); xtask writes it.
#[used]
#[unsafe(link_section = ".ringlab_symbols")]
static TABLE: [u8; CAPACITY] = reserved();

// The attribute needs a literal: check that it is the format's name.
const _: () = assert!(same(symtab::SECTION.as_bytes(), b".ringlab_symbols"));

const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn reserved() -> [u8; CAPACITY] {
    let mut table = [0u8; CAPACITY];
    let mut i = 0;
    while i < symtab::EMPTY_MAGIC.len() {
        table[i] = symtab::EMPTY_MAGIC[i];
        i += 1;
    }
    table
}

/// The function containing `address`, and how far into it `address` is.
pub fn lookup(address: u64) -> Option<(&'static str, u64)> {
    // black_box: the compiler must not fold reads of TABLE to the bytes it
    // was built with; xtask rewrites them in the ELF after linking.
    let table: &'static [u8; CAPACITY] = core::hint::black_box(&TABLE);
    symtab::lookup(table, address)
}
