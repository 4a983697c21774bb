//! Host benchmark: does fragmenting twice cost anything? A 256 KiB message
//! ping-ponged between 2 ranks over the real `bus` (threads pinned to 2
//! cores), once with mpi's default frames (32,512 bytes, each cut into 32 bus
//! buffers by the bus) and once with frames that each fit one bus buffer
//! (mpi does all the cutting). Rounds alternate in one run; the result is
//! the median of the per-round ratios (docs/mpi.md, "Who fragments").

use std::time::Instant;

use bus::{Bus, Config};
use mpi::{Algorithm, BusPort, Mpi, Transport};

/// Bytes per message.
const LEN: usize = 256 * 1024;
/// Round trips before timing, per frame size.
const WARMUP: usize = 50;
/// Round trips per timed batch.
const BATCH: usize = 20;
/// Timed rounds (one batch of each frame size); medians are reported.
const ROUNDS: usize = 31;

fn main() {
    let (default, one_buffer, ratio) = compare();
    let line = |name: &str, value: f64, unit: &str| {
        println!("BENCH {{\"name\":\"{name}\",\"value\":{value:.3},\"unit\":\"{unit}\"}}");
    };
    line("mpi_256k_pingpong_default_frames_us", default, "us");
    line("mpi_256k_pingpong_one_buffer_frames_us", one_buffer, "us");
    line("mpi_default_vs_one_buffer_frames_ratio", ratio, "x");
}

/// Medians at rank 0: µs per round trip with default frames, with
/// one-buffer frames, and default ÷ one-buffer per round.
fn compare() -> (f64, f64, f64) {
    let (big, small) = (
        Bus::new(2, Config::default()).expect("bus"),
        Bus::new(2, Config::default()).expect("bus"),
    );
    let cpus = core_affinity::get_core_ids().unwrap_or_default();
    let per_rank: Vec<Vec<(f64, f64)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|core| {
                let (big, small, cpus) = (&big, &small, &cpus);
                s.spawn(move || {
                    if let Some(&cpu) = cpus.get(core % cpus.len().max(1)) {
                        core_affinity::set_for_current(cpu);
                    }
                    let mut default =
                        Mpi::new(BusPort::new(big.endpoint(core).expect("endpoint"))).expect("mpi");
                    let buffer = small.config().payload_per_buffer();
                    let port = BusPort::new(small.endpoint(core).expect("endpoint"))
                        .with_max_message(buffer);
                    let mut one_buffer = Mpi::new(port).expect("mpi");
                    rounds(&mut default, &mut one_buffer)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("rank thread"))
            .collect()
    });
    let rounds = per_rank.into_iter().next().unwrap_or_default();
    let ratios = rounds.iter().map(|(d, o)| d / o).collect();
    let (default, one_buffer) = rounds.into_iter().unzip();
    (median(default), median(one_buffer), median(ratios))
}

/// One rank's rounds: µs per round trip on each Mpi, alternating which goes
/// first.
fn rounds<A: Transport, B: Transport>(a: &mut Mpi<A>, b: &mut Mpi<B>) -> Vec<(f64, f64)> {
    let mut buf = vec![1u8; LEN];
    for _ in 0..WARMUP {
        ping_pong(a, &mut buf);
        ping_pong(b, &mut buf);
    }
    (0..ROUNDS)
        .map(|round| {
            if round % 2 == 0 {
                let first = batch(a, &mut buf);
                (first, batch(b, &mut buf))
            } else {
                let first = batch(b, &mut buf);
                (batch(a, &mut buf), first)
            }
        })
        .collect()
}

/// µs per round trip over `BATCH` round trips, after a barrier.
fn batch<T: Transport>(mpi: &mut Mpi<T>, buf: &mut [u8]) -> f64 {
    let world = mpi.world();
    mpi.barrier(&world, Algorithm::Tree).expect("barrier");
    let t0 = Instant::now();
    for _ in 0..BATCH {
        ping_pong(mpi, buf);
    }
    t0.elapsed().as_secs_f64() * 1e6 / BATCH as f64
}

/// Rank 0 sends `buf` to rank 1, which sends it back.
fn ping_pong<T: Transport>(mpi: &mut Mpi<T>, buf: &mut [u8]) {
    let world = mpi.world();
    let peer = 1 - world.rank();
    if world.rank() == 0 {
        mpi.send_bytes(&world, peer, 0, buf).expect("send");
        mpi.recv_bytes(&world, peer, 0, buf).expect("recv");
    } else {
        mpi.recv_bytes(&world, peer, 0, buf).expect("recv");
        mpi.send_bytes(&world, peer, 0, buf).expect("send");
    }
}

/// The middle value.
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}
