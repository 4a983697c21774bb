//! The bus's two ways of waiting, measured in the kernel under TCG with
//! `-smp 4`: `reduce 64 sum` and `ping 1 2 --count 10000` in poll and in
//! notify mode, the modes alternating in interleaved rounds on one boot.
//! Reports each notify/poll ratio's median with its min and max, and the
//! IPIs (notifications sent) per message in notify mode.

use anyhow::{Context, Result, bail};
use xtask::harness::{Config, Machine};
use xtask::vq_stats;

use super::{Measurement, median};

/// Interleaved rounds; each runs both modes, in alternating order.
const ROUNDS: usize = 5;
/// `reduce 64 sum` runs per mode and round (its median is the round's).
const REDUCES: usize = 9;
/// The ping of the issue.
const PING: &str = "ping 1 2 --count 10000";
/// The reduce of the issue.
const REDUCE: &str = "reduce 64 sum";

/// The two modes, as `bus mode` names them.
const MODES: [&str; 2] = ["poll", "notify"];

/// What one mode measured in one round.
#[derive(Clone, Copy, Debug, Default)]
struct Sample {
    /// Median over REDUCES of the reduce's time, in µs.
    reduce_us: f64,
    /// The ping's median round trip, in ns.
    ping_ns: f64,
    /// Notifications sent per message during the reduces.
    reduce_ipis_per_msg: f64,
    /// Notifications sent per message during the ping.
    ping_ipis_per_msg: f64,
}

/// Boots once, runs ROUNDS rounds and adds the results.
pub fn run(results: &mut Vec<Measurement>) -> Result<()> {
    let mut machine = Machine::boot(Config {
        command_timeout: std::time::Duration::from_secs(600),
        ..Config::smp(4)
    });
    let mut rounds: Vec<[Sample; 2]> = Vec::new();
    for round in 0..ROUNDS {
        let mut pair = [Sample::default(); 2];
        // Alternate which mode goes first, so neither always runs on a
        // freshly warmed (or freshly disturbed) host.
        for k in 0..2 {
            let mode = (round + k) % 2;
            pair[mode] = measure(&mut machine, MODES[mode])?;
            eprintln!(
                "notify bench round {round} {}: {:?}",
                MODES[mode], pair[mode]
            );
        }
        rounds.push(pair);
    }
    machine.run("bus mode poll");
    report(&rounds, results);
    Ok(())
}

/// Switches to `mode` and measures both commands.
fn measure(machine: &mut Machine, mode: &str) -> Result<Sample> {
    let answer = machine.run(&format!("bus mode {mode}"));
    if answer.trim() != format!("bus mode: {mode}") {
        bail!("`bus mode {mode}` answered {answer:?}");
    }
    let before = Counts::read(machine)?;
    let mut reduces = Vec::new();
    for _ in 0..REDUCES {
        reduces.push(reduce_us(&machine.run(REDUCE))?);
    }
    let middle = Counts::read(machine)?;
    let ping_ns = ping_median_ns(&machine.run(PING))?;
    let after = Counts::read(machine)?;
    Ok(Sample {
        reduce_us: median(&mut reduces),
        ping_ns,
        reduce_ipis_per_msg: middle.ipis_per_msg_since(&before),
        ping_ipis_per_msg: after.ipis_per_msg_since(&middle),
    })
}

/// Totals of `vq stats`: messages, and notifications sent.
struct Counts {
    messages: u64,
    notified: u64,
}

impl Counts {
    fn read(machine: &mut Machine) -> Result<Self> {
        let stats = machine.run("vq stats");
        Ok(Self {
            messages: table_total(&stats, "messages")?,
            notified: table_total(&stats, "notifications sent")?,
        })
    }

    fn ipis_per_msg_since(&self, before: &Counts) -> f64 {
        let messages = self.messages.saturating_sub(before.messages).max(1);
        self.notified.saturating_sub(before.notified) as f64 / messages as f64
    }
}

