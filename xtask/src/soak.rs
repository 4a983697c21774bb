//! `cargo xtask soak [--minutes N] [--smp N] [--seed S]`: a seeded random mix
//! of demos, programs, Ctrl-C and tracing on one machine, every answer and
//! `vq check` checked after each step, then a summary. Not a benchmark.

use std::process::ExitCode;
use std::thread::sleep;
use std::time::{Duration, Instant, SystemTime};

use anyhow::Result;
use clap::Args;
use rand_core::{Rng, SeedableRng};
use rand_xorshift::XorShiftRng;
use xtask::harness::{Config, Machine, PROMPT};

/// Drives a seeded random mix of demos, programs and Ctrl-C for a while,
/// checking every answer and every queue; prints the seed for replay.
#[derive(Debug, Args)]
pub struct Soak {
    /// How long to drive the machine.
    #[arg(long, default_value_t = 2.0)]
    minutes: f64,
    /// Number of cores (`-smp`), 2 to 32.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(2..=32))]
    smp: u32,
    /// Seed of the random mix (default: from the clock); printed, for replay.
    #[arg(long)]
    seed: Option<u64>,
    /// Guest memory (`-m`).
    #[arg(long, default_value = "512M")]
    memory: String,
    /// Print every step and what it printed (to replay a failure).
    #[arg(long)]
    verbose: bool,
}

/// The collectives and whether each takes an op and a root.
const COLLECTIVES: [(&str, bool, bool); 7] = [
    ("reduce", true, true),
    ("allreduce", true, false),
    ("bcast", false, true),
    ("gather", false, true),
    ("scatter", false, true),
    ("allgather", false, false),
    ("barrier", false, false),
];
/// Ops for every type, then the bitwise ones for integer types.
const OPS: [&str; 4] = ["sum", "min", "max", "prod"];
const TYPES: [&str; 6] = ["i32", "i64", "u32", "u64", "f32", "f64"];

/// What a step's output must show.
enum Expect {
    /// `success!` (and, if given, exactly this value).
    Success(Option<i128>),
    /// These exact lines, in order.
    Lines(Vec<String>),
    /// A program's summary and none of the failure lines.
    Program(&'static str),
    /// Anything but an error.
    NoError,
}

/// One step: what to type and what must come back.
struct Step {
    command: String,
    expect: Expect,
    /// Ctrl-C this long after typing it (then a stop is a right answer too).
    interrupt_after: Option<Duration>,
}

/// How the run went.
#[derive(Default)]
struct Tally {
    steps: u64,
    interrupted: u64,
    failures: Vec<String>,
}

impl Soak {
    /// Boots, drives the mix until the time is up or the machine stops
    /// answering, prints the summary; failure on any wrong answer.
    pub fn run(self) -> Result<ExitCode> {
        let seed = self.seed.unwrap_or_else(clock_seed);
        println!(
            "soak: seed {seed}, {} cores, {} minutes",
            self.smp, self.minutes
        );
        let mut rng = XorShiftRng::seed_from_u64(seed);
        let mut machine = Machine::boot(Config {
            memory: self.memory.clone(),
            command_timeout: Duration::from_secs(120),
            // COM2 for `trace on`; the stream itself is not read.
            extra_args: vec!["-serial".into(), "null".into()],
            ..Config::smp(self.smp)
        });
        let deadline = Instant::now() + Duration::from_secs_f64(self.minutes * 60.0);
        let mut tally = Tally::default();
        while Instant::now() < deadline {
            let step = random_step(&mut rng, self.smp as usize);
            tally.steps += 1;
            tally.interrupted += u64::from(step.interrupt_after.is_some());
            if self.verbose {
                println!("soak step {}: {}", tally.steps, step.command);
            }
            if let Err(fatal) = drive(&mut machine, &step, &mut tally) {
                tally
                    .failures
                    .push(format!("step {}: {}: {fatal}", tally.steps, step.command));
                break; // the machine no longer answers
            }
        }
        let messages = count_messages(&mut machine).unwrap_or(0);
        Ok(summary(&tally, messages, seed, self.smp))
    }
}

/// A seed from the clock, for a run without `--seed`.
fn clock_seed() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |t| t.as_nanos() as u64)
}

