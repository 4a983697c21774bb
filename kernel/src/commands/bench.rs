//! `bench pingpong <a> <b>`: the bus's round trip between two cores next to
//! the physical limit, a raw cache-line ping-pong (two atomics) between the
//! same cores, in the same run, with their ratio.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt::Write;
use core::sync::atomic::{AtomicU64, Ordering};

use shell::{Args, Command, CoreSet, Error};

use super::{Kernel, jobs};
use crate::cores::{self, JobContext, Work};
use crate::{time, virtio_bus};

const DEFAULT_ROUNDS: u64 = 10_000;
const MESSAGE: [u8; 64] = [0x5A; 64];

/// `bench pingpong <a> <b> [--rounds N]`.
pub const BENCH: Command<Kernel> = Command {
    name: "bench",
    summary: "measure the bus round trip against a raw cache-line ping-pong",
    usage: "bench pingpong <a> <b> [--rounds N]",
    help: "Times N round trips (default 10000) of a 64-byte message over the VirtIOBus between \
           cores <a> and <b>, then N round trips of a raw cache-line ping-pong between the same \
           cores (each core spins on an atomic the other one writes: the fastest two cores can \
           talk), and prints both medians and their ratio. Ctrl-C stops it.",
    example: "bench pingpong 1 2",
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
    let rounds: u64 = args.option("--rounds")?.unwrap_or(DEFAULT_ROUNDS);
    shell::check_range("--rounds", rounds, 1..=1_000_000)?;
    let what: &str = args.positional("benchmark")?;
    if what != "pingpong" {
        return Err(Error::invalid(alloc::format!(
            "unknown benchmark '{what}' (valid: pingpong)"
        )));
    }
    let a = shell::parse_core(args.positional("a")?, cores::count())?;
    let b = shell::parse_core(args.positional("b")?, cores::count())?;
    if a == b {
        return Err(Error::invalid("a and b must be two different cores"));
    }
    args.finish()?;
    let pair = CoreSet::default().with(a).with(b);
    let bus = measure(pair, a, rounds, out, bus_round_trips)?;
    // No job runs now; handing out the jobs (Release/Acquire on the
    // mailbox) orders these resets before both cores' first loads.
    PING.0.store(0, Ordering::Relaxed);
    PONG.0.store(0, Ordering::Relaxed);
    let raw = measure(pair, a, rounds, out, raw_round_trips)?;
    let (Some(bus), Some(raw)) = (bus, raw) else {
        return Err(Error::invalid("stopped before the benchmark finished"));
    };
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
fn measure(
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
    jobs::run_on(pair, "bench", false, out, work)?;
    let result = *median.lock();
    Ok(result)
}

/// Bus round trips of a 64-byte message.
fn bus_round_trips(
    job: &JobContext,
    initiator: bool,
    peer: usize,
    rounds: u64,
) -> Option<Vec<u64>> {
    let abort = || job.should_abort();
    let mut buf = [0u8; 64];
    virtio_bus::with_endpoint(job.core(), |endpoint| {
        let mut samples = Vec::with_capacity(rounds as usize);
        for _ in 0..rounds {
            let start = time::now();
            if initiator {
                endpoint.send_until(peer, &MESSAGE, &abort).ok()?;
                endpoint.recv_until(peer, &mut buf, &abort).ok()?;
                samples.push(time::now() - start);
            } else {
                endpoint.recv_until(peer, &mut buf, &abort).ok()?;
                endpoint.send_until(peer, &MESSAGE, &abort).ok()?;
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
