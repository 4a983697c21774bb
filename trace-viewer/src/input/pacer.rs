//! Replay pacing: when to hand over a record stamped `ts_ns` so the replay
//! runs at `speed` times real time. The clock is injected, so tests check
//! the waits without sleeping.

use std::time::{Duration, Instant};

/// The longest wait between two records: idle stretches are cut to this.
pub const MAX_GAP: Duration = Duration::from_secs(1);

/// Time as the replay sees it.
pub trait Clock {
    /// Time since some fixed start.
    fn now(&self) -> Duration;
    /// Waits `d`.
    fn sleep(&self, d: Duration);
}

/// The real clock.
#[derive(Debug)]
pub struct SystemClock {
    /// The fixed start.
    start: Instant,
}

impl Default for SystemClock {
    fn default() -> Self {
        Self {
            start: Instant::now(),
        }
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.start.elapsed()
    }

    fn sleep(&self, d: Duration) {
        std::thread::sleep(d);
    }
}

/// Maps trace time to wall time.
#[derive(Clone, Copy, Debug)]
pub struct Pacer {
    /// Speed-up; `None` replays as fast as possible.
    speed: Option<f64>,
    /// Wall time and trace time of the first record.
    origin: Option<(Duration, u64)>,
    /// Seconds added to every deadline: positive after pauses, negative
    /// after cut gaps.
    lag: f64,
}

impl Pacer {
    /// A pacer at `speed` times real time; `None`, 0 or less, or not finite
    /// means as fast as possible.
    pub fn new(speed: Option<f64>) -> Self {
        Self {
            speed: speed.filter(|s| s.is_finite() && *s > 0.0),
            origin: None,
            lag: 0.0,
        }
    }

    /// How long to wait, at wall time `now`, before handing over a record
    /// stamped `ts_ns`. Records earlier than ones already handed over (other
    /// cores' buffers drain later) wait for nothing; waits longer than
    /// [`MAX_GAP`] are cut to it.
    pub fn delay(&mut self, ts_ns: u64, now: Duration) -> Duration {
        let Some(speed) = self.speed else {
            return Duration::ZERO;
        };
        let (wall0, ts0) = *self.origin.get_or_insert((now, ts_ns));
        let trace = ts_ns.saturating_sub(ts0) as f64 / 1e9;
        let due = wall0.as_secs_f64() + trace / speed + self.lag;
        let wait = (due - now.as_secs_f64()).max(0.0);
        if wait > MAX_GAP.as_secs_f64() {
            self.lag -= wait - MAX_GAP.as_secs_f64();
            return MAX_GAP;
        }
        Duration::from_secs_f64(wait)
    }

    /// Pushes every later deadline back by `d`: the replay was paused.
    pub fn hold(&mut self, d: Duration) {
        self.lag += d.as_secs_f64();
    }
}