/// The sum of one `vq stats` table.
fn table_total(stats: &str, title: &str) -> Result<u64> {
    let matrix = vq_stats::table(stats, title)
        .with_context(|| format!("no '{title}' table in {stats:?}"))?;
    Ok(vq_stats::total(&matrix))
}

/// The µs of `reduce ...: N cycles = T us`.
fn reduce_us(out: &str) -> Result<f64> {
    let line = out
        .lines()
        .find(|l| l.starts_with("reduce 64 x i32") && l.ends_with(" us"))
        .with_context(|| format!("no timing line in {out:?}"))?;
    let (_, time) = line.rsplit_once("= ").context("no '= T us'")?;
    Ok(time.trim_end_matches(" us").parse()?)
}

/// The median of `... min/median/max a/b/c cycles = x/y/z ns`, in ns.
fn ping_median_ns(out: &str) -> Result<f64> {
    let (_, ns) = out
        .trim_end()
        .rsplit_once(" cycles = ")
        .with_context(|| format!("no round-trip line in {out:?}"))?;
    let median = ns.trim_end_matches(" ns").split('/').nth(1);
    Ok(median.context("no median")?.parse()?)
}

/// Median, min and max of the per-round notify/poll ratios, and the IPIs
/// per message in notify mode.
fn report(rounds: &[[Sample; 2]], results: &mut Vec<Measurement>) {
    let ratio = |f: fn(&Sample) -> f64| -> Vec<f64> {
        rounds
            .iter()
            .map(|[poll, notify]| f(notify) / f(poll))
            .collect()
    };
    let notify_only = |f: fn(&Sample) -> f64| -> Vec<f64> {
        rounds.iter().map(|[_, notify]| f(notify)).collect()
    };
    let goal = "x (notify / poll; < 1: notify wins)";
    spread(
        results,
        "notify_vs_poll_reduce_ratio",
        ratio(|s| s.reduce_us),
        goal,
    );
    spread(
        results,
        "notify_vs_poll_ping_ratio",
        ratio(|s| s.ping_ns),
        goal,
    );
    spread(
        results,
        "notify_ipis_per_msg_reduce",
        notify_only(|s| s.reduce_ipis_per_msg),
        "IPI/msg",
    );
    spread(
        results,
        "notify_ipis_per_msg_ping",
        notify_only(|s| s.ping_ipis_per_msg),
        "IPI/msg",
    );
    let poll_only =
        |f: fn(&Sample) -> f64| -> Vec<f64> { rounds.iter().map(|[poll, _]| f(poll)).collect() };
    spread(results, "poll_ping_rtt_ns", poll_only(|s| s.ping_ns), "ns");
    spread(
        results,
        "notify_ping_rtt_ns",
        notify_only(|s| s.ping_ns),
        "ns",
    );
    spread(
        results,
        "poll_reduce64_us",
        poll_only(|s| s.reduce_us),
        "us",
    );
    spread(
        results,
        "notify_reduce64_us",
        notify_only(|s| s.reduce_us),
        "us",
    );
}

/// Adds `name` (the median), `name_min` and `name_max`.
fn spread(results: &mut Vec<Measurement>, name: &str, mut values: Vec<f64>, unit: &str) {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mid = median(&mut values);
    for (suffix, value) in [("", mid), ("_min", min), ("_max", max)] {
        results.push(Measurement {
            name: format!("{name}{suffix}"),
            value,
            unit: unit.into(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_lines_parse() {
        let reduce = "hello from core 1\nsuccess! value: 6\n\
                      reduce 64 x i32 (sum, linear) on cores 0-3, root 0: 3390816 cycles = 1304.1 us\n";
        assert_eq!(reduce_us(reduce).unwrap(), 1304.1);
        let ping =
            "Core[1] <-> Core[2]: 10000 round trips, min/median/max 1/2/3 cycles = 10/25/90 ns\n";
        assert_eq!(ping_median_ns(ping).unwrap(), 25.0);
    }
}
