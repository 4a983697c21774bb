//! `cargo xtask bench`: boot-to-prompt time under TCG for several core
//! counts, then the host bench binaries in [`HOST_BENCHES`], the kernel
//! benches and the bus's poll/notify comparison (bench/notify.rs); writes
//! `target/bench/results.json` and prints a table.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use anyhow::{Context, Result, bail};
use clap::Args;
use serde::{Deserialize, Serialize};
use xtask::harness::{self, Config, Machine, PROMPT};
use xtask::workspace::{self, TargetRef};
use xtask::{cmd, qemu, setup};

mod notify;

/// Core counts whose boot time is measured, as `boot_smp{N}_s`.
const BOOT_SMPS: [u32; 3] = [1, 4, 8];

/// A host benchmark binary: `cargo bench -p PACKAGE --bench BENCH [-- ARGS]`.
/// It prints one line `BENCH {"name": .., "value": .., "unit": ..}` per result.
pub struct HostBench {
    /// The package that owns the bench target.
    pub package: &'static str,
    /// The bench target's name (`benches/NAME.rs`).
    pub bench: &'static str,
    /// Arguments for the bench binary itself.
    pub args: &'static [&'static str],
}

// ===================================================================
// HOST BENCHES: one entry per bench target that prints BENCH lines.
// An entry whose target does not exist yet is skipped, saying so.
// ===================================================================
/// The host benchmarks, run in this order after the boot times.
#[rustfmt::skip]
pub const HOST_BENCHES: &[HostBench] = &[
    // bus vs rtrb vs crossbeam vs a raw cache line (bus/benches/ring.rs).
    HostBench { package: "bus", bench: "ring", args: &[] },
    // mpi reduce of 64 i32 on 2 ranks vs MPICH's MPI_Reduce (mpi/benches/reduce.rs).
    HostBench { package: "mpi", bench: "reduce", args: &[] },
    // a 256 KiB ping-pong with mpi's default frames vs one-bus-buffer frames
    // (mpi/benches/frames.rs; docs/mpi.md, "Who fragments").
    HostBench { package: "mpi", bench: "frames", args: &[] },
];

/// A kernel command whose `BENCH {...}` lines are results, run on a fresh
/// boot with `smp` cores.
struct KernelBench {
    /// Cores to boot with.
    smp: u32,
    /// The shell command.
    command: &'static str,
    /// Whether QEMU gets the trace device (a virtio console, written to
    /// target/bench/bench-trace.stream), which tracing needs.
    traced: bool,
    /// Whether QEMU counts instructions (`-icount shift=0`: the guest TSC
    /// advances one per instruction): then a result named `..._cycles..`
    /// is renamed `..._instructions..`, a figure the host's load does not
    /// change.
    icount: bool,
}

/// The kernel benches, run after the host ones.
#[rustfmt::skip]
const KERNEL_BENCHES: &[KernelBench] = &[
    // Tracing's cost: ping and reduce with no subscriber, then trace off and
    // on in turn; cycles per record; a flood of a million records a second.
    KernelBench { smp: 3, command: "bench trace", traced: true, icount: false },
    // The same records counted in guest instructions (deterministic).
    KernelBench { smp: 1, command: "bench trace --records", traced: true, icount: true },
    // The framebuffer console: a full-screen line scroll, 1000 lines printed.
    KernelBench { smp: 1, command: "fb bench", traced: false, icount: false },
];

/// A ratio of two results, with its goal.
struct Ratio {
    /// Name of the derived result.
    name: &'static str,
    /// Numerator and denominator result names.
    of: (&'static str, &'static str),
    /// The goal, as text.
    goal: &'static str,
}

/// The side-by-side comparisons the issues set goals on. The bus's ratios to
/// rtrb and the raw cache line come from bus/benches/ring.rs itself, as
/// medians of per-round ratios with their min and max (`_min`, `_max`).
#[rustfmt::skip]
const RATIOS: &[Ratio] = &[
    Ratio { name: "ringlab_vs_mpich_reduce64_ratio", of: ("ringlab_reduce64_ns", "mpich_reduce64_ns"), goal: "< 1" },
];

/// A goal shown next to a result: `value < below`.
struct Goal {
    /// The result it applies to.
    name: &'static str,
    /// The value must stay under this.
    below: f64,
}

