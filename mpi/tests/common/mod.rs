//! Shared by the host tests: a thread transport (one mutex-guarded FIFO per
//! ordered pair of cores), a harness running one rank per thread, a seeded RNG.
#![allow(dead_code)]

pub mod reference;

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mpi::{Mpi, Transport, TransportError};

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

/// How long a harness run may take before every rank is aborted.
pub const WATCHDOG: Duration = Duration::from_secs(60);

/// What a rank's body returns: `Err` names the failed combination.
pub type RankResult<R> = Result<R, String>;

/// Runs `body` as every core of a fresh fabric, one thread per core, and
/// returns the results in core order. The first failure (an `Err` or a
/// panic) aborts every other rank through the abort check, so nothing
/// hangs, and is what the test reports.
pub fn run_ranks<R: Send>(
    cores: usize,
    max: usize,
    cap: usize,
    body: impl Fn(&mut Mpi<Port>) -> RankResult<R> + Sync,
) -> Vec<R> {
    let fabric = Fabric::new(cores, max, cap);
    run_on(&fabric, body)
}

/// [`run_ranks`] on a given fabric.
pub fn run_on<R: Send>(
    fabric: &Arc<Fabric>,
    body: impl Fn(&mut Mpi<Port>) -> RankResult<R> + Sync,
) -> Vec<R> {
    // Relaxed loads and stores: a stop flag, no data is published through
    // it (the first failure's text goes through the `first` mutex).
    let failed = Arc::new(AtomicBool::new(false));
    let first: Mutex<Option<String>> = Mutex::new(None);
    let start = Instant::now();
    let results: Vec<Option<R>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..fabric.cores)
            .map(|core| {
                let (failed, first, body, fabric) = (Arc::clone(&failed), &first, &body, fabric);
                s.spawn(move || {
                    let flag = Arc::clone(&failed);
                    let mut mpi = Mpi::new(fabric.port(core)).unwrap().with_abort(move || {
                        flag.load(Ordering::Relaxed) || start.elapsed() > WATCHDOG
                    });
                    let outcome = match catch_unwind(AssertUnwindSafe(|| body(&mut mpi))) {
                        Ok(result) => result,
                        Err(panic) => Err(panic_text(&*panic)),
                    };
                    outcome
                        .map_err(|msg| {
                            let mut first = first.lock().unwrap();
                            if first.is_none() {
                                *first = Some(format!("core {core}: {msg}"));
                            }
                            failed.store(true, Ordering::Relaxed);
                        })
                        .ok()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    if let Some(msg) = first.into_inner().unwrap() {
        let late = if start.elapsed() > WATCHDOG {
            " (watchdog fired: a rank hung)"
        } else {
            ""
        };
        panic!("{msg}{late}");
    }
    results.into_iter().map(Option::unwrap).collect()
}

/// A panic payload as text.
fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    match (panic.downcast_ref::<&str>(), panic.downcast_ref::<String>()) {
        (Some(s), _) => format!("panicked: {s}"),
        (_, Some(s)) => format!("panicked: {s}"),
        _ => "panicked".to_string(),
    }
}

/// SplitMix64: small, seeded, the same on every rank.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// SplitMix64's finaliser: a hash of one word.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A vector length for one case: mostly small, with 0 and 1 common, some
/// hundreds (several fragments over a 1 KiB transport).
pub fn random_len(rng: &mut Rng) -> usize {
    match rng.below(10) {
        0 => 0,
        1 => 1,
        2..=7 => 2 + rng.below(62),
        _ => 64 + rng.below(600),
    }
}
