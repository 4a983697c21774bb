//! The bus: N×(N−1) queues made at boot, and the hand-out of one endpoint per
//! core, which is what guarantees one sender and one receiver per queue.

use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::config::Config;
use crate::endpoint::Endpoint;
use crate::error::{ConfigError, EndpointError};
use crate::event::{NoNotifier, Notifier};
use crate::queue::Queue;
use crate::sync::AtomicBool;
use crate::sync::Ordering::{Acquire, Relaxed, Release};

/// Every queue between N cores, allocated at creation (memory from `alloc`).
///
/// Create it once at boot, publish it to the other cores the usual way (a
/// `static` initialised once, whose Release/Acquire makes the queues'
/// initial contents visible), and have each core take its [`Endpoint`].
/// Memory: per queue, `queue_size × buf_size` bytes of buffers plus
/// `26 × queue_size` bytes of rings and descriptors (about 66 KiB with the
/// defaults; 12 queues for 4 cores).
pub struct Bus {
    cores: usize,
    config: Config,
    /// Queue (src, dst) is at `src × (cores − 1) + (dst − [dst > src])`.
    queues: Box<[Queue]>,
    /// `taken[core]`: core's endpoint is out. Set by `endpoint`, cleared by
    /// the endpoint's `Drop`.
    taken: Box<[AtomicBool]>,
}

impl Bus {
    /// A bus for `cores` cores, every queue sized by `config`, every buffer
    /// already posted by its receiver.
    pub fn new(cores: usize, config: Config) -> Result<Self, ConfigError> {
        config.validate()?;
        if cores == 0 || cores > Config::MAX_CORES {
            return Err(ConfigError::Cores(cores));
        }
        let mut queues = Vec::with_capacity(cores * (cores - 1));
        for src in 0..cores {
            for dst in (0..cores).filter(|&d| d != src) {
                queues.push(Queue::new(src, dst, config));
            }
        }
        let taken: Vec<AtomicBool> = (0..cores).map(|_| AtomicBool::new(false)).collect();
        Ok(Self {
            cores,
            config,
            queues: queues.into_boxed_slice(),
            taken: taken.into_boxed_slice(),
        })
    }

    /// The same bus, able to notify: in notify mode ([`Self::set_notify`])
    /// a side that waits asks to be woken, and the other side calls
    /// `notifier(core)` when its index move crosses the published event
    /// index (VIRTIO_F_EVENT_IDX, src/event.rs).
    pub fn with_notifier(mut self, notifier: Notifier) -> Self {
        for q in self.queues.iter_mut() {
            q.events.set_notifier(notifier);
        }
        self
    }

    /// Switches every queue between polling (`false`, the default) and
    /// notification. Switch only while no core waits in a bus call: a core
    /// asleep on notify mode is not woken by the switch to polling.
    pub fn set_notify(&self, on: bool) -> Result<(), NoNotifier> {
        self.queues.iter().try_for_each(|q| q.events.set_on(on))
    }

    /// Whether the bus is in notify mode.
    pub fn notify(&self) -> bool {
        self.queues.first().is_some_and(|q| q.events.is_on())
    }

    /// Number of cores.
    #[inline]
    pub fn cores(&self) -> usize {
        self.cores
    }

    /// The configuration every queue was made with.
    pub fn config(&self) -> Config {
        self.config
    }

    /// Core `core`'s endpoint: the only way to send as `core` or to receive
    /// as `core`. At most one exists per core at a time (a second call
    /// fails with [`EndpointError::InUse`] until the first is dropped), so no
    /// two cores can ever act as the same side of one queue.
    pub fn endpoint(&self, core: usize) -> Result<Endpoint<'_>, EndpointError> {
        let flag = self.taken.get(core).ok_or(EndpointError::NoSuchCore {
            core,
            cores: self.cores,
        })?;
        // Acquire, partner: the Release store in `release_endpoint` by the
        // previous holder, whose private queue state we now take over.
        // (A read-modify-write, but at hand-out, not on the data path.)
        match flag.compare_exchange(false, true, Acquire, Relaxed) {
            Ok(_) => Ok(Endpoint::new(self, core)),
            Err(_) => Err(EndpointError::InUse { core }),
        }
    }

    /// Gives core `core`'s endpoint back (called by `Endpoint::drop`).
    pub(crate) fn release_endpoint(&self, core: usize) {
        // Release, partner: the Acquire compare-exchange in `endpoint` by the
        // next holder: everything this holder did happens-before its use.
        self.taken[core].store(false, Release);
    }

    /// The queue from `src` to `dst`, if both are cores and differ.
    #[inline]
    pub(crate) fn queue(&self, src: usize, dst: usize) -> Option<&Queue> {
        queue_in(&self.queues, self.cores, src, dst)
    }

    /// Every queue, in `queue`'s order, for an endpoint to keep.
    pub(crate) fn queues(&self) -> &[Queue] {
        &self.queues
    }
}

/// Queue (`src`, `dst`) among `queues`, the `cores × (cores − 1)` queues of
/// a bus in its order, if both are cores and differ.
#[inline]
pub(crate) fn queue_in(queues: &[Queue], cores: usize, src: usize, dst: usize) -> Option<&Queue> {
    if src >= cores || dst >= cores || src == dst {
        return None;
    }
    let col = if dst > src { dst - 1 } else { dst };
    queues.get(src * (cores - 1) + col)
}
