//! `bench`: measurements made in the kernel, compared side by side in one
//! run. `pingpong <a> <b>`: the bus's round trip next to the physical limit,
//! a raw cache-line ping-pong (two atomics) between the same cores.
//! `reduce <len>`: MPI reduce with the linear and the tree algorithm.
//! `trace`: what tracing costs (bench_trace.rs).

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt::Write;
use core::sync::atomic::{AtomicU64, Ordering};

use mpi::{Algorithm, Mpi, Op};
use shell::{Args, Command, CoreSet, Error};

use super::collective::MAX_LEN;
use super::format::Micros;
use super::{Kernel, jobs};
use crate::core_bus::Wait;
use crate::cores::{self, JobContext, Work};
use crate::mpi_context;
use crate::{core_bus, time};

const DEFAULT_ROUNDS: u64 = 10_000;
const DEFAULT_REDUCE_ROUNDS: u64 = 100;
/// Round trips (ping) and reduces per phase of `bench trace`.
const TRACE_ROUNDS: u64 = 300;
const MESSAGE: [u8; 64] = [0x5A; 64];

/// `bench pingpong <a> <b>` and `bench reduce <len>`.
pub const BENCH: Command<Kernel> = Command {
    name: "bench",
    summary: "measure: bus vs raw cache-line round trip; linear vs tree reduce",
    usage: "bench pingpong <a> <b> [--rounds N] | bench reduce <len> [--cores LIST] [--rounds N] | bench trace [--rounds N] [--records]",
    help: "bench pingpong times N round trips (default 10000) of a 64-byte message over the \
           VirtIOBus between cores <a> and <b>, then N round trips of a raw cache-line ping-pong \
           between the same cores (each core spins on an atomic the other one writes: the fastest \
           two cores can talk), and prints both medians and their ratio. bench reduce times N \
           (default 100) sum-reduces of <len> i32 to the lowest core of LIST (default: all), \
           with the linear and the tree algorithm, and prints their medians side by side. \
           bench trace (on a fresh boot with at least 3 cores) times ping and reduce 64 between \
           cores 1 and 2 with no trace subscriber, then with tracing off and on in turn 5 times, and \
           prints the median ratios and their spread; then the cycles one record costs, and a flood of \
           a million records a second from cores 1 and 2 (records/s and drops); with --records, only \
           the cycles per record (any core count, tracing may have been on). Ctrl-C stops any of them.",
    example: "bench reduce 64",
    run: bench_command,
};

/// One cache line each, so the two flags never share a line.
#[repr(align(64))]
struct Line(AtomicU64);

/// The raw ping-pong's flags. `PING` is written by the initiator (Release)
/// and read by the responder (Acquire); `PONG` the other way round.
static PING: Line = Line(AtomicU64::new(0));
static PONG: Line = Line(AtomicU64::new(0));

/// One side of a round-trip loop: returns the initiator's samples (cycles),
/// None for the responder or when stopped.
type RoundTrips = fn(&JobContext, initiator: bool, peer: usize, rounds: u64) -> Option<Vec<u64>>;

fn bench_command(_: &mut Kernel, args: &mut Args<'_>, out: &mut dyn Write) -> Result<(), Error> {
    let rounds: Option<u64> = args.option("--rounds")?;
    let cores_text: Option<&str> = args.option("--cores")?;
    match args.positional::<&str>("benchmark")? {
        "pingpong" if cores_text.is_none() => pingpong(args, rounds.unwrap_or(DEFAULT_ROUNDS), out),
        "pingpong" => Err(Error::invalid(
            "bench pingpong takes two cores, not --cores",
        )),
        "reduce" => reduce(
            args,
            cores_text,
            rounds.unwrap_or(DEFAULT_REDUCE_ROUNDS),
            out,
        ),
        "trace" if cores_text.is_none() => {
            super::bench_trace::run(args, rounds.unwrap_or(TRACE_ROUNDS), out)
        }
        "trace" => Err(Error::invalid(
            "bench trace uses cores 1 and 2 for ping and all cores for reduce, not --cores",
        )),
        other => Err(Error::invalid(alloc::format!(
            "unknown benchmark '{other}' (valid: pingpong, reduce, trace)"
        ))),
    }
}

