//! Loads one private copy of a C program's image (a shared object built by
//! build_c.rs): its segments into fresh memory, then its dynamic relocations,
//! binding imports to the kernel's exports by name.

use alloc::alloc::{Layout, alloc_zeroed, dealloc};
use alloc::format;
use alloc::string::String;

use object::elf;
use object::read::elf::ElfFile64;
use object::{Object, ObjectSegment, ObjectSymbol, ObjectSymbolTable, RelocationFlags};
use object::{RelocationTarget, SymbolIndex};

/// Pages: the alignment the linker gave the segments.
const PAGE: usize = 4096;

/// A rank's copy of an image: text, data and bss, relocated.
pub struct Loaded {
    base: *mut u8,
    layout: Layout,
    /// `__ringlab_start(argc, argv)` (libc/crt.c).
    pub start: extern "C" fn(i32, *const *const u8) -> i32,
    /// The image's `exit(status)`: jumps back out of `start`.
    pub exit: extern "C" fn(i32) -> !,
}

impl Loaded {
    /// The addresses the copy occupies (its code among them).
    pub fn range(&self) -> core::ops::Range<usize> {
        let start = self.base as usize;
        start..start + self.layout.size()
    }
}

impl Drop for Loaded {
    fn drop(&mut self) {
        // SAFETY: `base` came from `alloc_zeroed(self.layout)` in `load` and
        // nothing runs the image's code once the copy is dropped.
        unsafe { dealloc(self.base, self.layout) }
    }
}

/// A fresh copy of `image`; imports are bound with `resolve`. An import it
/// does not know is an error naming the symbol.
pub fn load(image: &[u8], resolve: fn(&str) -> Option<usize>) -> Result<Loaded, String> {
    let file = ElfFile64::<object::LittleEndian>::parse(image)
        .map_err(|e| format!("not an ELF image: {e}"))?;
    let span = file
        .segments()
        .map(|s| s.address() + s.size())
        .max()
        .ok_or("the image has no segments")?;
    let layout = Layout::from_size_align((span as usize).next_multiple_of(PAGE), PAGE)
        .map_err(|_| "the image is too large")?;
    // SAFETY: the layout's size is at least one page (the image has a segment).
    let base = unsafe { alloc_zeroed(layout) };
    if base.is_null() {
        return Err(format!("no memory for the image ({} bytes)", layout.size()));
    }
    let mut loaded = Loaded {
        base,
        layout,
        start: placeholder_start,
        exit: placeholder_exit,
    };
    loaded.copy_segments(&file)?;
    loaded.relocate(&file, resolve)?;
    loaded.start = loaded.function(&file, "__ringlab_start")?;
    loaded.exit = loaded.function(&file, "exit")?;
    Ok(loaded)
}

extern "C" fn placeholder_start(_: i32, _: *const *const u8) -> i32 {
    unreachable!("load replaces it before returning")
}

extern "C" fn placeholder_exit(_: i32) -> ! {
    unreachable!("load replaces it before returning")
}

type Elf<'d> = ElfFile64<'d, object::LittleEndian>;

impl Loaded {
    /// The copy's bytes.
    fn memory(&mut self) -> &mut [u8] {
        // SAFETY: `base` points to `layout.size()` bytes this copy owns.
        unsafe { core::slice::from_raw_parts_mut(self.base, self.layout.size()) }
    }

    fn copy_segments(&mut self, file: &Elf<'_>) -> Result<(), String> {
        for segment in file.segments() {
            let bytes = segment.data().map_err(|e| format!("bad segment: {e}"))?;
            let at = segment.address() as usize;
            self.memory()[at..at + bytes.len()].copy_from_slice(bytes);
        }
        Ok(())
    }

    fn relocate(
        &mut self,
        file: &Elf<'_>,
        resolve: fn(&str) -> Option<usize>,
    ) -> Result<(), String> {
        let Some(relocations) = file.dynamic_relocations() else {
            return Ok(());
        };
        let base = self.base as u64;
        for (offset, relocation) in relocations {
            let RelocationFlags::Elf { r_type } = relocation.flags() else {
                return Err("not an ELF relocation".into());
            };
            let symbol = match relocation.target() {
                RelocationTarget::Symbol(index) => self.symbol_address(file, index, resolve)?,
                _ => 0,
            };
            let addend = relocation.addend() as u64;
            let value = match r_type {
                elf::R_X86_64_RELATIVE => base.wrapping_add(addend),
                elf::R_X86_64_GLOB_DAT | elf::R_X86_64_JUMP_SLOT => symbol,
                elf::R_X86_64_64 => symbol.wrapping_add(addend),
                other => return Err(format!("relocation type {other} is not supported")),
            };
            let at = offset as usize;
            self.memory()
                .get_mut(at..at + 8)
                .ok_or("a relocation outside the image")?
                .copy_from_slice(&value.to_le_bytes());
        }
        Ok(())
    }

    /// Where dynamic symbol `index` is: in the copy, or a kernel export.
    fn symbol_address(
        &self,
        file: &Elf<'_>,
        index: SymbolIndex,
        resolve: fn(&str) -> Option<usize>,
    ) -> Result<u64, String> {
        let table = file.dynamic_symbol_table().ok_or("no dynamic symbols")?;
        let symbol = table.symbol_by_index(index).map_err(|e| format!("{e}"))?;
        let name = symbol.name().map_err(|e| format!("{e}"))?;
        if !symbol.is_undefined() {
            return Ok(self.base as u64 + symbol.address());
        }
        match resolve(name) {
            Some(address) => Ok(address as u64),
            None if symbol.is_weak() => Ok(0),
            None => Err(format!(
                "the program uses '{name}', which ringlab's C library does not have"
            )),
        }
    }

    /// The image's function `name`, as a function pointer of type `F`.
    fn function<F: Copy>(&self, file: &Elf<'_>, name: &str) -> Result<F, String> {
        let symbol = file
            .dynamic_symbols()
            .find(|s| s.name() == Ok(name) && !s.is_undefined())
            .ok_or_else(|| format!("the image has no '{name}'"))?;
        let address = self.base as usize + symbol.address() as usize;
        // SAFETY: F is one of the two `extern "C" fn` types of `Loaded`,
        // and `address` is that C function's entry in this relocated copy
        // (crt.c defines both with these signatures).
        Ok(unsafe { core::mem::transmute_copy::<usize, F>(&address) })
    }
}
