//! A single-writer ring of 64-byte slots (raw records), read by one
//! consumer that may hold on to what it read (lend it to a device) and
//! release it later. The kernel gives each core's lane one. No RMW atomics.

use core::sync::atomic::{AtomicPtr, AtomicU64, Ordering};

use crate::raw::{SLOT_BYTES, SLOT_WORDS, Slot};

/// A ring over memory attached once ([`SlotRing::attach`]); empty and
/// refusing every record before that.
///
/// Positions are free-running slot counts (`u64`, never wrap in practice):
/// `head` is written only by the writer, `tail` only by the consumer. Slots
/// of positions `tail..head` belong to the consumer, the rest to the writer.
pub struct SlotRing {
    /// The slots; null before `attach`. Slot `i % capacity` holds position `i`.
    slots: AtomicPtr<Slot>,
    /// Slots in the ring (a power of two), stored before `slots` (Release)
    /// and read after loading it (Acquire).
    capacity: AtomicU64,
    /// Positions written. The writer stores it (Release) after the slots;
    /// the consumer loads it (Acquire) before reading them.
    head: AtomicU64,
    /// Positions released. The consumer stores it (Release) once done with
    /// the slots; the writer loads it (Acquire) before overwriting them.
    tail: AtomicU64,
}

impl Default for SlotRing {
    fn default() -> Self {
        Self::new()
    }
}

impl SlotRing {
    /// A ring with no memory yet.
    pub const fn new() -> Self {
        SlotRing {
            slots: AtomicPtr::new(core::ptr::null_mut()),
            capacity: AtomicU64::new(0),
            head: AtomicU64::new(0),
            tail: AtomicU64::new(0),
        }
    }

    /// Gives the ring its memory (a power of two of slots), once, before
    /// the writer's first record; false (and nothing changes) if it already
    /// has memory or the length is not a power of two.
    pub fn attach(&self, memory: &'static mut [Slot]) -> bool {
        if self.is_attached() || !memory.len().is_power_of_two() {
            return false;
        }
        self.capacity.store(memory.len() as u64, Ordering::Relaxed); // published below
        // Release pairs with the Acquire loads in `write` and `runs`.
        self.slots.store(memory.as_mut_ptr(), Ordering::Release);
        true
    }

    /// Whether the ring has memory.
    pub fn is_attached(&self) -> bool {
        !self.slots.load(Ordering::Acquire).is_null() // Release: attach
    }

    /// Slots in the ring (0 before `attach`).
    pub fn capacity(&self) -> u64 {
        self.capacity.load(Ordering::Relaxed)
    }

    /// Appends a record of whole slots (`words.len()` a multiple of 8), or
    /// returns false when there is no room. Only the ring's one writer may
    /// call this.
    #[inline]
    pub fn write(&self, words: &[u64]) -> bool {
        // Acquire pairs with the Release store in `attach`.
        let slots = self.slots.load(Ordering::Acquire);
        let count = (words.len() / SLOT_WORDS) as u64;
        let capacity = self.capacity.load(Ordering::Relaxed); // stored before `slots`
        let head = self.head.load(Ordering::Relaxed); // our own index
        // Acquire pairs with the consumer's Release store of `tail`: it is
        // done with the slots before it, so we may overwrite them.
        let tail = self.tail.load(Ordering::Acquire);
        if slots.is_null() || head + count > tail + capacity {
            return false;
        }
        for (i, slot) in words.chunks_exact(SLOT_WORDS).enumerate() {
            let at = ((head + i as u64) & (capacity - 1)) as usize;
            // SAFETY: `at` < capacity, the memory's length; positions
            // head..head+count are free (checked above) and ours until the
            // Release store below hands them to the consumer.
            unsafe {
                slots
                    .add(at)
                    .cast::<u64>()
                    .copy_from_nonoverlapping(slot.as_ptr(), SLOT_WORDS)
            };
        }
        // Release pairs with the consumer's Acquire load in `head`.
        self.head.store(head + count, Ordering::Release);
        true
    }

    /// Positions written so far (a snapshot, for the consumer).
    pub fn head(&self) -> u64 {
        // Acquire pairs with the writer's Release store in `write`.
        self.head.load(Ordering::Acquire)
    }

    /// Positions released so far.
    pub fn tail(&self) -> u64 {
        // Acquire pairs with the consumer's Release store in `release_to`
        // (a reader other than the consumer sees a count no older than it).
        self.tail.load(Ordering::Acquire)
    }

