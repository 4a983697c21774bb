//! Each core's trace rings: one per context (task, and interrupts off), of
//! fixed 64-byte raw records written with plain stores by that core alone,
//! and read by the drain. Also the counters `trace status` prints.
//!
//! Keeping an interrupt's record apart: a core writes to its task lane only
//! while interrupts are enabled, and to its interrupt lane while they are
//! disabled. Interrupt handlers run with interrupts disabled and never enable
//! them, so a handler that traces writes to the interrupt lane, and nothing
//! can interrupt a writer of the interrupt lane: each lane has exactly one
//! writer at any time, without masking, locks or read-modify-write.

use alloc::boxed::Box;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicPtr, AtomicU64, Ordering};

use trace_wire::raw::{SLOT_BYTES, SLOT_WORDS, Slot};

use super::owned::LaneState;
use crate::arch::cpu;
use crate::cores::MAX_CORES;
use crate::heap;

/// Slots of a core's task lane: at least 256 KiB, at most 4 MiB (32,768
/// two-slot bus events), as a sixteenth of free memory allows.
const TASK_SLOTS: (u64, u64) = (4096, 65536);
/// Slots of a core's interrupt lane (interrupt handlers trace little).
const IRQ_SLOTS: u64 = 512;
/// Lanes per core: task, then interrupts-off.
pub const LANES_PER_CORE: usize = 2;

/// One ring of raw records with one writer (see the module docs).
pub struct Lane {
    /// The slots, allocated by `init`; null before. Slot `i % capacity` holds
    /// record position `i`.
    slots: AtomicPtr<Slot>,
    /// Slots in the ring (a power of two), set with `slots`; only the
    /// writer and the drain read it, after loading `slots` (Acquire).
    capacity: AtomicU64,
    /// Positions written. The writer stores it (Release) after the slots;
    /// the drain loads it (Acquire) before reading them.
    head: AtomicU64,
    /// Positions the channel is done with. The drain stores it (Release)
    /// after the channel has read the slots; the writer loads it (Acquire)
    /// before overwriting them.
    tail: AtomicU64,
    /// Counts, each stored only by the writer (load and store, no RMW) and
    /// read by `trace status` and the drain.
    pub counts: Counts,
    /// The writer's own state (span stack, span ids, interned strings).
    /// Lock rule: only the lane's writer touches it.
    state: UnsafeCell<LaneState>,
}

/// What a lane's writer counted.
pub struct Counts {
    /// Events written.
    pub events: AtomicU64,
    /// Spans created (SpanNew records written).
    pub spans: AtomicU64,
    /// Other records written (span values, enters, exits, closes).
    pub marks: AtomicU64,
    /// Records (of any kind) refused because the ring was full.
    pub dropped: AtomicU64,
}

impl Counts {
    const fn new() -> Self {
        Counts {
            events: AtomicU64::new(0),
            spans: AtomicU64::new(0),
            marks: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
        }
    }

    /// Events, spans, marks, dropped (Relaxed: statistics).
    pub fn snapshot(&self) -> [u64; 4] {
        [&self.events, &self.spans, &self.marks, &self.dropped].map(|c| c.load(Ordering::Relaxed))
    }
}

