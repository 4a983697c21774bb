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
    /// Slots in the ring (a power of two), 0 before `attach`. Stored after
    /// `slots` (Release) and loaded before it (Acquire), so whoever sees a
    /// capacity sees the memory; and a capacity of 0 leaves no room (the
    /// writer's check `head + count > tail + capacity` holds with
    /// `head == tail == 0`), so the writer needs no null check.
    capacity: AtomicU64,
    /// Positions written. The writer stores it (Release) after the slots;
    /// the consumer loads it (Acquire) before reading them.
    head: AtomicU64,
    /// Positions released. The consumer stores it (Release) once done with
    /// the slots; the writer loads it (Acquire) before overwriting them.
    tail: AtomicU64,
}

/// Room the writer found: positions from `head` on, up to the count it
/// asked [`SlotRing::free`] for, are its own until it publishes them.
struct Free {
    /// The ring's memory (non-null).
    slots: *mut Slot,
    /// Capacity minus one (capacity is a power of two).
    mask: u64,
    /// The first free position.
    head: u64,
}

impl Free {
    /// The slot of position `head + offset`.
    ///
    /// # Safety
    /// `offset` is below the count `free` was asked for, and the caller
    /// holds no other borrow of that slot.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    unsafe fn slot(&self, offset: u64) -> &mut Slot {
        let at = ((self.head + offset) & self.mask) as usize;
        // SAFETY: `at` <= mask < capacity, the memory's length; the position
        // is free (checked in `free`) and the writer's until it publishes.
        unsafe { &mut *self.slots.add(at) }
    }
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
        self.slots.store(memory.as_mut_ptr(), Ordering::Relaxed); // published below
        // Release pairs with the Acquire loads in `free`, `runs` and
        // `is_attached`: whoever sees the capacity sees the memory.
        self.capacity.store(memory.len() as u64, Ordering::Release);
        true
    }

    /// Whether the ring has memory.
    pub fn is_attached(&self) -> bool {
        self.capacity.load(Ordering::Acquire) != 0 // Release: attach
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
        let count = (words.len() / SLOT_WORDS) as u64;
        let Some(free) = self.free(count) else {
            return false;
        };
        for (i, slot) in words.chunks_exact(SLOT_WORDS).enumerate() {
            // SAFETY: `free` lends us positions head..head+count alone.
            unsafe { free.slot(i as u64) }.copy_from_slice(slot);
        }
        self.publish(free.head + count);
        true
    }

    /// Appends a record of one slot, or two when `two`, that `fill` writes
    /// in place (given the head slot and, when `two`, the one after it,
    /// which may be across the wrap); returns false (and does not call
    /// `fill`) when there is no room. Only the ring's one writer may call
    /// this.
    #[inline(always)]
    pub fn write_in_place(
        &self,
        two: bool,
        fill: impl FnOnce(&mut Slot, Option<&mut Slot>),
    ) -> bool {
        let count = 1 + u64::from(two);
        let Some(free) = self.free(count) else {
            return false;
        };
        // SAFETY: `free` lends us positions head..head+count alone; the two
        // positions are distinct slots (capacity >= 2 when two fit).
        let (head, extension) = unsafe { (free.slot(0), two.then(|| free.slot(1))) };
        fill(head, extension);
        self.publish(free.head + count);
        true
    }

    /// The writer's room for `count` more slots, if there is that much.
    #[inline(always)]
    fn free(&self, count: u64) -> Option<Free> {
        // Acquire pairs with the Release store in `attach`: a nonzero
        // capacity comes with the memory (see `capacity`).
        let capacity = self.capacity.load(Ordering::Acquire);
        let head = self.head.load(Ordering::Relaxed); // our own index
        // Acquire pairs with the consumer's Release store of `tail`: it is
        // done with the slots before it, so we may overwrite them.
        let tail = self.tail.load(Ordering::Acquire);
        if head + count > tail + capacity {
            return None; // full, or no memory yet (capacity 0)
        }
        // Relaxed: stored before the capacity just acquired.
        let slots = self.slots.load(Ordering::Relaxed);
        debug_assert!(!slots.is_null(), "a capacity without memory");
        Some(Free {
            slots,
            mask: capacity - 1,
            head,
        })
    }

    /// Hands positions before `head` to the consumer.
    #[inline(always)]
    fn publish(&self, head: u64) {
        // Release pairs with the consumer's Acquire load in `head`.
        self.head.store(head, Ordering::Release);
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
        let capacity = self.capacity.load(Ordering::Acquire); // Release: attach
        if capacity == 0 || from >= to {
            return [&[], &[]];
        }
        // Relaxed: stored before the capacity just acquired.
        let base = self.slots.load(Ordering::Relaxed).cast::<u8>();
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

    #[test]
    fn a_record_written_in_place_lands_whole_even_across_the_wrap() {
        let ring = ring(4);
        assert!(!SlotRing::new().write_in_place(false, |_, _| unreachable!()));
        assert!(ring.write(&[1; 24]));
        ring.release_to(3);
        let fill = |slot: &mut Slot, extension: Option<&mut Slot>| {
            slot.fill(5);
            extension.expect("two slots asked for").fill(6);
        };
        assert!(
            ring.write_in_place(true, fill),
            "positions 3 and 4: slots 3 and 0"
        );
        let [first, second] = ring.runs(3, 5);
        assert_eq!((first.len(), second.len()), (64, 64));
        assert_eq!((first[0], second[0]), (5, 6));
        assert!(ring.write_in_place(false, |slot, extension| {
            assert!(extension.is_none());
            slot.fill(7);
        }));
        assert!(
            !ring.write_in_place(true, |_, _| unreachable!()),
            "one slot left"
        );
        assert_eq!(ring.buffered(), 3);
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
