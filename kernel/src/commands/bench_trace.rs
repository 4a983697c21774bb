//! `bench trace`: what tracing costs, measured in the kernel. Ping and
//! reduce with no subscriber, then with tracing off and on in turn (medians
//! of the ratios and their spread); the cycles one record costs (alone with
//! `--records`); records per second from cores 1.. flooding at a million a
//! second, with drops.

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt::Write;

use mpi::Algorithm;
use probe::{Probe, probe};
use shell::{Args, CoreSet, Error};
use trace_wire::SlotRing;
use trace_wire::raw::{Layout, Narrow, RawKind, SLOT_WORDS};
use tracing::Level;

use super::bench::{bus_round_trips, measure, reduce_median};
use super::jobs;
use crate::{cores, time, trace};

/// Off/on pairs (and no-subscriber runs) measured.
const ALTERNATIONS: usize = 5;
/// Records per timed batch on the shell core (fits a lane, drained after).
const RECORD_BATCH: u64 = 4000;
/// Timed batches of each kind.
const RECORD_BATCHES: u64 = 15;
/// Records per second the flood asks of cores 1.. together.
const FLOOD_RATE: u64 = 1_200_000;
/// How long the flood lasts.
const FLOOD_MS: u64 = 1000;

/// Ping and reduce medians (cycles) under one tracing setting.
#[derive(Clone, Copy)]
struct Workloads {
    ping: u64,
    reduce: u64,
}

impl Workloads {
    /// The ratios `self / base` of ping and of reduce.
    fn ratios_to(self, base: Workloads) -> [f64; 2] {
        let ratio = |x: u64, base: u64| x as f64 / base.max(1) as f64;
        [ratio(self.ping, base.ping), ratio(self.reduce, base.reduce)]
    }
}

fn workloads(rounds: u64, out: &mut dyn Write) -> Result<Workloads, Error> {
    let stopped = || Error::invalid("stopped before the benchmark finished");
    let pair = CoreSet::default().with(1).with(2);
    let ping = measure(pair, 1, rounds, out, bus_round_trips)?.ok_or_else(stopped)?;
    // Cores 1 and 2 only: core 0 stays free to drain the trace, and two
    // spinning guest cores are as many as a 2-core host runs without
    // time-slicing them (which would measure the host scheduler instead).
    let reduce = reduce_median(pair, 64, rounds, Algorithm::Linear, out)?.ok_or_else(stopped)?;
    Ok(Workloads { ping, reduce })
}

/// `bench trace [--rounds N] [--records]`: with `--records`, only the
/// cycles per record (what `cargo xtask bench` also runs under QEMU's
/// `-icount`, where they count instructions).
pub(super) fn run(args: &Args<'_>, rounds: u64, out: &mut dyn Write) -> Result<(), Error> {
    let records_only = args.flag("--records");
    args.finish()?;
    shell::check_range("--rounds", rounds, 10..=100_000)?;
    if records_only {
        return record_cost(out);
    }
    if cores::count() < 3 {
        return Err(Error::invalid(
            "bench trace needs 3 cores: 1 and 2 ping, 0 sends the trace",
        ));
    }
    if trace::ever_on() {
        return Err(Error::invalid(
            "tracing was on earlier in this boot; bench trace needs a fresh boot for its no-subscriber baseline",
        ));
    }
    overhead(rounds, out)?;
    record_cost(out)?;
    flood(out)
}

