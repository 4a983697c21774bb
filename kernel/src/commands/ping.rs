//! `ping`: Toro's VirtIOBus demo. A source core sends "ping" to each
//! destination in turn and waits for its "pong"; with `--count N` it times N
//! round trips per destination instead of printing each message.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt::Write;

use bus::Endpoint;
use shell::{Args, Command, CoreOrAll, CoreSet, Error};

use super::{Kernel, jobs};
use crate::core_bus::Wait;
use crate::cores::{self, JobContext, Work};
use crate::{console, core_bus, time};

/// Most round trips one `ping --count` times (the samples stay in memory).
const MAX_COUNT: u64 = 1_000_000;

/// `ping <src> <dst|all> [--count N]`.
pub const PING: Command<Kernel> = Command {
    name: "ping",
    summary: "send ping/pong messages between cores over the VirtIOBus",
    usage: "ping <src> <dst|all> [--count N] [&]",
    help: "Core <src> sends \"ping\" to <dst> (or to every other core in turn, with all); each \
           destination prints what it received and answers \"pong\", which <src> prints. \
           With --count N (N > 1) it runs N round trips per destination and prints the round-trip \
           time min/median/max in cycles and ns instead. A trailing & runs it in the background \
           (not when core 0 takes part), e.g. to watch 'vq dump' meanwhile. Ctrl-C stops it.",
    example: "ping 0 all",
    run: ping_command,
};

/// What one `ping` does: who sends, to whom, how many round trips.
#[derive(Clone, Copy)]
struct Plan {
    src: usize,
    destinations: CoreSet,
    count: u64,
}

fn ping_command(_: &mut Kernel, args: &mut Args<'_>, out: &mut dyn Write) -> Result<(), Error> {
    let count: u64 = args.option("--count")?.unwrap_or(1);
    shell::check_range("--count", count, 1..=MAX_COUNT)?;
    let cores = cores::count();
    let src = shell::parse_core(args.positional("src")?, cores)?;
    let destinations = match CoreOrAll::parse(args.positional("dst")?, cores)? {
        CoreOrAll::All => CoreSet::all(cores).without(src),
        CoreOrAll::Core(dst) if dst == src => {
            return Err(Error::invalid(alloc::format!(
                "src and dst are both core {src}: a core has no queue to itself"
            )));
        }
        CoreOrAll::Core(dst) => CoreSet::default().with(dst),
    };
    if destinations.is_empty() {
        return Err(Error::invalid("this machine has no other core to ping"));
    }
    let background = args.background();
    args.finish()?;
    let plan = Plan {
        src,
        destinations,
        count,
    };
    let set = destinations.with(src);
    let work =
        move |core: usize| -> Work { Box::new(move |job: &JobContext| run_role(job, core, plan)) };
    jobs::run_demo(set, "ping", background, out, work)?;
    Ok(())
}

fn run_role(job: &JobContext, core: usize, plan: Plan) {
    let result = core_bus::with_endpoint(core, |endpoint| {
        if core == plan.src {
            pinger(job, endpoint, plan)
        } else {
            responder(job, endpoint, plan)
        }
    });
    match result.map_err(|why| why.or_interrupted(job)) {
        Ok(()) => {}
        // The pinger says how far it got; a responder's wait just ends.
        Err(Stopped::Interrupted) => {}
        Err(why) => crate::println!("core {core}: ping stopped: {why}"),
    }
}

/// Why a ping role stopped early.
enum Stopped {
    Send(bus::SendError),
    Recv(bus::RecvError),
    /// Its job was asked to stop (Ctrl-C) while it waited.
    Interrupted,
}

impl Stopped {
    /// `Interrupted` if this is a wait that ended because `job` was asked
    /// to stop; else this.
    fn or_interrupted(self, job: &JobContext) -> Self {
        let aborted = matches!(
            self,
            Stopped::Send(bus::SendError::Aborted { .. })
                | Stopped::Recv(bus::RecvError::Aborted { .. })
        );
        if aborted && job.should_abort() {
            Stopped::Interrupted
        } else {
            self
        }
    }
}

impl From<bus::SendError> for Stopped {
    fn from(why: bus::SendError) -> Self {
        Stopped::Send(why)
    }
}

impl From<bus::RecvError> for Stopped {
    fn from(why: bus::RecvError) -> Self {
        Stopped::Recv(why)
    }
}

impl core::fmt::Display for Stopped {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Stopped::Send(why) => write!(f, "send failed: {why}"),
            Stopped::Recv(why) => write!(f, "receive failed: {why}"),
            Stopped::Interrupted => write!(f, "stopped by Ctrl-C"),
        }
    }
}