fn pingpong(args: &Args<'_>, rounds: u64, out: &mut dyn Write) -> Result<(), Error> {
    shell::check_range("--rounds", rounds, 1..=1_000_000)?;
    let a = shell::parse_core(args.positional("a")?, cores::count())?;
    let b = shell::parse_core(args.positional("b")?, cores::count())?;
    if a == b {
        return Err(Error::invalid("a and b must be two different cores"));
    }
    args.finish()?;
    let pair = CoreSet::default().with(a).with(b);
    let stopped = || Error::invalid("stopped before the benchmark finished");
    let bus = measure(pair, a, rounds, out, bus_round_trips)?.ok_or_else(stopped)?;
    // No job runs now; handing out the jobs (Release/Acquire on the
    // mailbox) orders these resets before both cores' first loads.
    PING.0.store(0, Ordering::Relaxed);
    PONG.0.store(0, Ordering::Relaxed);
    let raw = measure(pair, a, rounds, out, raw_round_trips)?.ok_or_else(stopped)?;
    let ns = time::cycles_to_ns;
    writeln!(
        out,
        "bus round trip         median {bus} cycles = {} ns",
        ns(bus)
    )?;
    writeln!(
        out,
        "cache-line round trip  median {raw} cycles = {} ns",
        ns(raw)
    )?;
    let ratio_hundredths = bus * 100 / raw.max(1);
    writeln!(
        out,
        "ratio bus/raw {}.{:02}",
        ratio_hundredths / 100,
        ratio_hundredths % 100
    )?;
    Ok(())
}

/// Runs `round_trips` on both cores of `pair`; returns the initiator's median.
pub(super) fn measure(
    pair: CoreSet,
    initiator: usize,
    rounds: u64,
    out: &mut dyn Write,
    round_trips: RoundTrips,
) -> Result<Option<u64>, Error> {
    let median = Arc::new(spin::Mutex::new(None));
    let work = |core: usize| -> Work {
        let median = Arc::clone(&median);
        let peer = pair.iter().find(|&other| other != core).unwrap_or(core);
        Box::new(move |job: &JobContext| {
            if let Some(mut samples) = round_trips(job, core == initiator, peer, rounds) {
                samples.sort_unstable();
                *median.lock() = samples.get(samples.len() / 2).copied();
            }
        })
    };
    jobs::run_demo(pair, "bench", false, out, work)?;
    let result = *median.lock();
    Ok(result)
}

/// Bus round trips of a 64-byte message.
pub(super) fn bus_round_trips(
    job: &JobContext,
    initiator: bool,
    peer: usize,
    rounds: u64,
) -> Option<Vec<u64>> {
    let abort = || job.should_abort();
    let mut buf = [0u8; 64];
    core_bus::with_endpoint(job.core(), |endpoint| {
        let mut samples = Vec::with_capacity(rounds as usize);
        for _ in 0..rounds {
            let start = time::now();
            if initiator {
                endpoint
                    .send_with(peer, &MESSAGE, &mut Wait::until(&abort))
                    .ok()?;
                endpoint
                    .recv_with(peer, &mut buf, &mut Wait::until(&abort))
                    .ok()?;
                samples.push(time::now() - start);
            } else {
                endpoint
                    .recv_with(peer, &mut buf, &mut Wait::until(&abort))
                    .ok()?;
                endpoint
                    .send_with(peer, &MESSAGE, &mut Wait::until(&abort))
                    .ok()?;
            }
        }
        initiator.then_some(samples)
    })
}

/// Raw ping-pong on two cache lines (rounds numbered from 1).
fn raw_round_trips(
    job: &JobContext,
    initiator: bool,
    _peer: usize,
    rounds: u64,
) -> Option<Vec<u64>> {
    let wait_for = |line: &Line, value: u64| {
        // Acquire pairs with the other core's Release store of `value`.
        while line.0.load(Ordering::Acquire) != value {
            if job.should_abort() {
                return false;
            }
            core::hint::spin_loop();
        }
        true
    };
    let mut samples = Vec::with_capacity(rounds as usize);
    for round in 1..=rounds {
        let start = time::now();
        if initiator {
            PING.0.store(round, Ordering::Release); // Acquire: the responder's wait_for
            wait_for(&PONG, round).then_some(())?;
            samples.push(time::now() - start);
        } else {
            wait_for(&PING, round).then_some(())?;
            PONG.0.store(round, Ordering::Release); // Acquire: the initiator's wait_for
        }
    }
    initiator.then_some(samples)
}