/// The no-subscriber baseline, then off and on in turn.
fn overhead(rounds: u64, out: &mut dyn Write) -> Result<(), Error> {
    let mut runs = Vec::new();
    for _ in 0..ALTERNATIONS {
        runs.push(workloads(rounds, out)?);
    }
    let none = Workloads {
        ping: median(runs.iter().map(|w| w.ping as f64)) as u64,
        reduce: median(runs.iter().map(|w| w.reduce as f64)) as u64,
    };
    let (mut off, mut on) = (Vec::new(), Vec::new());
    for _ in 0..ALTERNATIONS {
        trace::turn_on(None).map_err(Error::invalid)?;
        let traced = workloads(rounds, out);
        trace::turn_off();
        on.push(traced?.ratios_to(none));
        off.push(workloads(rounds, out)?.ratios_to(none));
    }
    writeln!(
        out,
        "no subscriber: median ping 1<->2 {} cycles, reduce 64 on 1,2 {} cycles",
        none.ping, none.reduce
    )?;
    for (name, runs) in [("off", &off), ("on", &on)] {
        let worse: Vec<f64> = runs
            .iter()
            .map(|&[ping, reduce]| ping.max(reduce))
            .collect();
        let (mid, spread) = (median(worse.iter().copied()), spread(&worse));
        let [ping, reduce] = [0, 1].map(|w| median(runs.iter().map(|run| run[w])));
        writeln!(
            out,
            "trace {name}/none, worse of the two, {ALTERNATIONS} runs: median {mid:.3}, spread {spread:.3} (medians: ping {ping:.3}, reduce {reduce:.3})"
        )?;
        bench_line(
            out,
            &alloc::format!("trace_{name}_overhead_ratio"),
            mid,
            "x",
        )?;
        bench_line(
            out,
            &alloc::format!("trace_{name}_overhead_spread"),
            spread,
            "x",
        )?;
    }
    Ok(())
}

probe!(static BENCH_SEND = event "trace.bench", target: "trace", DEBUG,
    ["src": u32, "dst": u32, "len": u32, "frags": u32, "desc": u32, "used_idx": u32, "seq": u32]);
probe!(static FLOOD = event "trace.flood", target: "trace", DEBUG, ["n"]);

/// The bench's own probes.
static PROBES: [&Probe; 2] = [&BENCH_SEND, &FLOOD];

/// Cycles per record on the shell core: through a probe as the bus writes
/// them (a `bus.send`-shaped event: seven narrow fields); to compare, the
/// same event through `tracing` (as the collective spans go), the record
/// built and written straight into a ring (the floor under a probe), and
/// a TSC read alone. The four take turns batch by batch, so the machine's
/// noise falls on all of them alike, and each reports its median batch.
fn record_cost(out: &mut dyn Write) -> Result<(), Error> {
    let scratch = SlotRing::new();
    // A batch's slots (one a record: the probe is narrow), rounded up to
    // the power of two a ring takes: a quarter of a MiB, once per bench trace.
    let slots = (RECORD_BATCH as usize).next_power_of_two();
    let memory = vec![[0u64; SLOT_WORDS]; slots].into_boxed_slice();
    if !scratch.attach(Box::leak(memory)) {
        return Err(Error::invalid(
            "the floor's scratch ring refused its memory",
        ));
    }
    trace::add_probes(&PROBES);
    let (_, dropped_before) = trace::totals();
    let mut batches: [Vec<f64>; 4] = Default::default();
    for batch in 0..RECORD_BATCHES {
        trace::turn_on(None).map_err(Error::invalid)?;
        batches[0].push(cycles_per_record(|i| {
            BENCH_SEND.fire(|| [1, 2, 64, 1, i, i, batch]);
        }));
        trace::drain_now();
        batches[1].push(cycles_per_record(|i| {
            tracing::event!(name: "trace.bench", target: "trace", Level::DEBUG,
                src = 1u64, dst = 2u64, len = 64u64, frags = 1u64, desc = i, used_idx = i, seq = batch);
        }));
        trace::turn_off();
        scratch.release_to(scratch.head());
        let floor_start = scratch.head();
        batches[2].push(cycles_per_record(|i| {
            // The probe's values, packed as it hands them over.
            let words = core::hint::black_box(probe::pack(&[1, 2, 64, 1, i, i, batch, 0]));
            let record = Narrow {
                layout: const { Layout::new(RawKind::Event, 1, 7, 0).narrow() },
                ts: time::uptime_cycles(),
                span: 0,
                words,
            };
            core::hint::black_box(scratch.write_in_place(false, |slot, _| record.write(slot)));
        }));
        // A refused write costs a fraction of one made: the floor counts
        // only if every record went in.
        if scratch.head() - floor_start != RECORD_BATCH {
            return Err(Error::invalid("the floor's scratch ring refused records"));
        }
        batches[3].push(cycles_per_record(|_| {
            core::hint::black_box(time::now());
        }));
    }
    let (_, dropped) = trace::totals();
    if dropped != dropped_before {
        return Err(Error::invalid(alloc::format!(
            "{} records were dropped while their cost was measured",
            dropped - dropped_before
        )));
    }
    let [probed, traced, direct, clock] = batches.map(|b| median(b.into_iter()));
    writeln!(
        out,
        "one 7-field record (bus.send's shape), median of {RECORD_BATCHES} batches: {probed:.0} cycles through a probe, {traced:.0} through tracing; built and written straight into a ring: {direct:.0}; reading the TSC alone: {clock:.0}"
    )?;
    bench_line(out, "trace_record_cycles", probed, "cycles")?;
    bench_line(out, "trace_record_cycles_tracing", traced, "cycles")?;
    bench_line(out, "trace_record_cycles_floor", direct, "cycles")?;
    bench_line(out, "trace_record_cycles_clock", clock, "cycles")
}