/// The source: for each destination, `count` round trips.
fn pinger(job: &JobContext, endpoint: &mut Endpoint<'static>, plan: Plan) -> Result<(), Stopped> {
    let abort = || job.should_abort();
    let mut pong = [0u8; 16];
    for dst in plan.destinations.iter() {
        let mut samples: Vec<u32> = Vec::with_capacity(plan.count as usize);
        for _ in 0..plan.count {
            let start = time::now();
            let len = match round_trip(endpoint, dst, &abort, &mut pong) {
                Ok(len) => len,
                Err(why) => {
                    let why = why.or_interrupted(job);
                    if let Stopped::Interrupted = why {
                        report_interrupted(plan, dst, &mut samples);
                    }
                    return Err(why);
                }
            };
            samples.push((time::now() - start).min(u64::from(u32::MAX)) as u32);
            if plan.count == 1 {
                print_message(dst, plan.src, &pong[..len]);
            }
        }
        if plan.count > 1 {
            print_round_trips(plan.src, dst, &mut samples);
        }
    }
    Ok(())
}

/// One ping to `dst` and its pong, received into `pong`: the pong's length.
fn round_trip(
    endpoint: &mut Endpoint<'static>,
    dst: usize,
    abort: &dyn Fn() -> bool,
    pong: &mut [u8],
) -> Result<usize, Stopped> {
    endpoint.send_with(dst, b"ping", &mut Wait::until(abort))?;
    Ok(endpoint.recv_with(dst, pong, &mut Wait::until(abort))?)
}

/// A destination: `count` times, receive a ping from the source, answer.
fn responder(
    job: &JobContext,
    endpoint: &mut Endpoint<'static>,
    plan: Plan,
) -> Result<(), Stopped> {
    let abort = || job.should_abort();
    let mut ping = [0u8; 16];
    for _ in 0..plan.count {
        let len = endpoint.recv_with(plan.src, &mut ping, &mut Wait::until(&abort))?;
        if plan.count == 1 {
            print_message(plan.src, job.core(), &ping[..len]);
        }
        endpoint.send_with(plan.src, b"pong", &mut Wait::until(&abort))?;
    }
    Ok(())
}

/// Ctrl-C stopped the round trips to `dst`: how many were done, and their
/// figures if there are any.
fn report_interrupted(plan: Plan, dst: usize, samples: &mut [u32]) {
    crate::println!(
        "ping stopped by Ctrl-C: {} of {} round trip(s) to core {dst} done",
        samples.len(),
        plan.count
    );
    if !samples.is_empty() && plan.count > 1 {
        print_round_trips(plan.src, dst, samples);
    }
}

fn print_message(from: usize, to: usize, text: &[u8]) {
    let text = core::str::from_utf8(text).unwrap_or("<not UTF-8>");
    crate::println!("Core[{from}] -> Core[{to}]: {text}");
}

fn print_round_trips(src: usize, dst: usize, samples: &mut [u32]) {
    let RoundTrips { cycles, ns } = summarize(samples);
    console::print_fmt(format_args!(
        "Core[{src}] <-> Core[{dst}]: {} round trips, min/median/max {}/{}/{} cycles = {}/{}/{} ns\n",
        samples.len(),
        cycles[0],
        cycles[1],
        cycles[2],
        ns[0],
        ns[1],
        ns[2]
    ));
}

/// Round-trip times summed up: min, median and max, in TSC cycles and in ns.
struct RoundTrips {
    cycles: [u64; 3],
    ns: [u64; 3],
}

/// Min, median and max of `samples` (cycles; at least one), and the same in
/// ns at the calibrated TSC rate. Lab 3 (docs/labs/3-latency.md) has
/// students write this; its student version builds the stub below.
#[cfg(not(feature = "lab-latency"))]
fn summarize(samples: &mut [u32]) -> RoundTrips {
    samples.sort_unstable();
    let picks = [0, samples.len() / 2, samples.len() - 1];
    let cycles = picks.map(|i| u64::from(samples[i]));
    RoundTrips {
        cycles,
        ns: cycles.map(time::cycles_to_ns),
    }
}

/// Lab 3's student version: every statistic is 0.
#[cfg(feature = "lab-latency")]
fn summarize(_samples: &mut [u32]) -> RoundTrips {
    // LAB 3: the min, median and max of the samples, then each in ns.
    RoundTrips {
        cycles: [0; 3],
        ns: [0; 3],
    }
}