/// The goals shown in the table.
#[rustfmt::skip]
const GOALS: &[Goal] = &[
    Goal { name: "boot_smp4_s", below: 0.5 },
    Goal { name: "mpi_default_vs_one_buffer_frames_ratio", below: 1.05 },
    Goal { name: "trace_off_overhead_ratio", below: 1.02 },
    Goal { name: "trace_on_overhead_ratio", below: 1.5 },
    Goal { name: "trace_record_cycles", below: 250.0 },
    Goal { name: "trace_dropped_records", below: 1.0 },
];

/// Measure boot-to-prompt time (-smp 1/4/8) and run the host benches;
/// writes target/bench/results.json.
#[derive(Debug, Args)]
pub struct Bench {
    /// Boots per core count; the median is reported.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub boots: u32,
    /// Only the bus: its host bench (bus/benches/ring.rs) and its
    /// instruction counts, no boots, no kernel or MPI benches.
    #[arg(long)]
    pub bus_only: bool,
    /// Only the bus's poll/notify comparison in the kernel (bench/notify.rs).
    #[arg(long)]
    pub notify_only: bool,
    /// Only tracing's cost in the kernel (`bench trace`).
    #[arg(long)]
    pub trace_only: bool,
}

/// One result, as it appears in results.json and on BENCH lines.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// e.g. `boot_smp4_s`.
    pub name: String,
    /// The measured value.
    pub value: f64,
    /// e.g. `s`, `ns/op`, `msg/s`.
    pub unit: String,
}

impl Bench {
    /// Measures, writes results.json, prints the table; fails if a host
    /// bench failed (after writing what was measured).
    pub fn run(self) -> Result<ExitCode> {
        let mut results = Vec::new();
        let mut failed = Vec::new();
        if self.bus_only {
            host_benches(&mut results, &mut failed, |bench| bench.package == "bus");
        } else if self.notify_only {
            harness::try_kernel_elf().map_err(anyhow::Error::msg)?;
            notify_bench(&mut results, &mut failed);
        } else if self.trace_only {
            harness::try_kernel_elf().map_err(anyhow::Error::msg)?;
            kernel_benches(&mut results, &mut failed, |bench| {
                bench.command.starts_with("bench trace")
            });
        } else {
            self.run_all(&mut results, &mut failed)?;
        }
        add_ratios(&mut results);
        write_results(&results)?;
        print_table(&results);
        if !failed.is_empty() {
            bail!("host benches failed: {}", failed.join(", "));
        }
        Ok(ExitCode::SUCCESS)
    }

    /// Boot times, every host bench, the instruction counts, the kernel benches.
    fn run_all(
        &self,
        results: &mut Vec<Measurement>,
        failed: &mut Vec<&'static str>,
    ) -> Result<()> {
        harness::try_kernel_elf().map_err(anyhow::Error::msg)?;
        for smp in BOOT_SMPS {
            results.push(boot_time(smp, self.boots)?);
        }
        if let Err(err) = setup::ensure_mpich() {
            eprintln!("warning: no MPICH, so no mpich_reduce64_ns: {err:#}");
        }
        host_benches(results, failed, |_| true);
        kernel_benches(results, failed, |_| true);
        notify_bench(results, failed);
        Ok(())
    }
}

/// Runs the kernel benches `wanted` picks, adding to `results` and naming
/// in `failed` each that failed.
fn kernel_benches(
    results: &mut Vec<Measurement>,
    failed: &mut Vec<&'static str>,
    wanted: impl Fn(&KernelBench) -> bool,
) {
    for bench in KERNEL_BENCHES.iter().filter(|bench| wanted(bench)) {
        note_failure(bench.run(results), failed, bench.command);
    }
}

/// Prints `outcome`'s error, if any, and names `what` in `failed`.
fn note_failure(outcome: Result<()>, failed: &mut Vec<&'static str>, what: &'static str) {
    if let Err(err) = outcome {
        eprintln!("error: {err:#}");
        failed.push(what);
    }
}

/// Poll against notify mode on the bus, in the kernel (bench/notify.rs).
fn notify_bench(results: &mut Vec<Measurement>, failed: &mut Vec<&'static str>) {
    if let Err(err) = notify::run(results) {
        eprintln!("error: {err:#}");
        failed.push("bus mode poll vs notify");
    }
}

/// Runs the host benches `wanted` picks, then the bus's instruction counts,
/// adding to `results` and naming in `failed` each that failed.
fn host_benches(
    results: &mut Vec<Measurement>,
    failed: &mut Vec<&'static str>,
    wanted: impl Fn(&HostBench) -> bool,
) {
    for bench in HOST_BENCHES.iter().filter(|bench| wanted(bench)) {
        note_failure(bench.run(results), failed, bench.bench);
    }
    if let Err(err) = crate::instructions::count(results) {
        eprintln!("error: {err:#}");
        failed.push("instruction counts");
    }
}

