//! The producer side's buffer: a single-producer single-consumer ring of
//! whole frames. The kernel gives each core one; the core pushes frames, the
//! drainer (the shell core) pops bytes to COM2. Lock-free, no RMW atomics.

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicU64, Ordering};

/// A ring of `N` bytes (a power of two) holding whole frames.
///
/// Indices are free-running byte counts (`u64`, never wrap in practice):
/// `head` is written only by the producer, `tail` only by the consumer.
/// Bytes `tail..head` belong to the consumer, the rest to the producer.
pub struct FrameRing<const N: usize> {
    /// Bytes pushed so far. Producer stores it (Release) after writing the
    /// frame's bytes; the consumer loads it (Acquire) before reading them.
    head: AtomicU64,
    /// Bytes popped so far. Consumer stores it (Release) after reading the
    /// bytes; the producer loads it (Acquire) before overwriting them.
    tail: AtomicU64,
    bytes: UnsafeCell<[u8; N]>,
}

// SAFETY: the bytes are shared between one producer and one consumer, and
// every byte is owned by exactly one side at a time, the hand-over being the
// Release/Acquire pairs on `head` and `tail` documented above. The caller
// keeps to one producer and one consumer (see `push` and `pop_into`).
unsafe impl<const N: usize> Sync for FrameRing<N> {}

impl<const N: usize> Default for FrameRing<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> FrameRing<N> {
    const CHECK: () = assert!(N.is_power_of_two(), "FrameRing size must be a power of two");

    /// An empty ring.
    pub const fn new() -> Self {
        let () = Self::CHECK;
        Self {
            head: AtomicU64::new(0),
            tail: AtomicU64::new(0),
            bytes: UnsafeCell::new([0; N]),
        }
    }

    /// Bytes waiting for the consumer (a snapshot).
    pub fn len(&self) -> usize {
        // Acquire pairs with the consumer's Release store of `tail` in
        // `pop_into`, and the next with the producer's Release store of
        // `head` in `push`; tail first, so head - tail cannot underflow.
        let tail = self.tail.load(Ordering::Acquire);
        (self.head.load(Ordering::Acquire) - tail) as usize
    }

    /// Whether nothing waits for the consumer (a snapshot).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends `frame` whole, or returns false (and changes nothing) when it
    /// does not fit. Only the ring's one producer may call this.
    pub fn push(&self, frame: &[u8]) -> bool {
        let head = self.head.load(Ordering::Relaxed); // our own index
        // Acquire pairs with the consumer's Release store of `tail`: the
        // bytes before it have been read, so we may overwrite them.
        let tail = self.tail.load(Ordering::Acquire);
        if N - ((head - tail) as usize) < frame.len() {
            return false;
        }
        let base = self.bytes.get().cast::<u8>();
        let start = head as usize & (N - 1);
        let first = frame.len().min(N - start); // up to the end of the array
        // SAFETY: start + first <= N and first + (len - first) <= N, and
        // positions head..head+len (these two stretches) are free by the
        // check above, so only this producer touches them until the Release
        // store below hands them to the consumer. `frame` is not in the ring.
        unsafe {
            core::ptr::copy_nonoverlapping(frame.as_ptr(), base.add(start), first);
            core::ptr::copy_nonoverlapping(frame.as_ptr().add(first), base, frame.len() - first);
        }
        // Release pairs with the consumer's Acquire load of `head`.
        self.head
            .store(head + frame.len() as u64, Ordering::Release);
        true
    }

    /// Moves up to `out.len()` waiting bytes into `out`; returns how many.
    /// Only the ring's one consumer may call this. Frames come out whole
    /// and in order, but one frame may span two calls.
    pub fn pop_into(&self, out: &mut [u8]) -> usize {
        let tail = self.tail.load(Ordering::Relaxed); // our own index
        // Acquire pairs with the producer's Release store of `head`: the
        // frame bytes before it are written.
        let head = self.head.load(Ordering::Acquire);
        let count = ((head - tail) as usize).min(out.len());
        let base = self.bytes.get().cast::<u8>();
        for (i, slot) in out[..count].iter_mut().enumerate() {
            let at = (tail as usize + i) & (N - 1);
            // SAFETY: `at` < N, and positions tail..head belong to the
            // consumer until the Release store below gives them back.
            *slot = unsafe { base.add(at).read() };
        }
        // Release pairs with the producer's Acquire load of `tail`.
        self.tail.store(tail + count as u64, Ordering::Release);
        count
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use std::sync::Arc;
    use std::vec::Vec;

    use super::*;

    #[test]
    fn frames_come_out_whole_and_in_order() {
        let ring = FrameRing::<16>::new();
        assert!(ring.push(b"abc") && ring.push(b"defgh"));
        let mut out = [0u8; 16];
        let n = ring.pop_into(&mut out);
        assert_eq!(&out[..n], b"abcdefgh");
        assert!(ring.is_empty());
    }

    #[test]
    fn a_frame_that_does_not_fit_is_refused_whole() {
        let ring = FrameRing::<8>::new();
        assert!(ring.push(b"12345"));
        assert!(!ring.push(b"6789"), "4 bytes do not fit in the 3 left");
        assert_eq!(ring.len(), 5);
        let mut out = [0u8; 2];
        assert_eq!(ring.pop_into(&mut out), 2);
        assert!(ring.push(b"6789"), "now they do, across the wrap");
        let mut rest = [0u8; 8];
        let n = ring.pop_into(&mut rest);
        assert_eq!(&rest[..n], b"3456789");
    }

    /// A producer thread pushes numbered frames of varying length through a
    /// small ring (wrapping it thousands of times); the consumer checks every
    /// byte. A wrong ordering (e.g. Relaxed on `head`) shows up as torn or
    /// stale frames on weakly ordered machines and under the optimiser.
    #[test]
    fn threads_move_100_000_frames_intact() {
        const FRAMES: u32 = 100_000;
        let ring = Arc::new(FrameRing::<256>::new());
        let producer = {
            let ring = Arc::clone(&ring);
            std::thread::spawn(move || {
                for n in 0..FRAMES {
                    let frame = frame_for(n);
                    while !ring.push(&frame) {
                        std::hint::spin_loop();
                    }
                }
            })
        };
        let mut stream = Vec::new();
        let mut out = [0u8; 64];
        let mut next = 0;
        while next < FRAMES {
            let n = ring.pop_into(&mut out);
            stream.extend_from_slice(&out[..n]);
            while let Some(len) = stream.first().map(|&l| usize::from(l)) {
                if stream.len() < len {
                    break;
                }
                assert_eq!(&stream[..len], frame_for(next).as_slice(), "frame {next}");
                stream.drain(..len);
                next += 1;
            }
        }
        producer.join().unwrap();
        assert!(ring.is_empty());
    }

    /// Frame `n`: its length byte (5..=40), then bytes derived from `n`.
    fn frame_for(n: u32) -> Vec<u8> {
        let len = 5 + (n % 36) as usize;
        let mut frame = std::vec![0; len];
        frame[0] = len as u8;
        for (i, byte) in frame.iter_mut().enumerate().skip(1) {
            *byte = (n as usize + i) as u8;
        }
        frame
    }
}