    /// The consumer is done with every slot before `tail`: the writer may
    /// reuse them. Only the consumer calls this, with a position it has
    /// seen in `head`.
    pub fn release_to(&self, tail: u64) {
        // Release pairs with the writer's Acquire load in `write`.
        self.tail.store(tail, Ordering::Release);
    }

    /// The slots of positions `from..to` as one or two byte runs (the ring
    /// wraps). Only the consumer calls this, for positions it has seen in
    /// `head` and not released; they stay valid until it releases them.
    pub fn runs(&self, from: u64, to: u64) -> [&[u8]; 2] {
        let base = self.slots.load(Ordering::Acquire).cast::<u8>(); // Release: attach
        let capacity = self.capacity.load(Ordering::Relaxed);
        if base.is_null() || from >= to {
            return [&[], &[]];
        }
        let start = (from & (capacity - 1)) as usize;
        let first = ((to - from) as usize).min(capacity as usize - start);
        let second = (to - from) as usize - first;
        // SAFETY: both runs lie inside the memory (start + first <=
        // capacity, second < capacity); positions from..to were published
        // by the writer (Acquire in `head`) and it does not overwrite them
        // before `release_to` passes them.
        unsafe {
            [
                core::slice::from_raw_parts(base.add(start * SLOT_BYTES), first * SLOT_BYTES),
                core::slice::from_raw_parts(base, second * SLOT_BYTES),
            ]
        }
    }

    /// Slots written and not yet released (a snapshot).
    pub fn buffered(&self) -> u64 {
        let tail = self.tail(); // first, so head - tail cannot underflow
        self.head() - tail
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use std::boxed::Box;
    use std::sync::Arc;
    use std::vec::Vec;

    use super::*;

    fn ring(slots: usize) -> SlotRing {
        let ring = SlotRing::new();
        assert!(ring.attach(Box::leak(
            std::vec![[0; SLOT_WORDS]; slots].into_boxed_slice()
        )));
        ring
    }

    #[test]
    fn a_record_that_does_not_fit_is_refused_whole_and_fits_after_release() {
        let ring = ring(4);
        assert!(!SlotRing::new().write(&[0; 8]), "no memory: refused");
        assert!(ring.write(&[7; 16]));
        assert!(ring.write(&[8; 16]));
        assert!(!ring.write(&[9; 8]), "full");
        let [first, second] = ring.runs(0, 4);
        assert_eq!((first.len(), second.len()), (256, 0));
        ring.release_to(2);
        assert!(ring.write(&[9; 16]), "across the wrap");
        let [first, second] = ring.runs(2, 6);
        assert_eq!((first.len(), second.len()), (128, 128));
        assert_eq!(second[0], 9);
        assert_eq!(ring.buffered(), 4);
    }

    /// A writer thread pushes numbered records of one or two slots through
    /// a small ring (wrapping it thousands of times); the consumer checks
    /// every word, holds what it read for a while, then releases it. A wrong
    /// ordering shows up as torn or stale records.
    #[test]
    fn threads_move_200_000_records_intact() {
        const RECORDS: u64 = 200_000;
        let ring = Arc::new(ring(64));
        let writer = {
            let ring = Arc::clone(&ring);
            std::thread::spawn(move || {
                for n in 0..RECORDS {
                    let words = record(n);
                    while !ring.write(&words) {
                        std::hint::spin_loop();
                    }
                }
            })
        };
        let (mut next, mut read, mut pending) = (0, 0, Vec::new());
        while next < RECORDS {
            let head = ring.head();
            let [a, b] = ring.runs(read, head);
            let words: Vec<u64> = a
                .chunks_exact(8)
                .chain(b.chunks_exact(8))
                .map(|w| u64::from_le_bytes(w.try_into().unwrap()))
                .collect();
            let mut at = 0;
            while at < words.len() {
                let expected = record(next);
                assert_eq!(
                    &words[at..at + expected.len()],
                    expected.as_slice(),
                    "record {next}"
                );
                at += expected.len();
                next += 1;
            }
            read = head;
            pending.push(head);
            if pending.len() > 3 {
                ring.release_to(pending.remove(0));
            }
        }
        writer.join().unwrap();
    }

    /// Record `n`: one slot for even `n`, two for odd, every word from `n`.
    fn record(n: u64) -> Vec<u64> {
        let slots = 1 + (n % 2) as usize;
        (0..slots * SLOT_WORDS).map(|i| n * 16 + i as u64).collect()
    }
}
