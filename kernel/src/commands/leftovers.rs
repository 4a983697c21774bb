//! A demo's rings start clean and are left clean: every core of it empties
//! its own receive rings (only it may receive on them) before the demo starts
//! and after it ends, however it ended, and one line says what it threw away.

use core::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use bus::Discarded;

use crate::cores::{self, CoreSet, CoreState, JobContext, Work};
use crate::{core_bus, idle, time};

/// After Ctrl-C, how long a core that has ended waits (polling) for the
/// demo's other cores to end before it empties its rings anyway (a core that
/// ignores Ctrl-C must not hold the others).
const END_WAIT_AFTER_CTRL_C_S: u64 = 1;

/// One emptying of the demo's rings, by every core that takes part.
#[derive(Default)]
struct Sweep {
    /// Cores that emptied their rings. Incremented (Release) after their
    /// count is added; loaded (Acquire) by whoever waits for all of them.
    done: AtomicUsize,
    /// The cores that found something (`CoreSet::bits`).
    found_on: AtomicU64,
    /// What they found. Lock rule: each core adds once; the reporter reads.
    found: spin::Mutex<Discarded>,
    /// Set by the one core that prints the line.
    reported: AtomicBool,
}

/// What a demo's cores share to empty their rings before and after it.
pub struct Leftovers {
    name: &'static str,
    cores: CoreSet,
    before: Sweep,
    /// Cores whose work has returned. Incremented (Release) right after;
    /// loaded (Acquire) by the cores waiting to empty their rings.
    ended: AtomicUsize,
    after: Sweep,
}

impl Leftovers {
    /// For demo `name` on `cores`.
    pub fn new(name: &'static str, cores: CoreSet) -> Self {
        Leftovers {
            name,
            cores,
            before: Sweep::default(),
            ended: AtomicUsize::new(0),
            after: Sweep::default(),
        }
    }

    /// `work`, between emptying the rings before and after: what a core of
    /// the demo runs. Core 0's part empties its rings after the end only
    /// when the shell calls [`Leftovers::after_on_shell_core`].
    pub fn wrap(self: &alloc::sync::Arc<Self>, work: Work) -> Work {
        let shared = alloc::sync::Arc::clone(self);
        alloc::boxed::Box::new(move |job: &JobContext| {
            shared.sweep_before(job);
            work(job);
            // Release, partner: the Acquire load in `wait_for_the_end`.
            let ended = shared.ended.fetch_add(1, Ordering::Release) + 1;
            if ended >= shared.live_cores() {
                shared.wake_the_others(job.core());
            }
            if job.core() != 0 {
                shared.wait_for_the_end(job);
                shared.sweep(&shared.after, job.core(), "when it ended");
            }
        })
    }

    /// Core 0's sweep after the end, once every other core of the demo is
    /// over (so none can send to it any more): the shell calls it when its
    /// wait for them ends, or, for a demo it stopped waiting for, when
    /// [`Leftovers::report_end`] says the demo ended.
    pub fn after_on_shell_core(&self) {
        if self.cores.contains(0) {
            self.sweep(&self.after, 0, "when it ended");
        }
    }

    /// For a demo nobody waited for to the end (in the background, or the
    /// shell stopped waiting), once all its cores are over: core 0's sweep,
    /// then the line that says it ended, `how`.
    pub fn report_end(&self, how: &str) {
        self.after_on_shell_core();
        crate::println!("{} ended on core(s) {}, {how}", self.name, self.cores);
    }

    /// Empties this core's rings, then waits until every core of the demo
    /// has, so no core's work can send into a ring not yet emptied.
    fn sweep_before(&self, job: &JobContext) {
        self.sweep(&self.before, job.core(), "over from before it started");
        // Acquire, partner: the Release increment in `sweep`.
        let all_swept = || self.before.done.load(Ordering::Acquire) >= self.live_cores();
        halt_until(job, all_swept);
    }

    /// Waits until every core of the demo has ended (or faulted), so nothing
    /// more is sent; after Ctrl-C, at most [`END_WAIT_AFTER_CTRL_C_S`].
    fn wait_for_the_end(&self, job: &JobContext) {
        // Acquire, partner: the Release increment in `wrap`.
        let all_ended = || self.ended.load(Ordering::Acquire) >= self.live_cores();
        halt_until(job, all_ended);
        let end = time::now() + END_WAIT_AFTER_CTRL_C_S * time::tsc_hz();
        while !all_ended() && time::now() < end {
            core::hint::spin_loop(); // only after Ctrl-C: the others are stopping
        }
    }

    /// Wakes every other core of the demo: the last to arrive at a sweep
    /// or at the end releases those halted waiting for it.
    fn wake_the_others(&self, me: usize) {
        self.cores
            .iter()
            .filter(|&core| core != me)
            .for_each(cores::wake);
    }

    /// The demo's cores that have not faulted.
    fn live_cores(&self) -> usize {
        self.cores
            .iter()
            .filter(|&core| core == 0 || cores::state(core) != CoreState::Faulted)
            .count()
    }

    /// Empties `core`'s rings into `sweep`; the last core of the demo to do
    /// so prints what all of them found, if anything.
    fn sweep(&self, sweep: &Sweep, core: usize, when: &str) {
        let found = core_bus::drain(core);
        if !found.is_empty() {
            *sweep.found.lock() += found;
            sweep.found_on.fetch_or(1 << core, Ordering::Relaxed); // read after `done` below
        }
        // Release, partner: the Acquire loads of `done` (here and in `sweep_before`).
        let done = sweep.done.fetch_add(1, Ordering::AcqRel) + 1;
        if done >= self.live_cores() {
            self.wake_the_others(core);
        }
        // Relaxed `reported`: it only elects the one core that prints; what
        // it prints is ordered by `done` above.
        if done >= self.live_cores() && !sweep.reported.swap(true, Ordering::Relaxed) {
            self.report(sweep, when);
        }
    }

    /// The one line for a sweep, if it found anything.
    fn report(&self, sweep: &Sweep, when: &str) {
        let found = *sweep.found.lock();
        if !found.is_empty() {
            // Relaxed: ordered after every core's `fetch_or` by `done` (AcqRel).
            let on = CoreSet::from_bits(sweep.found_on.load(Ordering::Relaxed));
            crate::println!(
                "{}: discarded {found} from the rings of core(s) {on}, left {when}",
                self.name
            );
        }
    }
}

/// Halts the calling core until `ready()` or its job is asked to stop;
/// a WAKE IPI (from the core that makes `ready()` true, or from
/// `cores::request_abort`) ends each halt. The shell core waits its own way,
/// which also notices Ctrl-C typed meanwhile.
fn halt_until(job: &JobContext, ready: impl Fn() -> bool) {
    let done = || ready() || job.should_abort();
    match job.core() {
        0 => idle::wait_until(done),
        _ => idle::halt_until(|| done().then_some(())),
    }
}
