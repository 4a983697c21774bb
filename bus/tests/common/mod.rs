//! Helpers shared by the bus's integration tests: checkable message contents,
//! message-size mixes, and a spin policy kind to a shared machine (the seeded
//! RNG is `testkit`'s).
#![allow(dead_code)]

use bus::Spin;
pub use testkit::Rng;

/// Byte `i` of message number `seq`: differs by message and by position, so
/// a misplaced, repeated or stale fragment shows up.
pub fn byte(seq: u64, i: usize) -> u8 {
    (seq.wrapping_mul(31)
        .wrapping_add(i as u64)
        .wrapping_add((i >> 8) as u64 * 7)) as u8
}

/// Fills `buf` as message `seq`.
pub fn fill(seq: u64, buf: &mut [u8]) {
    for (i, b) in buf.iter_mut().enumerate() {
        *b = byte(seq, i);
    }
}

/// Message `seq` of `len` bytes.
pub fn message(seq: u64, len: usize) -> Vec<u8> {
    let mut v = vec![0; len];
    fill(seq, &mut v);
    v
}

/// Panics unless `buf` is exactly message `seq`.
pub fn check(seq: u64, buf: &[u8]) {
    if let Some(i) = buf.iter().enumerate().position(|(i, &b)| b != byte(seq, i)) {
        panic!("message {seq} ({} bytes) differs at byte {i}", buf.len());
    }
}

/// Random bytes from which every message is a slice: message `seq` of `len`
/// bytes starts at an offset picked by `seq`, so neighbours differ, and a
/// check is one slice comparison (fast even in debug builds).
pub struct Pool(Vec<u8>);

impl Pool {
    /// A pool for messages up to `max` bytes, filled from `seed`.
    pub fn new(seed: u64, max: usize) -> Self {
        let mut rng = Rng::new(seed);
        Self((0..max + 4096).map(|_| rng.next_u64() as u8).collect())
    }

    /// Message `seq` of `len` bytes.
    pub fn msg(&self, seq: u64, len: usize) -> &[u8] {
        let off = (seq.wrapping_mul(7919) % 4096) as usize;
        &self.0[off..off + len]
    }
}

/// A message length: mostly small (one buffer or two), one in 64 anywhere up
/// to `max`. Keeps the byte count of a 200,000-message run modest while still
/// streaming many maximum-size messages.
pub fn mixed_len(rng: &mut Rng, max: usize) -> usize {
    if rng.upto(63) == 0 {
        rng.upto(max)
    } else {
        rng.upto(1500.min(max))
    }
}

/// Spins briefly, then yields the CPU: the test machine has two shared cores,
/// and two threads that only spin could starve each other of a core.
#[derive(Default)]
pub struct Polite(u32);

impl Spin for Polite {
    fn keep_waiting(&mut self) -> bool {
        self.0 += 1;
        if self.0.is_multiple_of(64) {
            std::thread::yield_now();
        } else {
            std::hint::spin_loop();
        }
        true
    }
}