/// The median over `boots` boots of the time from spawning QEMU with `smp`
/// cores to the first prompt.
fn boot_time(smp: u32, boots: u32) -> Result<Measurement> {
    let mut samples = Vec::new();
    for _ in 0..boots {
        let config = Config::smp(smp);
        let timeout = config.boot_timeout;
        let mut machine = Machine::spawn(config);
        machine.expect(PROMPT, timeout)?;
        samples.push(machine.elapsed().as_secs_f64());
    }
    let shown: Vec<String> = samples.iter().map(|s| format!("{s:.3}")).collect();
    eprintln!("boot_smp{smp}_s samples: {}", shown.join(" "));
    Ok(Measurement {
        name: format!("boot_smp{smp}_s"),
        value: median(&mut samples),
        unit: "s".into(),
    })
}

/// The median of `samples` (mean of the middle two for an even count).
fn median(samples: &mut [f64]) -> f64 {
    samples.sort_by(f64::total_cmp);
    let mid = samples.len() / 2;
    if samples.len() % 2 == 1 {
        samples[mid]
    } else {
        (samples[mid - 1] + samples[mid]) / 2.0
    }
}

impl HostBench {
    /// Runs the bench, echoing its output and adding its BENCH lines to
    /// `results`; skips it if the target does not exist yet.
    fn run(&self, results: &mut Vec<Measurement>) -> Result<()> {
        let target = TargetRef::bench(self.package, self.bench);
        if !workspace::has_target(target)? {
            eprintln!("skip: no {target} yet");
            return Ok(());
        }
        let mut cargo = cmd::cargo();
        cargo.args(["bench", "-p", self.package, "--bench", self.bench]);
        if !self.args.is_empty() {
            cargo.arg("--").args(self.args);
        }
        let found = stream_bench_lines(&mut cargo, results)?;
        if found == 0 {
            eprintln!("warning: {target} printed no `BENCH {{...}}` lines");
        }
        Ok(())
    }
}

impl KernelBench {
    /// Boots, runs the command (waiting as long as it takes) and adds the
    /// BENCH lines it printed.
    fn run(&self, results: &mut Vec<Measurement>) -> Result<()> {
        let mut config = Config {
            command_timeout: std::time::Duration::from_secs(600),
            ..Config::smp(self.smp)
        };
        if self.traced {
            let stream = workspace::target_dir()
                .join("bench")
                .join("bench-trace.stream");
            fs::create_dir_all(stream.parent().expect("a file in a folder"))?;
            let chardev = format!("file,path={}", stream.display());
            config.extra_args = qemu::trace_args(&chardev, qemu::TraceChannel::Virtio);
        }
        if self.icount {
            config
                .extra_args
                .extend(["-icount".into(), "shift=0".into()]);
        }
        let mut machine = Machine::boot(config);
        let output = machine.run(self.command);
        println!("{output}");
        let before = results.len();
        for measurement in output.lines().filter_map(parse_bench_line) {
            let measurement = measurement?;
            results.push(if self.icount {
                in_instructions(measurement)
            } else {
                measurement
            });
        }
        if results.len() == before {
            bail!("`{}` printed no BENCH lines", self.command);
        }
        Ok(())
    }
}

/// `measurement` taken under `-icount shift=0`, where a cycle is an
/// instruction: `trace_record_cycles` becomes `trace_record_instructions`.
fn in_instructions(measurement: Measurement) -> Measurement {
    if measurement.unit != "cycles" {
        return measurement;
    }
    Measurement {
        name: measurement.name.replace("_cycles", "_instructions"),
        unit: "instructions".into(),
        ..measurement
    }
}

/// Adds each ratio in RATIOS whose two results were measured.
fn add_ratios(results: &mut Vec<Measurement>) {
    let value = |name: &str, results: &[Measurement]| {
        results.iter().find(|m| m.name == name).map(|m| m.value)
    };
    for ratio in RATIOS {
        if let (Some(a), Some(b)) = (value(ratio.of.0, results), value(ratio.of.1, results)) {
            eprintln!(
                "{} = {} / {} = {:.3} (goal {})",
                ratio.name,
                ratio.of.0,
                ratio.of.1,
                a / b,
                ratio.goal
            );
            results.push(Measurement {
                name: ratio.name.into(),
                value: a / b,
                unit: format!("x (goal {})", ratio.goal),
            });
        }
    }
}

