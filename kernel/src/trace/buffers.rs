//! Each core's trace buffer and counters. A core writes whole frames into
//! its own ring (lock-free, `trace_wire::FrameRing`); the shell core drains
//! them. A full ring counts the frames it refuses and, as soon as there is
//! room, writes a `Dropped` record first: a loss is never silent.

use core::sync::atomic::{AtomicU64, Ordering};

use arrayvec::ArrayVec;
use spin::Mutex;
use trace_wire::{Dropped, EncodeError, FrameRing, MAX_FRAME, Record, RecordRef, encode_frame};

use crate::arch::cpu;
use crate::cores::MAX_CORES;

/// Bytes of buffer per core.
pub const RING_BYTES: usize = 64 * 1024;
/// Deepest span nesting tracked per core.
const MAX_DEPTH: usize = 32;

/// One core's tracing state. The ring's producer and `pending_drops` belong
/// to the core itself; the counters are read by `trace status`.
pub struct CoreBuffer {
    /// Frames on their way to COM2. Producer: this core; consumer: core 0.
    pub ring: FrameRing<RING_BYTES>,
    /// Frames refused since the last `Dropped` record made it in.
    pending_drops: AtomicU64,
    /// Records written, bytes written, records dropped (totals).
    pub written: AtomicU64,
    /// Bytes written to the ring.
    pub bytes: AtomicU64,
    /// Records dropped.
    pub dropped: AtomicU64,
    /// Spans this core is inside, innermost last. Lock rule: only this core
    /// takes it (uncontended; it exists to hand out `&mut` soundly).
    pub spans: Mutex<ArrayVec<u64, MAX_DEPTH>>,
}

/// Every core's buffer.
pub static BUFFERS: [CoreBuffer; MAX_CORES] = [const {
    CoreBuffer {
        ring: FrameRing::new(),
        pending_drops: AtomicU64::new(0),
        written: AtomicU64::new(0),
        bytes: AtomicU64::new(0),
        dropped: AtomicU64::new(0),
        spans: Mutex::new(ArrayVec::new_const()),
    }
}; MAX_CORES];

/// Encodes `record` and appends it to the calling core's buffer.
pub fn emit(core: usize, ts_ns: u64, record: &RecordRef<'_>) {
    // Most frames are well under 128 bytes: try a small buffer first, so
    // the common case does not clear a whole MAX_FRAME on the stack.
    let mut small = [0u8; 128];
    match encode_frame(record, &mut small) {
        Ok(frame) => return emit_frame(core, ts_ns, frame),
        Err(EncodeError::BufferFull) => {}
        Err(_) => return count_unencodable(core),
    }
    let mut large = [0u8; MAX_FRAME];
    match encode_frame(record, &mut large) {
        Ok(frame) => emit_frame(core, ts_ns, frame),
        Err(_) => count_unencodable(core),
    }
}

/// A record that cannot be framed (longer than MAX_FRAME) counts as dropped.
fn count_unencodable(core: usize) {
    BUFFERS[core].dropped.fetch_add(1, Ordering::Relaxed);
    BUFFERS[core].pending_drops.fetch_add(1, Ordering::Relaxed);
}

fn emit_frame(core: usize, ts_ns: u64, frame: &[u8]) {
    // Interrupts off: nothing else on this core may push between our two
    // pushes (the ring has one producer: this core).
    cpu::without_interrupts(|| push(core, ts_ns, frame));
}

fn push(core: usize, ts_ns: u64, frame: &[u8]) {
    let buffer = &BUFFERS[core];
    let pending = buffer.pending_drops.load(Ordering::Relaxed);
    if pending > 0 && !push_dropped(core, ts_ns, pending) {
        buffer.pending_drops.store(pending + 1, Ordering::Relaxed);
        buffer.dropped.fetch_add(1, Ordering::Relaxed);
        return;
    }
    if buffer.ring.push(frame) {
        buffer.written.fetch_add(1, Ordering::Relaxed);
        buffer
            .bytes
            .fetch_add(frame.len() as u64, Ordering::Relaxed);
    } else {
        buffer.pending_drops.store(1, Ordering::Relaxed);
        buffer.dropped.fetch_add(1, Ordering::Relaxed);
    }
}

/// Writes `Dropped { count }`; true (and the count reset) if it fitted.
fn push_dropped(core: usize, ts_ns: u64, count: u64) -> bool {
    let record: RecordRef<'_> = Record::Dropped(Dropped {
        core: core as u16,
        ts_ns,
        count,
    });
    let mut frame = [0u8; 64];
    let Ok(frame) = encode_frame(&record, &mut frame) else {
        return false;
    };
    let buffer = &BUFFERS[core];
    if !buffer.ring.push(frame) {
        return false;
    }
    buffer.pending_drops.store(0, Ordering::Relaxed);
    buffer
        .bytes
        .fetch_add(frame.len() as u64, Ordering::Relaxed);
    true
}