/// Prints the summary and says how the run went.
fn summary(tally: &Tally, messages: u64, seed: u64, smp: u32) -> ExitCode {
    for failure in &tally.failures {
        println!("soak FAILED: {failure}");
    }
    println!(
        "soak: {} steps ({} with Ctrl-C), {messages} messages on the bus, {} failures, seed {seed} (replay: cargo xtask soak --smp {smp} --seed {seed})",
        tally.steps,
        tally.interrupted,
        tally.failures.len()
    );
    if tally.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Runs one step and `vq check`; a wrong answer goes into the tally, a
/// hang or a crash is returned (the run cannot go on).
fn drive(machine: &mut Machine, step: &Step, tally: &mut Tally) -> Result<(), String> {
    let out = type_command(machine, step)?;
    if step.interrupt_after.is_some() {
        resync(machine, tally.steps)?;
    }
    if let Some(why) = wrong(&step.expect, &out, step.interrupt_after.is_some()) {
        tally.failures.push(format!(
            "step {}: {}: {why}\n{out}",
            tally.steps, step.command
        ));
    }
    let check = type_command(machine, &plain("vq check"))?;
    if !check.trim_end().ends_with(" queues consistent") {
        tally.failures.push(format!(
            "step {}: vq check after {}:\n{check}",
            tally.steps, step.command
        ));
    }
    Ok(())
}

/// Types the step (and its Ctrl-C), waits for the prompt, and returns what
/// came after the echo. A background line may follow a Ctrl-C: nothing in
/// the mix runs in the background, so none does; see [`resync`].
fn type_command(machine: &mut Machine, step: &Step) -> Result<String, String> {
    machine.send(&format!("{}\r", step.command));
    if let Some(after) = step.interrupt_after {
        sleep(after);
        machine.send("\x03");
    }
    let timeout = Duration::from_secs(120);
    let out = machine
        .expect(PROMPT, timeout)
        .map_err(|e| e.failure.to_string())?;
    let out = out.strip_suffix(PROMPT).unwrap_or(&out).replace('\r', "");
    let after_echo = out.split_once('\n').map_or("", |(_, rest)| rest);
    Ok(after_echo.to_string())
}

/// After a Ctrl-C, which may have landed at the prompt instead (printing
/// another one): waits for a marker's echo, so the next step reads only
/// its own output.
fn resync(machine: &mut Machine, step: u64) -> Result<(), String> {
    let marker = format!("soak-sync-{step}");
    machine.send(&format!("echo {marker}\r"));
    let timeout = Duration::from_secs(120);
    let fail = |e: xtask::harness::HarnessError| e.failure.to_string();
    machine
        .expect(&format!("\n{marker}\n"), timeout)
        .map_err(fail)?;
    machine.expect(PROMPT, timeout).map_err(fail)?;
    Ok(())
}

/// Why `out` is not what `expect` asks for, if it is not.
fn wrong(expect: &Expect, out: &str, interrupted: bool) -> Option<String> {
    for bad in ["failed!", "KERNEL PANIC", "EXCEPTION", "faulted", "error:"] {
        if out.contains(bad) {
            return Some(format!("printed {bad:?}"));
        }
    }
    if interrupted && out.contains("stopped by Ctrl-C") {
        return None;
    }
    match expect {
        Expect::Success(value) => success(out, *value),
        Expect::Lines(lines) => {
            let got: Vec<&str> = out.lines().collect();
            (got != *lines).then(|| format!("expected {lines:?}"))
        }
        Expect::Program(name) => program_ok(out, name),
        Expect::NoError => None,
    }
}

/// The demo's `success!` line, with the value if one is expected.
fn success(out: &str, value: Option<i128>) -> Option<String> {
    let Some(line) = out.lines().find(|l| l.starts_with("success!")) else {
        return Some("no success! line".into());
    };
    let value = value?;
    let want = format!("success! value: {value}");
    (line != want).then(|| format!("expected {want:?}"))
}

/// A program's run: its summary line, no rank failed or died.
fn program_ok(out: &str, name: &str) -> Option<String> {
    let summary = format!("{name}: ");
    if !out
        .lines()
        .any(|l| l.starts_with(&summary) && l.contains(" ranks on cores "))
    {
        return Some("no summary line".into());
    }
    ["failed:", "died:", "did not finish"]
        .iter()
        .find(|bad| out.contains(*bad))
        .map(|bad| format!("a rank {bad}"))
}

/// A step with no Ctrl-C and no check but "no error".
fn plain(command: &str) -> Step {
    Step {
        command: command.into(),
        expect: Expect::NoError,
        interrupt_after: None,
    }
}

/// One random step of the mix.
fn random_step(rng: &mut XorShiftRng, smp: usize) -> Step {
    let mut step = match rng.next_u32() % 20 {
        0..=9 => collective(rng, smp),
        10..=11 => ping(rng, smp),
        12..=17 => program(rng, smp),
        18 => plain(["trace on", "trace off"][(rng.next_u32() % 2) as usize]),
        _ => plain("trace status"),
    };
    let stoppable = matches!(step.expect, Expect::Success(_) | Expect::Program(_));
    if stoppable && rng.next_u32().is_multiple_of(6) {
        step.interrupt_after = Some(Duration::from_millis(u64::from(rng.next_u32() % 400)));
    }
    step
}

/// A random non-empty set of `smp` cores with at least `min` of them, as
/// a list for `--cores`, and its cores in order.
fn cores(rng: &mut XorShiftRng, smp: usize, min: usize) -> (String, Vec<usize>) {
    loop {
        let bits = rng.next_u64() & ((1u64 << smp) - 1);
        let set: Vec<usize> = (0..smp).filter(|c| bits & (1 << c) != 0).collect();
        if set.len() >= min.max(1) {
            let list = set
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(",");
            return (list, set);
        }
    }
}

/// A random collective with its expected `success!` value.
fn collective(rng: &mut XorShiftRng, smp: usize) -> Step {
    let (name, takes_op, takes_root) = COLLECTIVES[rng.next_u32() as usize % COLLECTIVES.len()];
    let (list, set) = cores(rng, smp, 1);
    let ty = TYPES[rng.next_u32() as usize % TYPES.len()];
    let algo = ["linear", "tree"][(rng.next_u32() % 2) as usize];
    let len = [1, 7, 64, 1000, 4096, 40_000][rng.next_u32() as usize % 6];
    let root = set[rng.next_u32() as usize % set.len()];
    let op = OPS[rng.next_u32() as usize % OPS.len()];
    let mut command = name.to_string();
    if takes_root {
        command += &format!(" --root {root}");
    }
    command += &format!(" --cores {list} --type {ty} --algo {algo}");
    if name != "barrier" {
        command += &format!(" {len}");
    }
    if takes_op {
        command += &format!(" {op}");
    }
    let value = match (takes_op, ty) {
        (true, "i32" | "i64" | "u32" | "u64") => fold(op, &set),
        _ => None,
    };
    Step {
        command,
        expect: Expect::Success(value),
        interrupt_after: None,
    }
}

/// The fold of the core ids with `op`, as the demo's value (integers only;
/// a product that could overflow is left unchecked).
fn fold(op: &str, set: &[usize]) -> Option<i128> {
    let ids = set.iter().map(|&c| c as i128);
    match op {
        "sum" => Some(ids.sum()),
        "min" => ids.min(),
        "max" => ids.max(),
        _ if set.len() <= 8 => Some(ids.product()),
        _ => None,
    }
}

/// `ping SRC DST` with its four exact lines.
fn ping(rng: &mut XorShiftRng, smp: usize) -> Step {
    let src = rng.next_u32() as usize % smp;
    let dst = (src + 1 + rng.next_u32() as usize % (smp - 1)) % smp;
    Step {
        command: format!("ping {src} {dst}"),
        expect: Expect::Lines(vec![
            format!("Core[{src}] -> Core[{dst}]: ping"),
            format!("Core[{dst}] -> Core[{src}]: pong"),
        ]),
        interrupt_after: None,
    }
}

/// A random program (Rust or C) on random cores with random arguments.
fn program(rng: &mut XorShiftRng, smp: usize) -> Step {
    let (list, set) = cores(rng, smp, 2);
    let n = 64 + rng.next_u32() as usize % 2000;
    let (name, args): (&'static str, String) = match rng.next_u32() % 12 {
        0 => ("pi", format!("{n}")),
        1 => ("ring", format!("{}", 1 + n % 5)),
        2 => ("toro-reduce", String::new()),
        3 => ("pingpong", String::new()),
        4 => ("sort", format!("{n}")),
        5 => ("heat", format!("{} {}", set.len() * 4, 1 + n % 20)),
        6 => ("matvec", format!("{}", set.len() * (1 + n % 8))),
        7 => ("avg", format!("{n}")),
        8 => (
            "histogram",
            format!("{n} {} {}", 1 + n % 16, rng.next_u32()),
        ),
        9 => ("cpi", String::new()),
        10 => ("globals", String::new()),
        _ => ("token_ring", String::new()),
    };
    Step {
        command: format!("run {name} --cores {list} {args}")
            .trim_end()
            .to_string(),
        expect: Expect::Program(name),
        interrupt_after: None,
    }
}

/// Messages sent on the bus so far: the sum of `vq stats`' first matrix.
fn count_messages(machine: &mut Machine) -> Option<u64> {
    let stats = type_command(machine, &plain("vq stats")).ok()?;
    let table = stats.split("bytes (row").next()?;
    let rows = table.lines().skip(2);
    Some(
        rows.flat_map(|row| row.split_whitespace().skip(1))
            .filter_map(|cell| cell.parse::<u64>().ok())
            .sum(),
    )
}