/// Echoes and runs `cargo`, copying its stdout here and adding the
/// measurements on its BENCH lines to `results`; returns how many it added.
fn stream_bench_lines(cargo: &mut Command, results: &mut Vec<Measurement>) -> Result<usize> {
    eprintln!("{}", cmd::render(cargo));
    let mut child = cargo
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot start cargo bench")?;
    let before = results.len();
    for line in BufReader::new(child.stdout.take().expect("stdout is piped")).lines() {
        let line = line?;
        println!("{line}");
        if let Some(measurement) = parse_bench_line(&line) {
            results.push(measurement?);
        }
    }
    let status = child.wait()?;
    if !status.success() {
        bail!(
            "`{}` failed ({status})",
            cmd::render(cargo).trim_start_matches("$ ")
        );
    }
    Ok(results.len() - before)
}

/// The measurement on a `BENCH {...}` line; `None` for other lines.
fn parse_bench_line(line: &str) -> Option<Result<Measurement>> {
    let json = line.trim_end().strip_prefix("BENCH ")?;
    Some(serde_json::from_str(json).with_context(|| format!("bad BENCH line: {line}")))
}

/// Writes `results` to target/bench/results.json.
fn write_results(results: &[Measurement]) -> Result<()> {
    let path = workspace::target_dir().join("bench").join("results.json");
    write_json(&path, results)?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

/// Writes `results` to `path` as a pretty JSON array, creating its directory.
fn write_json(path: &Path, results: &[Measurement]) -> Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let json = serde_json::to_string_pretty(results)? + "\n";
    fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))
}

/// Prints `results` as a table, with any goal beside its result.
fn print_table(results: &[Measurement]) {
    let width = results
        .iter()
        .map(|m| m.name.len())
        .max()
        .unwrap_or(0)
        .max(4);
    println!("{:<width$}  {:>12}  {:<6}  goal", "name", "value", "unit");
    for m in results {
        let goal = GOALS.iter().find(|goal| goal.name == m.name).map(|goal| {
            let verdict = if m.value < goal.below {
                "met"
            } else {
                "NOT met"
            };
            format!("< {} {}: {verdict}", goal.below, m.unit)
        });
        let value = format_value(m.value);
        println!(
            "{:<width$}  {value:>12}  {:<6}  {}",
            m.name,
            m.unit,
            goal.unwrap_or_default()
        );
    }
}

/// `value` with three decimals, or none once it is large.
fn format_value(value: f64) -> String {
    if value.abs() >= 1000.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_under_icount_count_instructions() {
        let measured = |name: &str, unit: &str| Measurement {
            name: name.into(),
            value: 80.0,
            unit: unit.into(),
        };
        assert_eq!(
            in_instructions(measured("trace_record_cycles_floor", "cycles")),
            measured("trace_record_instructions_floor", "instructions")
        );
        let rate = measured("trace_records_per_s", "records/s");
        assert_eq!(
            in_instructions(rate.clone()),
            rate,
            "only cycles are renamed"
        );
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&mut [0.5, 0.1, 0.3, 0.9, 0.2]), 0.3);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
    }

    #[test]
    fn bench_lines_parse_and_other_lines_are_ignored() {
        let line = r#"BENCH {"name": "ring_push_pop", "value": 12.5, "unit": "ns/op"}"#;
        let parsed = parse_bench_line(line).unwrap().unwrap();
        assert_eq!(
            parsed,
            Measurement {
                name: "ring_push_pop".into(),
                value: 12.5,
                unit: "ns/op".into()
            }
        );
        assert!(parse_bench_line("running 1 benchmark").is_none());
        assert!(parse_bench_line("BENCH {not json").unwrap().is_err());
    }

    #[test]
    fn results_json_is_an_array_of_name_value_unit() {
        let results = [Measurement {
            name: "boot_smp4_s".into(),
            value: 0.25,
            unit: "s".into(),
        }];
        let path =
            std::env::temp_dir().join(format!("ringlab-bench-{}/results.json", std::process::id()));
        write_json(&path, &results).unwrap();
        let json: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        fs::remove_dir_all(path.parent().unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!([{"name": "boot_smp4_s", "value": 0.25, "unit": "s"}])
        );
    }

    #[test]
    fn values_are_formatted_by_size() {
        assert_eq!(format_value(0.31249), "0.312");
        assert_eq!(format_value(1_234_567.8), "1234568");
    }
}
