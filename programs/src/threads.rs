//! Runs a program as host threads, one instance per rank over testkit's
//! thread transport: the embedder of the tests and of the lab 6 grader
//! (feature `threads`; never built into the kernel).

extern crate std;

use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use testkit::Fabric;

use crate::failure::Failure;
use crate::instance::{Host, Instance};
use crate::table::Program;
use crate::transport::{AnyTransport, Mpi};

/// The longest message the thread transport carries, and how many it queues
/// per pair of ranks (bus-like: a quarter of a 64-buffer ring).
const MAX_MESSAGE: usize = 1024;
const QUEUED: usize = 16;

/// What one rank printed and how its instance ended (a panic is a
/// `Failure::Failed` that says "panicked: ...").
#[derive(Debug)]
pub struct RankRun {
    /// Its output lines, in order.
    pub lines: Vec<String>,
    /// `main`'s result (`Failure::Mpi(Aborted)` if it was stopped).
    pub result: Result<(), Failure>,
}

/// Runs `program` with `args` as `ranks` instances (world communicator),
/// after its `check`. The first failure stops every other rank, as does
/// `limit` (every blocked MPI call then ends in `Aborted`).
pub fn run(
    program: &Program,
    args: &[&str],
    ranks: usize,
    limit: Duration,
) -> Result<Vec<RankRun>, Failure> {
    (program.check)(args)?;
    let fabric = Fabric::new(ranks, MAX_MESSAGE, QUEUED);
    // Relaxed: a stop flag read by every rank's abort check; it publishes
    // no data (the results come back through the thread joins).
    let stop = Arc::new(AtomicBool::new(false));
    let deadline = Instant::now() + limit;
    let runs = std::thread::scope(|s| {
        let handles: Vec<_> = (0..ranks)
            .map(|core| {
                let (fabric, stop) = (&fabric, Arc::clone(&stop));
                s.spawn(move || {
                    let flag = Arc::clone(&stop);
                    let port = AnyTransport(Box::new(fabric.port(core)));
                    let mut mpi = Mpi::new(port)
                        .expect("a fabric port is a valid transport")
                        .with_abort(move || {
                            flag.load(Ordering::Relaxed) || Instant::now() > deadline
                        });
                    let run = instance(program, &mut mpi, args);
                    if run.result.is_err() {
                        stop.store(true, Ordering::Relaxed);
                    }
                    run
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("an instance panicked"))
            .collect()
    });
    Ok(runs)
}

/// One rank's instance, start to finish; a panic in `main` ends it as a
/// failure with the lines printed before it.
fn instance(program: &Program, mpi: &mut Mpi<'_>, args: &[&str]) -> RankRun {
    let mut host = Lines {
        lines: Vec::new(),
        start: Instant::now(),
    };
    let world = mpi.world();
    let mut inst = Instance::new(mpi, world, args, &mut host);
    let result =
        catch_unwind(AssertUnwindSafe(|| (program.main)(&mut inst))).unwrap_or_else(|panic| {
            Err(Failure::Failed(format!(
                "panicked: {}",
                panic_text(&*panic)
            )))
        });
    inst.finish();
    RankRun {
        lines: host.lines,
        result,
    }
}

/// A panic's message.
fn panic_text(panic: &(dyn Any + Send)) -> &str {
    match (panic.downcast_ref::<&str>(), panic.downcast_ref::<String>()) {
        (Some(text), _) => text,
        (_, Some(text)) => text,
        _ => "(no message)",
    }
}

/// The [`Host`] of a thread: collects the lines, times from its start.
struct Lines {
    lines: Vec<String>,
    start: Instant,
}

impl Host for Lines {
    fn line(&mut self, line: &str) {
        self.lines.push(line.to_string());
    }

    fn wtime(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    fn wtick(&self) -> f64 {
        1e-9
    }
}
