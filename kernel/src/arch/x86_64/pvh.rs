//! The PVH boot information QEMU hands to the kernel (`hvm_start_info`,
//! Xen's public/arch-x86/hvm/start_info.h, version 1): memory map and RSDP.

/// Magic value in [`StartInfo::magic`].
pub const START_INFO_MAGIC: u32 = 0x336e_c578;

/// `struct hvm_start_info` as laid out in memory.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct StartInfo {
    /// Must equal [`START_INFO_MAGIC`].
    pub magic: u32,
    /// Structure version; the memory map fields exist from version 1.
    pub version: u32,
    /// SIF_* flags.
    pub flags: u32,
    /// Number of boot modules.
    pub nr_modules: u32,
    /// Physical address of the module list.
    pub modlist_paddr: u64,
    /// Physical address of the NUL-terminated command line, or 0.
    pub cmdline_paddr: u64,
    /// Physical address of the ACPI RSDP, or 0 when the loader did not give one.
    pub rsdp_paddr: u64,
    /// Physical address of the memory map (`MemmapEntry` array).
    pub memmap_paddr: u64,
    /// Number of memory map entries.
    pub memmap_entries: u32,
    /// Must be zero.
    pub reserved: u32,
}

/// `struct hvm_memmap_table_entry`: one E820-style region.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MemmapEntry {
    /// First byte of the region.
    pub addr: u64,
    /// Length in bytes.
    pub size: u64,
    /// E820 type: 1 = usable RAM, 2 = reserved, 3 = ACPI reclaimable, ...
    pub kind: u32,
    /// Must be zero.
    pub reserved: u32,
}

/// E820 type of usable RAM.
pub const E820_RAM: u32 = 1;

/// Most memory map entries the kernel keeps (QEMU gives fewer than 10).
pub const MAX_MEMMAP_ENTRIES: usize = 32;

/// What the kernel keeps from the PVH start info: a copy, so nothing later
/// depends on where the loader happened to put it.
#[derive(Debug, Clone, Copy)]
pub struct BootInfo {
    entries: [MemmapEntry; MAX_MEMMAP_ENTRIES],
    len: usize,
    /// The RSDP address, if the loader gave one.
    pub rsdp: Option<u64>,
}

impl BootInfo {
    /// The memory map, in the loader's order.
    pub fn memory_map(&self) -> &[MemmapEntry] {
        &self.entries[..self.len]
    }
}

/// Reads the start info at physical address `addr`.
///
/// # Safety
/// `addr` must be the `hvm_start_info` pointer the PVH loader passed in `ebx`,
/// and physical memory must be identity-mapped (boot stage 1 does that).
pub unsafe fn read_start_info(addr: u64) -> BootInfo {
    // SAFETY: the caller guarantees `addr` is the loader's hvm_start_info,
    // identity-mapped, and nothing has been allocated over it yet.
    let info = unsafe { &*(addr as *const StartInfo) };
    assert_eq!(
        info.magic, START_INFO_MAGIC,
        "PVH start info has a bad magic value"
    );
    assert!(
        info.version >= 1,
        "PVH start info version 0 has no memory map"
    );
    // SAFETY: version >= 1 so memmap_paddr/memmap_entries describe an array of
    // that many entries, identity-mapped, not yet overwritten (as above).
    let loader_map = unsafe {
        core::slice::from_raw_parts(
            info.memmap_paddr as *const MemmapEntry,
            info.memmap_entries as usize,
        )
    };
    let empty = MemmapEntry {
        addr: 0,
        size: 0,
        kind: 0,
        reserved: 0,
    };
    let mut boot = BootInfo {
        entries: [empty; MAX_MEMMAP_ENTRIES],
        len: loader_map.len().min(MAX_MEMMAP_ENTRIES),
        rsdp: (info.rsdp_paddr != 0).then_some(info.rsdp_paddr),
    };
    boot.entries[..boot.len].copy_from_slice(&loader_map[..boot.len]);
    boot
}
