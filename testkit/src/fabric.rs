//! The host stand-in for `bus`: one mutex-guarded FIFO per ordered pair of
//! cores, with a per-pair capacity so "queue full" paths are exercised.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use mpi::{Transport, TransportError};

/// Every queue between `cores` cores: queue (src, dst) at `src * cores + dst`.
pub struct Fabric {
    cores: usize,
    max: usize,
    /// Messages a queue holds before `try_send` says "no room".
    cap: usize,
    /// One lock per queue, held for a single push or pop and never two at once.
    queues: Vec<Mutex<VecDeque<Vec<u8>>>>,
    /// Frames accepted by `try_send`, all queues. Relaxed: a statistic read
    /// after the threads are joined (the join orders it), no partner.
    pub frames: AtomicU64,
}

impl Fabric {
    /// A fabric of `cores` cores, messages of at most `max` bytes, at most
    /// `cap` messages queued per pair.
    pub fn new(cores: usize, max: usize, cap: usize) -> Arc<Self> {
        let queues = (0..cores * cores)
            .map(|_| Mutex::new(VecDeque::new()))
            .collect();
        Arc::new(Self {
            cores,
            max,
            cap,
            queues,
            frames: AtomicU64::new(0),
        })
    }

    /// How many cores the fabric connects.
    pub fn cores(&self) -> usize {
        self.cores
    }

    /// Core `core`'s end.
    pub fn port(self: &Arc<Self>, core: usize) -> Port {
        Port {
            fabric: Arc::clone(self),
            core,
            next_src: 0,
        }
    }

    /// Puts a raw frame on queue (src, dst), as a broken sender would.
    pub fn inject(&self, src: usize, dst: usize, frame: Vec<u8>) {
        self.queues[src * self.cores + dst]
            .lock()
            .unwrap()
            .push_back(frame);
    }

    /// Messages queued from `src` to `dst` right now.
    pub fn queued(&self, src: usize, dst: usize) -> usize {
        self.queues[src * self.cores + dst].lock().unwrap().len()
    }
}

/// One core's end of a [`Fabric`]: the host stand-in for `bus::Endpoint`.
pub struct Port {
    fabric: Arc<Fabric>,
    core: usize,
    next_src: usize,
}

impl Transport for Port {
    fn core(&self) -> usize {
        self.core
    }

    fn cores(&self) -> usize {
        self.fabric.cores
    }

    fn max_message(&self) -> usize {
        self.fabric.max
    }

    fn try_send(&mut self, dst: usize, msg: &[u8]) -> Result<bool, TransportError> {
        if dst >= self.fabric.cores || dst == self.core || msg.len() > self.fabric.max {
            return Err(TransportError::with(dst, "bad send"));
        }
        let mut q = self.fabric.queues[self.core * self.fabric.cores + dst]
            .lock()
            .unwrap();
        if q.len() >= self.fabric.cap {
            return Ok(false);
        }
        q.push_back(msg.to_vec());
        self.fabric.frames.fetch_add(1, Ordering::Relaxed);
        Ok(true)
    }

    fn try_recv(&mut self, buf: &mut [u8]) -> Result<Option<(usize, usize)>, TransportError> {
        let n = self.fabric.cores;
        for k in 0..n {
            let src = (self.next_src + k) % n;
            let popped = self.fabric.queues[src * n + self.core]
                .lock()
                .unwrap()
                .pop_front();
            if let Some(msg) = popped {
                buf[..msg.len()].copy_from_slice(&msg);
                self.next_src = (src + 1) % n;
                return Ok(Some((src, msg.len())));
            }
        }
        Ok(None)
    }

    fn pause(&mut self) {
        std::thread::yield_now();
    }
}
