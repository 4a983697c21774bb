//! Page tables. Boot stage 1 identity-maps the low 4 GiB with 2 MiB pages;
//! this module adds the stack region: per-core stacks mapped page by page in
//! the upper half, each with an unmapped guard page below it, so an overflow
//! faults instead of silently corrupting its neighbour, and with its top
//! pages coloured clear of the image's data in QEMU's TLB (below).
//!
//! # Colouring the stacks
//!
//! Under TCG each vCPU translates guest addresses through a software TLB
//! that is direct-mapped: page `n` can only sit in entry `n % TLB_ENTRIES`.
//! Two hot pages with the same entry evict each other on every access, and
//! each access then takes QEMU's slow path. The top of a core's stack is
//! hot on every path, so a stack whose top shared an entry with a hot
//! static (the trace sink's vtable, once) cost a trace record about 1.6
//! times its cycles, by the luck of the link. The stack region is virtual,
//! so, at the cost of skipped addresses (and a page table or two more),
//! each stack is placed where its top pages take entries that no page
//! of the image's data (`.rodata` to `.bss`) takes: page colouring, as
//! kernels do for caches, done for QEMU's TLB (docs/architecture.md).

use core::alloc::Layout;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use spin::Mutex;
use x86_64::structures::paging::{
    FrameAllocator, Mapper, OffsetPageTable, Page, PageTable, PageTableFlags, PhysFrame, Size2MiB,
    Size4KiB, mapper::MapToError,
};
use x86_64::{PhysAddr, VirtAddr};

/// Size of a page.
pub const PAGE_SIZE: u64 = 4096;
/// Start of the stack region (first upper-half address, PML4 slot 256).
const STACK_REGION_START: VirtAddr = VirtAddr::new_truncate(0xFFFF_8000_0000_0000);

/// Bytes of heap used as page-table frames so far.
pub static PAGE_TABLE_BYTES: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" {
    static mut boot_pml4: PageTable;
}

/// The live page tables. Lock rule: hold this to change any mapping.
static MAPPER: Mutex<Option<OffsetPageTable<'static>>> = Mutex::new(None);
/// Next unused address in the stack region (only grows; under MAPPER's
/// lock, which orders it: Relaxed).
static NEXT_STACK_SLOT: AtomicU64 = AtomicU64::new(STACK_REGION_START.as_u64());

/// A zeroed, page-aligned heap page that is never freed. The heap is
/// identity-mapped RAM below 4 GiB, so its address is also a physical one.
fn heap_page() -> Option<PhysFrame<Size4KiB>> {
    let layout = Layout::from_size_align(PAGE_SIZE as usize, PAGE_SIZE as usize).ok()?;
    // SAFETY: the layout has non-zero size.
    let page = unsafe { alloc::alloc::alloc_zeroed(layout) };
    (!page.is_null()).then(|| PhysFrame::containing_address(PhysAddr::new(page as u64)))
}

/// Frames for new page tables, counted in PAGE_TABLE_BYTES.
struct PageTableFrames;

// SAFETY: every frame returned is a fresh, exclusively owned heap page that
// is never freed, so it is never handed out twice.
unsafe impl FrameAllocator<Size4KiB> for PageTableFrames {
    fn allocate_frame(&mut self) -> Option<PhysFrame<Size4KiB>> {
        let frame = heap_page()?;
        PAGE_TABLE_BYTES.fetch_add(PAGE_SIZE as usize, Ordering::Relaxed);
        Some(frame)
    }
}

/// Takes over the boot page tables. Call once, on the BSP, after the heap is up.
pub fn init() {
    // SAFETY: boot_pml4 is the active PML4 (stage 1 loaded it into CR3); from
    // now on it is only touched through MAPPER. Physical memory holding page
    // tables is identity-mapped, hence the physical offset of 0.
    let pml4 = unsafe { &mut *core::ptr::addr_of_mut!(boot_pml4) };
    // SAFETY: as above: offset 0 is correct for every page-table frame.
    let mapper = unsafe { OffsetPageTable::new(pml4, VirtAddr::new(0)) };
    *MAPPER.lock() = Some(mapper);
}

/// Entries in each vCPU's software TLB under TCG: QEMU's default size,
/// which it changes only when it flushes the whole TLB, and this kernel
/// does not after boot (no CR3 reload). Measured on the APs: two pages 256
/// apart evict each other, 64 or 128 apart do not. A colouring for 256
/// entries holds for any larger power of two too: pages apart modulo 256
/// are apart modulo 512.
pub const TLB_ENTRIES: u64 = 256;
/// Pages at the top of a stack that its core uses all the time (16 KiB:
/// the shell's deepest commands stay within it).
pub const HOT_STACK_PAGES: u64 = 4;

unsafe extern "C" {
    /// First byte of `.rodata` (linker.ld).
    static __data_start: u8;
    /// One past the image's last byte, the end of `.bss` (linker.ld).
    static __kernel_end: u8;
}

/// The pages of the image's data, `.rodata` to `.bss`, by page number.
pub fn data_pages() -> core::ops::Range<u64> {
    let start = core::ptr::addr_of!(__data_start) as u64;
    let end = core::ptr::addr_of!(__kernel_end) as u64;
    start / PAGE_SIZE..end.div_ceil(PAGE_SIZE)
}

/// The TLB entry page `page` (a page number) takes.
pub fn tlb_entry(page: u64) -> u64 {
    page % TLB_ENTRIES
}