/// Cycles per call of `record(i)` over one batch of [`RECORD_BATCH`] calls.
fn cycles_per_record(mut record: impl FnMut(u64)) -> f64 {
    let start = time::now();
    for i in 0..RECORD_BATCH {
        record(i);
    }
    (time::now() - start) as f64 / RECORD_BATCH as f64
}

/// Cores 1.. emit FLOOD_RATE records a second between them for FLOOD_MS.
fn flood(out: &mut dyn Write) -> Result<(), Error> {
    let producers: CoreSet = (1..cores::count()).fold(CoreSet::default(), CoreSet::with);
    let per_core = FLOOD_RATE / (cores::count() as u64 - 1);
    let interval = time::tsc_hz() / per_core;
    let length = time::tsc_hz() / 1000 * FLOOD_MS;
    trace::add_probes(&PROBES);
    trace::turn_on(None).map_err(Error::invalid)?;
    let (written_before, dropped_before) = trace::totals();
    let start = time::now();
    let ran = jobs::run_on(producers, "flood", false, out, |_| {
        Box::new(move |_: &cores::JobContext| flood_core(interval, length))
    });
    let elapsed = time::now() - start;
    trace::turn_off();
    ran?;
    let (written, dropped) = trace::totals();
    let per_s = (written - written_before) as f64 * time::tsc_hz() as f64 / elapsed.max(1) as f64;
    let dropped = dropped - dropped_before;
    writeln!(
        out,
        "flood of {FLOOD_RATE}/s from cores 1-{}: {per_s:.0} records/s written, {dropped} dropped",
        cores::count() - 1
    )?;
    bench_line(out, "trace_records_per_s", per_s, "records/s")?;
    bench_line(out, "trace_dropped_records", dropped as f64, "records")
}

/// One flooding core: a record every `interval` cycles for `length` cycles.
fn flood_core(interval: u64, length: u64) {
    let start = time::now();
    let mut due = start;
    let mut n = 0u64;
    while due < start + length {
        while time::now() < due {
            core::hint::spin_loop();
        }
        FLOOD.fire(|| [n]);
        n += 1;
        due += interval;
    }
}

fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

/// Largest minus smallest.
fn spread(values: &[f64]) -> f64 {
    let max = values.iter().copied().fold(f64::MIN, f64::max);
    let min = values.iter().copied().fold(f64::MAX, f64::min);
    max - min
}

fn bench_line(out: &mut dyn Write, name: &str, value: f64, unit: &str) -> Result<(), Error> {
    writeln!(
        out,
        "BENCH {{\"name\":\"{name}\",\"value\":{value:.4},\"unit\":\"{unit}\"}}"
    )?;
    Ok(())
}
