//! Bus configuration: the queue size and the buffer size, checked before any
//! memory is allocated.

use crate::error::ConfigError;
use crate::frag::HEADER_LEN;
use crate::spec::MAX_QUEUE_SIZE;

/// How every queue of a [`Bus`](crate::Bus) is sized.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// Entries per queue (descriptors, avail slots, used slots). A power of
    /// two from 1 to 32768, so `slot = idx & (size - 1)` stays right when the
    /// 16-bit index wraps (Toro's 10-entry `mod 10` queues do not).
    pub queue_size: u16,
    /// Bytes per buffer, a multiple of 64 from 64 to 1 MiB. Each buffer
    /// carries one fragment: an 8-byte header and up to `buf_size - 8` bytes.
    pub buf_size: u32,
}

impl Config {
    /// Default entries per queue.
    pub const DEFAULT_QUEUE_SIZE: u16 = 64;
    /// Default bytes per buffer.
    pub const DEFAULT_BUF_SIZE: u32 = 1024;
    /// Smallest buffer: one cache line.
    pub const MIN_BUF_SIZE: u32 = 64;
    /// Largest buffer.
    pub const MAX_BUF_SIZE: u32 = 1 << 20;
    /// Most cores a bus can serve (N×(N−1) queues are allocated up front).
    pub const MAX_CORES: usize = 256;

    /// A configuration with the given sizes (not yet checked).
    pub const fn new(queue_size: u16, buf_size: u32) -> Self {
        Self {
            queue_size,
            buf_size,
        }
    }

    /// Checks the sizes against the rules on the fields.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let q = self.queue_size;
        if q == 0 || q > MAX_QUEUE_SIZE || !q.is_power_of_two() {
            return Err(ConfigError::QueueSize(q));
        }
        let b = self.buf_size;
        if !(Self::MIN_BUF_SIZE..=Self::MAX_BUF_SIZE).contains(&b) || !b.is_multiple_of(64) {
            return Err(ConfigError::BufSize(b));
        }
        Ok(())
    }

    /// Message bytes one buffer carries (the buffer less the fragment header).
    pub const fn payload_per_buffer(&self) -> usize {
        self.buf_size as usize - HEADER_LEN
    }
}

impl Default for Config {
    fn default() -> Self {
        Self::new(Self::DEFAULT_QUEUE_SIZE, Self::DEFAULT_BUF_SIZE)
    }
}