/// The lowest page number at or above `lowest` that can be one past a
/// stack's last page with its [`HOT_STACK_PAGES`] in entries no data page
/// takes: the entries just below the data's first one (the heap's first
/// pages, past the image's end, take the entries just above its last).
/// `lowest` itself if the data takes too many entries to leave room.
fn coloured_top(lowest: u64, data: core::ops::Range<u64>) -> u64 {
    if data.end - data.start + HOT_STACK_PAGES > TLB_ENTRIES {
        return lowest;
    }
    let want = tlb_entry(data.start);
    lowest + (want + TLB_ENTRIES - tlb_entry(lowest)) % TLB_ENTRIES
}

/// A stack in the stack region: `bottom..top` is mapped, the page below
/// `bottom` (the guard) is not.
#[derive(Debug, Clone, Copy)]
pub struct GuardedStack {
    /// Lowest mapped address.
    pub bottom: VirtAddr,
    /// One past the highest mapped address (the initial stack pointer).
    pub top: VirtAddr,
}

impl GuardedStack {
    /// The unmapped guard page's address range.
    pub fn guard(&self) -> core::ops::Range<VirtAddr> {
        self.bottom - PAGE_SIZE..self.bottom
    }
}

/// Maps a new stack of `bytes` (rounded up to pages) below a guard page,
/// its top coloured (module docs). Frames come from the heap; the stack
/// lives as long as the kernel.
#[must_use = "the stack is mapped for good: dropping it leaks the mapping"]
pub fn map_guarded_stack(bytes: usize) -> GuardedStack {
    let pages = (bytes as u64).div_ceil(PAGE_SIZE);
    let mut guard = MAPPER.lock();
    let mapper = guard
        .as_mut()
        .expect("paging::init runs before stacks are mapped");
    // The guard page at the next free slot, the stack above it, its top
    // moved up to the colour (the pages skipped stay unmapped).
    let free = NEXT_STACK_SLOT.load(Ordering::Relaxed) / PAGE_SIZE;
    let top = coloured_top(free + 1 + pages, data_pages());
    NEXT_STACK_SLOT.store(top * PAGE_SIZE, Ordering::Relaxed);
    let bottom = VirtAddr::new((top - pages) * PAGE_SIZE);
    let flags = PageTableFlags::PRESENT | PageTableFlags::WRITABLE | PageTableFlags::NO_EXECUTE;
    for i in 0..pages {
        let page = Page::<Size4KiB>::containing_address(bottom + i * PAGE_SIZE);
        let frame = heap_page().expect("out of memory for a stack");
        // SAFETY: `page` is in the stack region, which nothing else maps, and
        // `frame` is a fresh heap page owned by this stack from now on.
        unsafe { mapper.map_to(page, frame, flags, &mut PageTableFrames) }
            .expect("stack region pages are never mapped twice")
            .flush();
    }
    GuardedStack {
        bottom,
        top: bottom + pages * PAGE_SIZE,
    }
}

/// Physical address of the top-level page table (what CR3 holds), which
/// APs load in their trampoline; below 4 GiB by construction (the kernel
/// image is identity-mapped, so its address is the physical one).
pub fn root_table_address() -> PhysAddr {
    PhysAddr::new(core::ptr::addr_of!(boot_pml4) as u64)
}

/// Size of the pages device windows are mapped with.
const HUGE_PAGE_SIZE: u64 = 2 * 1024 * 1024;
/// End of what boot stage 1 identity-maps.
const IDENTITY_MAPPED_END: u64 = 4 << 30;

/// Makes the device window `start..start + len` usable at the same virtual
/// address, uncached. Below 4 GiB it already is (boot stage 1); above, it is
/// identity-mapped now with 2 MiB pages. Returns the address to use.
pub fn map_device(start: PhysAddr, len: u64) -> Result<VirtAddr, &'static str> {
    let identity = VirtAddr::new(start.as_u64());
    let start = start.as_u64();
    let end = start.checked_add(len).ok_or("device window wraps around")?;
    if end <= IDENTITY_MAPPED_END {
        return Ok(identity);
    }
    if end > 1 << 39 {
        return Err("device window above 512 GiB"); // PML4 slot 0 only
    }
    let mut guard = MAPPER.lock();
    let mapper = guard.as_mut().ok_or("paging::init has not run")?;
    let flags = PageTableFlags::PRESENT
        | PageTableFlags::WRITABLE
        | PageTableFlags::NO_CACHE
        | PageTableFlags::WRITE_THROUGH
        | PageTableFlags::NO_EXECUTE;
    let first = start.max(IDENTITY_MAPPED_END) & !(HUGE_PAGE_SIZE - 1);
    for address in (first..end).step_by(HUGE_PAGE_SIZE as usize) {
        let page = Page::<Size2MiB>::containing_address(VirtAddr::new(address));
        let frame = PhysFrame::<Size2MiB>::containing_address(PhysAddr::new(address));
        // SAFETY: the address is above the RAM ringlab uses (it stops at
        // 4 GiB) and is the device's own window, mapped to itself.
        match unsafe { mapper.map_to(page, frame, flags, &mut PageTableFrames) } {
            Ok(flush) => flush.flush(),
            Err(MapToError::PageAlreadyMapped(_)) => {} // a neighbour's window
            Err(_) => return Err("no memory for the device's page tables"),
        }
    }
    Ok(identity)
}
