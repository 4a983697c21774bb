//! The kernel heap: `talc` over every usable RAM region of the PVH memory
//! map above the kernel image and below 4 GiB (the identity-mapped part).
//! Page tables, stacks and queues all come from here.

use core::sync::atomic::{AtomicUsize, Ordering};

use talc::{ErrOnOom, Span, Talc, Talck};

use crate::arch::pvh::{BootInfo, E820_RAM};

#[global_allocator]
static ALLOCATOR: Talck<spin::Mutex<()>, ErrOnOom> = Talc::new(ErrOnOom).lock();

/// Usable RAM in the memory map (all of it, including what the heap skips).
static RAM_BYTES: AtomicUsize = AtomicUsize::new(0);
/// RAM regions in the memory map.
static RAM_REGIONS: AtomicUsize = AtomicUsize::new(0);
/// RAM above 4 GiB, which the boot page tables do not map.
static RAM_ABOVE_4G: AtomicUsize = AtomicUsize::new(0);

const IDENTITY_MAPPED_END: u64 = 4 << 30;

unsafe extern "C" {
    static __kernel_start: u8;
    static __kernel_end: u8;
}

/// The kernel image's physical range.
pub fn kernel_image() -> core::ops::Range<usize> {
    core::ptr::addr_of!(__kernel_start) as usize..core::ptr::addr_of!(__kernel_end) as usize
}

/// Claims RAM for the heap.
pub fn init(boot: &BootInfo) {
    let lowest = kernel_image().end as u64;
    let mut talc = ALLOCATOR.lock();
    for region in boot.memory_map().iter().filter(|r| r.kind == E820_RAM) {
        RAM_BYTES.fetch_add(region.size as usize, Ordering::Relaxed);
        RAM_REGIONS.fetch_add(1, Ordering::Relaxed);
        let end = region.addr + region.size;
        RAM_ABOVE_4G.fetch_add(
            end.saturating_sub(region.addr.max(IDENTITY_MAPPED_END)) as usize,
            Ordering::Relaxed,
        );
        let start = region.addr.max(lowest);
        let end = end.min(IDENTITY_MAPPED_END);
        if start < end {
            let span = Span::new(start as *mut u8, end as *mut u8);
            // SAFETY: the memory map says this is RAM; it lies above the
            // kernel image and below 4 GiB (identity-mapped), and nothing
            // else uses it from now on: the low 1 MiB (trampoline, BIOS data)
            // is outside every span, and the ACPI tables SeaBIOS put in this
            // RAM were read before this call (main.rs), so reusing it is fine.
            unsafe { talc.claim(span) }.expect("talc needs a few bytes of RAM per region");
        }
    }
}

/// Heap and RAM figures for `mem`.
#[derive(Debug, Clone, Copy)]
pub struct HeapStats {
    /// Usable RAM in the memory map.
    pub ram_bytes: usize,
    /// Number of usable RAM regions.
    pub ram_regions: usize,
    /// RAM above 4 GiB, not used.
    pub ram_unused_above_4g: usize,
    /// Bytes the heap manages.
    pub claimed_bytes: usize,
    /// Bytes allocated now.
    pub used_bytes: usize,
    /// Live allocations.
    pub allocations: usize,
}

impl HeapStats {
    /// Bytes not allocated now (fragmentation may keep a block of all of
    /// them from being found).
    pub fn free_bytes(&self) -> usize {
        self.claimed_bytes.saturating_sub(self.used_bytes)
    }
}

/// Current heap figures.
pub fn stats() -> HeapStats {
    let talc = ALLOCATOR.lock();
    let counters = talc.get_counters();
    HeapStats {
        ram_bytes: RAM_BYTES.load(Ordering::Relaxed),
        ram_regions: RAM_REGIONS.load(Ordering::Relaxed),
        ram_unused_above_4g: RAM_ABOVE_4G.load(Ordering::Relaxed),
        claimed_bytes: counters.claimed_bytes,
        used_bytes: counters.allocated_bytes,
        allocations: counters.allocation_count,
    }
}