fn reduce(
    args: &Args<'_>,
    cores_text: Option<&str>,
    rounds: u64,
    out: &mut dyn Write,
) -> Result<(), Error> {
    shell::check_range("--rounds", rounds, 1..=10_000)?;
    let len: usize = args.positional_in("len", 1..=MAX_LEN)?;
    args.finish()?;
    let set = match cores_text {
        Some(text) => CoreSet::parse(text, cores::count())?,
        None => CoreSet::all(cores::count()),
    };
    if set.len() < 2 {
        return Err(Error::invalid("bench reduce needs at least two cores"));
    }
    let mut medians = [0u64; 2];
    for (median, algo) in medians.iter_mut().zip(Algorithm::ALL) {
        *median = reduce_median(set, len, rounds, algo, out)?.ok_or_else(|| {
            Error::invalid(alloc::format!(
                "the {algo} reduce did not finish (stopped by Ctrl-C, or the failure above), \
                 so there are no figures"
            ))
        })?;
    }
    let root = set.iter().next().unwrap_or(0);
    writeln!(
        out,
        "reduce {len} x i32 (sum) on cores {set}, root {root}, median of {rounds}:"
    )?;
    for (median, algo) in medians.iter().zip(Algorithm::ALL) {
        writeln!(
            out,
            "  {:<7} {median:>10} cycles = {}",
            algo.name(),
            Micros(time::cycles_to_ns(*median))
        )?;
    }
    let hundredths = medians[1] * 100 / medians[0].max(1);
    writeln!(
        out,
        "  tree/linear {}.{:02}",
        hundredths / 100,
        hundredths % 100
    )?;
    Ok(())
}

/// Every core of `set` runs `rounds` reduces (a barrier before each); the
/// root times them. Returns the root's median.
pub(super) fn reduce_median(
    set: CoreSet,
    len: usize,
    rounds: u64,
    algo: Algorithm,
    out: &mut dyn Write,
) -> Result<Option<u64>, Error> {
    let median = Arc::new(spin::Mutex::new(None));
    let (members, context): (Vec<usize>, u16) =
        (set.iter().collect(), mpi_context::fresh_context());
    let work = |_core: usize| -> Work {
        let (median, members) = (Arc::clone(&median), members.clone());
        Box::new(move |job: &JobContext| {
            match time_reduces(job, &members, context, len, rounds, algo) {
                Ok(Some(mut samples)) => {
                    samples.sort_unstable();
                    *median.lock() = samples.get(samples.len() / 2).copied();
                }
                Ok(None) => {}                     // not the root
                Err(_) if job.should_abort() => {} // Ctrl-C: the shell says so
                Err(why) => crate::println!("core {}: bench reduce failed: {why}", job.core()),
            }
        })
    };
    jobs::run_demo(set, "bench", false, out, work)?;
    let result = *median.lock();
    Ok(result)
}

/// One rank's loop; the root (rank 0) returns its samples.
fn time_reduces(
    job: &JobContext,
    members: &[usize],
    context: u16,
    len: usize,
    rounds: u64,
    algo: Algorithm,
) -> Result<Option<Vec<u64>>, mpi::Error> {
    let (core, peers) = (job.core(), job.peers());
    core_bus::with_endpoint(core, |endpoint| {
        let mut mpi = Mpi::new(core_bus::mpi_port(endpoint))?
            .with_abort(move || cores::stop_requested(core, peers));
        let comm = mpi.group(members, context)?;
        let mine = alloc::vec![core as i32; len];
        let mut sum = alloc::vec![0i32; len];
        let mut samples = Vec::with_capacity(rounds as usize);
        for _ in 0..rounds {
            mpi.barrier(&comm, Algorithm::Tree)?;
            let start = time::now();
            mpi.reduce(&comm, &mine, &mut sum, Op::Sum, 0, algo)?;
            samples.push(time::now() - start);
        }
        Ok((comm.rank() == 0).then_some(samples))
    })
}
