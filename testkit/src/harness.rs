//! Runs one `mpi` rank per thread over a [`Fabric`], aborting every rank on
//! the first failure and after a watchdog, so a broken test fails, not hangs.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mpi::Mpi;

use crate::fabric::{Fabric, Port};

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
        let handles: Vec<_> = (0..fabric.cores())
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