/// Adds one to a counter only its writer stores: a plain load and store.
#[inline]
pub fn bump(counter: &AtomicU64) {
    // Relaxed: a statistic; one writer, so no increment is lost.
    counter.store(counter.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
}

// SAFETY: the slots and `state` are written by the lane's one writer only
// (module docs); the slots pass to the drain through the Release/Acquire
// pair on `head` and back through the pair on `tail`.
unsafe impl Sync for Lane {}

impl Lane {
    const fn new() -> Self {
        Lane {
            slots: AtomicPtr::new(core::ptr::null_mut()),
            capacity: AtomicU64::new(0),
            head: AtomicU64::new(0),
            tail: AtomicU64::new(0),
            counts: Counts::new(),
            state: UnsafeCell::new(LaneState::new()),
        }
    }

    /// Appends a record of whole slots (`words.len()` a multiple of 8), or
    /// returns false when the ring has no room. Only the lane's writer calls it.
    #[inline]
    pub fn write(&self, words: &[u64]) -> bool {
        // Acquire pairs with the Release store in `allocate`.
        let slots = self.slots.load(Ordering::Acquire);
        let count = (words.len() / SLOT_WORDS) as u64;
        let capacity = self.capacity.load(Ordering::Relaxed); // stored before `slots`
        let head = self.head.load(Ordering::Relaxed); // our own index
        // Acquire pairs with the drain's Release store of `tail`: the
        // channel has read the slots before it, so we may overwrite them.
        let tail = self.tail.load(Ordering::Acquire);
        if slots.is_null() || head + count > tail + capacity {
            return false;
        }
        for (i, slot) in words.chunks_exact(SLOT_WORDS).enumerate() {
            let at = ((head + i as u64) & (capacity - 1)) as usize;
            // SAFETY: `at` < capacity, the allocation's length; positions
            // head..head+count are free (checked above) and ours until the
            // Release store below hands them to the drain.
            unsafe {
                slots
                    .add(at)
                    .cast::<u64>()
                    .copy_from_nonoverlapping(slot.as_ptr(), SLOT_WORDS)
            };
        }
        // Release pairs with the drain's Acquire load in `head`.
        self.head.store(head + count, Ordering::Release);
        true
    }

    /// The writer's own state.
    ///
    /// # Safety
    /// Only the lane's writer may call this, and must not hold two of the
    /// returned borrows at once.
    #[inline]
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn state(&self) -> &mut LaneState {
        // SAFETY: the caller is the one writer (see above).
        unsafe { &mut *self.state.get() }
    }

    /// Positions written so far (a snapshot, for the drain).
    pub fn head(&self) -> u64 {
        // Acquire pairs with the writer's Release store in `write`: the
        // slots before it are written.
        self.head.load(Ordering::Acquire)
    }

    /// Positions the channel is done with.
    pub fn tail(&self) -> u64 {
        self.tail.load(Ordering::Relaxed) // only the drain stores it
    }

    /// The channel has read every slot before `tail`: the writer may reuse
    /// them. Only the drain calls this.
    pub fn release_to(&self, tail: u64) {
        // Release pairs with the writer's Acquire load in `write`.
        self.tail.store(tail, Ordering::Release);
    }

    /// The slots of positions `from..to` as one or two byte runs (the ring
    /// wraps), for the channel. Only the drain calls this, for positions it
    /// has seen in `head` and not yet released.
    pub fn runs(&self, from: u64, to: u64) -> [&[u8]; 2] {
        let base = self.slots.load(Ordering::Acquire).cast::<u8>(); // Release: allocate
        let capacity = self.capacity.load(Ordering::Relaxed);
        let start = (from & (capacity - 1)) as usize;
        let first = ((to - from) as usize).min(capacity as usize - start);
        let second = (to - from) as usize - first;
        // SAFETY: both runs lie inside the allocation (start + first <=
        // capacity, second < capacity), and positions from..to were
        // published by the writer (Acquire in `head`) and are not
        // overwritten before `release_to` passes them.
        unsafe {
            [
                core::slice::from_raw_parts(base.add(start * SLOT_BYTES), first * SLOT_BYTES),
                core::slice::from_raw_parts(base, second * SLOT_BYTES),
            ]
        }
    }

    /// Slots written and not yet released (for `trace status`).
    pub fn buffered(&self) -> u64 {
        self.head() - self.tail()
    }

    fn allocate(&self, capacity: u64) {
        self.capacity.store(capacity, Ordering::Relaxed); // published by the Release below
        let slots: Box<[Slot]> =
            alloc::vec![[0u64; SLOT_WORDS]; capacity as usize].into_boxed_slice();
        // Release pairs with the Acquire loads in `write` and `runs`.
        self.slots
            .store(Box::leak(slots).as_mut_ptr(), Ordering::Release);
    }
}

/// Every core's lanes: `[task, interrupts off]`.
static LANES: [[Lane; LANES_PER_CORE]; MAX_CORES] =
    [const { [const { Lane::new() }; LANES_PER_CORE] }; MAX_CORES];

/// Allocates the rings of the first `cores` cores, once (at the first
/// `trace on`, so a boot that never traces keeps the memory).
pub fn init(cores: usize) {
    let heap = heap::stats();
    let free = (heap.claimed_bytes - heap.used_bytes) as u64;
    let fit = (free / 16 / cores as u64 / SLOT_BYTES as u64).max(1);
    let task = (1 << fit.ilog2()).clamp(TASK_SLOTS.0, TASK_SLOTS.1);
    for [task_lane, irq_lane] in LANES.iter().take(cores) {
        // Only the shell core allocates, so Relaxed sees its own stores.
        if task_lane.slots.load(Ordering::Relaxed).is_null() {
            task_lane.allocate(task);
            irq_lane.allocate(IRQ_SLOTS);
        }
    }
}

/// Slots of each core's task lane (0 before the first `trace on`).
pub fn task_capacity() -> u64 {
    LANES[0][0].capacity.load(Ordering::Relaxed)
}

/// The calling core's lane for the current context, and which it is (0
/// task, 1 interrupts off).
#[inline]
pub fn current() -> (usize, usize, &'static Lane) {
    let core = cpu::core_index();
    let context = usize::from(!cpu::interrupts_enabled());
    (core, context, &LANES[core][context])
}

/// Core `core`'s lanes.
pub fn of(core: usize) -> &'static [Lane; LANES_PER_CORE] {
    &LANES[core]
}
