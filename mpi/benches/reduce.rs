//! Host benchmark: `mpi` reduce of 64 i32 on 2 ranks over the real `bus`
//! (threads pinned to 2 cores), then MPICH's MPI_Reduce with 2 processes
//! (benches/mpich_reduce.c) when `mpicc` and `mpiexec` are on PATH.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bus::Endpoint;
use bus::{Bus, Config};
use mpi::BusPort;

/// A rank's endpoint as its transport (idle turns spin: one thread per core).
type Port<'bus> = BusPort<'bus, Endpoint<'bus>>;
use mpi::{Algorithm, Mpi, Op};

/// Elements per vector, as in Toro's demo.
const LEN: usize = 64;
/// Reduces before timing.
const WARMUP: usize = 2000;
/// Reduces per timed batch.
const BATCH: usize = 1000;
/// Timed batches; the median is reported.
const SAMPLES: usize = 31;
/// How long MPICH may take, compile and run together.
const MPICH_LIMIT: Duration = Duration::from_secs(20);

fn main() {
    let ns = ringlab_reduce();
    println!("BENCH {{\"name\":\"ringlab_reduce64_ns\",\"value\":{ns:.1},\"unit\":\"ns\"}}");
    match mpich_reduce() {
        Ok(ns) => {
            println!("BENCH {{\"name\":\"mpich_reduce64_ns\",\"value\":{ns:.1},\"unit\":\"ns\"}}")
        }
        Err(why) => eprintln!("mpich_reduce64_ns skipped: {why}"),
    }
}

/// Median ns per reduce at the root, two pinned threads over a default bus.
fn ringlab_reduce() -> f64 {
    let bus = Bus::new(2, Config::default()).expect("bus");
    let cpus = core_affinity::get_core_ids().unwrap_or_default();
    let per_rank: Vec<Vec<f64>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|core| {
                let (bus, cpus) = (&bus, &cpus);
                s.spawn(move || {
                    if let Some(&cpu) = cpus.get(core % cpus.len().max(1)) {
                        core_affinity::set_for_current(cpu);
                    }
                    let mut mpi =
                        Mpi::new(BusPort::new(bus.endpoint(core).expect("endpoint"))).expect("mpi");
                    time_batches(&mut mpi)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("rank thread"))
            .collect()
    });
    median(per_rank.into_iter().next().unwrap_or_default())
}

/// One rank's loop: warm up, then `SAMPLES` timed batches after barriers.
fn time_batches(mpi: &mut Mpi<Port<'_>>) -> Vec<f64> {
    let world = mpi.world();
    let send = [world.rank() as i32; LEN];
    let mut recv = [0i32; LEN];
    let mut reduce = |mpi: &mut Mpi<Port<'_>>| {
        mpi.reduce(&world, &send, &mut recv, Op::Sum, 0, Algorithm::Tree)
            .expect("reduce");
    };
    for _ in 0..WARMUP {
        reduce(mpi);
    }
    let mut samples = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        mpi.barrier(&world, Algorithm::Tree).expect("barrier");
        let t0 = Instant::now();
        for _ in 0..BATCH {
            reduce(mpi);
        }
        samples.push(t0.elapsed().as_nanos() as f64 / BATCH as f64);
    }
    assert!(
        world.rank() != 0 || recv == [1; LEN],
        "reduce gave {}",
        recv[LEN - 1]
    );
    samples
}

/// The middle value.
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Compiles and runs benches/mpich_reduce.c; its median ns per reduce.
fn mpich_reduce() -> Result<f64, String> {
    let (mpicc, mpiexec) = (
        on_path("mpicc").ok_or("mpicc not on PATH")?,
        on_path("mpiexec").ok_or("mpiexec not on PATH")?,
    );
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/mpich_reduce.c");
    let binary = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mpich_reduce");
    let start = Instant::now();
    let cc = Command::new(mpicc)
        .args(["-O2", "-o"])
        .arg(&binary)
        .arg(&source)
        .output()
        .map_err(|e| e.to_string())?;
    if !cc.status.success() {
        return Err(format!(
            "mpicc failed: {}",
            String::from_utf8_lossy(&cc.stderr)
        ));
    }
    let mut run = Command::new(mpiexec);
    run.args(["-n", "2"])
        .arg(&binary)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let out = output_within(run, MPICH_LIMIT.saturating_sub(start.elapsed()))?;
    let value = |key: &str| out.lines().find_map(|l| l.strip_prefix(key)).map(str::trim);
    if value("check ") != Some("1") {
        return Err(format!("MPICH's reduce gave a wrong result: {out}"));
    }
    value("median_ns ")
        .and_then(|v| v.parse().ok())
        .ok_or(format!("no median in MPICH output: {out}"))
}

/// `cmd`'s stdout, or an error if it fails or outlives `limit`.
fn output_within(mut cmd: Command, limit: Duration) -> Result<String, String> {
    let mut child = cmd.spawn().map_err(|e| e.to_string())?;
    let deadline = Instant::now() + limit;
    while child.try_wait().map_err(|e| e.to_string())?.is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            return Err(format!("mpiexec still running after {limit:?}; killed"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "mpiexec failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The full path of `tool` if it is on PATH.
fn on_path(tool: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(tool))
        .find(|p| p.is_file())
}
