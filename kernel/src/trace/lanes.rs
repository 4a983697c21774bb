//! Each core's trace rings: one per context (task, and interrupt handler),
//! of fixed 64-byte raw records written with plain stores by that core
//! alone, and read by the drain. Also the counters `trace status` prints.
//!
//! Keeping an interrupt's record apart: the context is the core's trap
//! depth (`cpu::trap_depth`, kept by the arch's trap entry). Code outside
//! any trap (depth 0) writes the task lane, whether interrupts are enabled
//! or not; a handler (depth 1 or more) writes the interrupt lane. A trap
//! only ever interrupts code of a smaller depth, so a handler never breaks
//! into a record of its own lane: it can break into a task-lane record, but
//! writes elsewhere. And nothing breaks into a handler's record: interrupt
//! handlers run with interrupts disabled and never enable them, and an
//! exception comes only from the instruction that raises it (a fault,
//! `int3`), which the record path has none of. So each lane has
//! exactly one writer at any time, without masking, locks or
//! read-modify-write. Task code that disables interrupts (a lock taken with
//! them off) stays at depth 0 and on the task lane: nothing can break in.

use alloc::boxed::Box;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicU64, Ordering};

use trace_wire::SlotRing;
use trace_wire::raw::{Integers, Narrow, RawKind, RawRecord, SLOT_BYTES, SLOT_WORDS};

use super::owned::LaneState;
use crate::arch::cpu;
use crate::cores::MAX_CORES;
use crate::heap;

/// Slots of a core's task lane: at least 256 KiB, at most 4 MiB (32,768
/// two-slot bus events), as a sixteenth of free memory allows.
const TASK_SLOTS: (u64, u64) = (4096, 65536);
/// Slots of a core's interrupt lane (interrupt handlers trace little).
const IRQ_SLOTS: u64 = 512;
/// Lanes per core: task, then interrupt handler.
pub const LANES_PER_CORE: usize = 2;
/// Index of a core's interrupt-handler lane.
pub const HANDLER_LANE: usize = 1;

/// One ring of raw records with one writer (see the module docs).
pub struct Lane {
    /// The records. Writer: the lane's core in its context; consumer: the
    /// drain (and the device it lends the slots to).
    pub ring: SlotRing,
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
#[inline(always)]
pub fn bump(counter: &AtomicU64) {
    // Relaxed: a statistic; one writer, so no increment is lost.
    counter.store(counter.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
}

// SAFETY: `state` is touched by the lane's one writer only (module docs);
// the ring and counters are Sync themselves.
unsafe impl Sync for Lane {}

impl Lane {
    const fn new() -> Self {
        Lane {
            ring: SlotRing::new(),
            counts: Counts::new(),
            state: UnsafeCell::new(LaneState::new()),
        }
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

    /// Copies `record` (of `kind`) into the ring and counts it, or counts
    /// it as dropped when the ring is full. The lane's writer only.
    #[inline]
    pub fn write(&self, record: &RawRecord, kind: RawKind) {
        self.count(self.ring.write(record.slots()), kind);
    }

    /// Writes the integer record `record`, of `kind` (its layout's), straight
    /// into the ring (no copy) and counts it, or counts it as dropped when
    /// the ring is full. The lane's writer only.
    #[inline(always)]
    pub fn write_integers(&self, record: &Integers<'_>, kind: RawKind) {
        let written = self
            .ring
            .write_in_place(record.needs_extension(), |slot, extension| {
                record.write(slot, extension);
            });
        self.count(written, kind);
    }

    /// Writes the narrow record `record()` makes, of `kind`, as
    /// `write_integers` does: one slot, in place. `record` runs only once
    /// the slot is reserved, so what it reads (the clock, the span) is
    /// not held in registers across the reservation, and not read at all
    /// when the ring is full.
    #[inline(always)]
    pub fn write_narrow(&self, kind: RawKind, record: impl FnOnce() -> Narrow) {
        let written = self
            .ring
            .write_in_place(false, |slot, _| record().write(slot));
        self.count(written, kind);
    }

    /// Counts a record of `kind` as written, or as dropped. A `kind` known
    /// where this is inlined picks its counter without a branch.
    #[inline(always)]
    fn count(&self, written: bool, kind: RawKind) {
        bump(match kind {
            _ if !written => &self.counts.dropped,
            RawKind::Event => &self.counts.events,
            RawKind::SpanNew => &self.counts.spans,
            _ => &self.counts.marks,
        });
    }

    /// Slots written and not yet released (for `trace status`).
    pub fn buffered(&self) -> u64 {
        self.ring.buffered()
    }

    fn allocate(&self, capacity: u64) {
        let slots = alloc::vec![[0u64; SLOT_WORDS]; capacity as usize].into_boxed_slice();
        let _ = self.ring.attach(Box::leak(slots)); // only the shell core attaches, once
    }
}

/// Every core's lanes: `[task, interrupt handler]`.
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
        if !task_lane.ring.is_attached() {
            task_lane.allocate(task);
            irq_lane.allocate(IRQ_SLOTS);
        }
    }
}

/// Slots of each core's task lane (0 before the first `trace on`).
pub fn task_capacity() -> u64 {
    LANES[0][0].ring.capacity()
}

/// The calling core's lane for the current context, and which it is (0
/// task, 1 interrupt handler): two loads from the core's GS block, no
/// branch.
#[inline(always)]
pub fn current() -> (usize, usize, &'static Lane) {
    // A core index is below MAX_CORES (a power of two), so the mask changes
    // nothing; it only spares the bounds check its branch.
    const _: () = assert!(MAX_CORES.is_power_of_two());
    let core = cpu::core_index() & (MAX_CORES - 1);
    let context = if cpu::trap_depth() != 0 {
        HANDLER_LANE
    } else {
        0
    };
    (core, context, &LANES[core][context])
}

/// Core `core`'s lanes.
pub fn of(core: usize) -> &'static [Lane; LANES_PER_CORE] {
    &LANES[core]
}
