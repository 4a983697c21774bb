//! Benchmark (`cargo bench -p bus --bench ring`): bus against rtrb, crossbeam's
//! ArrayQueue and a raw cache-line ping-pong, two threads pinned to two cores,
//! the queues interleaved in rounds so load on a shared machine hits them alike.
//! Prints `BENCH {json}` lines for `cargo xtask bench`, then a readable table.

use std::hint::{black_box, spin_loop};
use std::sync::Barrier;
use std::sync::atomic::{AtomicU64, Ordering::Acquire, Ordering::Release};
use std::time::Instant;

use bus::{Bus, Config};
use crossbeam_queue::ArrayQueue;

/// Rounds; each runs every measurement once, in the order of [`MEASURES`].
const ROUNDS: usize = 15;
/// Round trips per RTT run (after as many again to warm up).
const ROUND_TRIPS: u64 = 20_000;
/// Messages per throughput run. Every consumer passes what it receives
/// through `black_box`, so no queue's data copy is optimised away.
const MESSAGES: u64 = 500_000;
/// Messages per call of the bus's batch calls.
const BATCH: usize = 16;
/// The message: 64 bytes, one cache line of payload.
type Msg = [u8; 64];
/// Ring capacity for every queue: the bus default.
const CAPACITY: usize = 64;

/// A counter alone on its cache lines (128 bytes: the adjacent-line
/// prefetcher pairs lines).
#[repr(align(128))]
struct Padded(AtomicU64);

/// Pins the calling thread to core 0 or 1 (if the machine has two).
type Pin<'a> = dyn Fn(usize) + Sync + 'a;

/// One measurement: its result name, unit, and the run that returns a value.
struct Measure {
    name: &'static str,
    unit: &'static str,
    run: fn(&Pin<'_>) -> f64,
}

/// Everything measured, in the order each round runs it.
#[rustfmt::skip]
const MEASURES: &[Measure] = &[
    Measure { name: "raw_cacheline_rtt_ns", unit: "ns", run: raw_rtt },
    Measure { name: "bus_rtt_ns", unit: "ns", run: bus_rtt },
    Measure { name: "rtrb_rtt_ns", unit: "ns", run: rtrb_rtt },
    Measure { name: "crossbeam_rtt_ns", unit: "ns", run: crossbeam_rtt },
    Measure { name: "bus_msgs_per_s", unit: "msgs/s", run: bus_tput },
    Measure { name: "bus_batch_msgs_per_s", unit: "msgs/s", run: bus_batch_tput },
    Measure { name: "rtrb_msgs_per_s", unit: "msgs/s", run: rtrb_tput },
    Measure { name: "crossbeam_msgs_per_s", unit: "msgs/s", run: crossbeam_tput },
];

/// A ratio of two measures taken in the same round, with its goal.
struct Ratio {
    name: &'static str,
    of: (&'static str, &'static str),
    goal: &'static str,
}

/// The ratios the bus is judged by (issue 13).
#[rustfmt::skip]
const RATIOS: &[Ratio] = &[
    Ratio { name: "bus_rtt_vs_raw_cacheline_ratio", of: ("bus_rtt_ns", "raw_cacheline_rtt_ns"), goal: "<= 1.5" },
    Ratio { name: "bus_vs_rtrb_throughput_ratio", of: ("bus_msgs_per_s", "rtrb_msgs_per_s"), goal: ">= 1" },
    Ratio { name: "bus_batch_vs_rtrb_throughput_ratio", of: ("bus_batch_msgs_per_s", "rtrb_msgs_per_s"), goal: ">= 1" },
];

fn main() {
    let cores = core_affinity::get_core_ids().unwrap_or_default();
    let pinned = cores.len() >= 2;
    let pin = |i: usize| {
        if pinned {
            core_affinity::set_for_current(cores[i]);
        }
    };
    // samples[m][r]: measure m in round r.
    let mut samples = vec![Vec::with_capacity(ROUNDS); MEASURES.len()];
    for round in 1..=ROUNDS {
        eprintln!("round {round} of {ROUNDS}");
        for (m, measure) in MEASURES.iter().enumerate() {
            samples[m].push((measure.run)(&pin));
        }
    }
    println!(
        "64-byte messages, queues of {CAPACITY}, {ROUNDS} interleaved rounds, threads pinned: {pinned}"
    );
    println!(
        "{:<36} {:>14} {:>14} {:>14}",
        "measure", "median", "min", "max"
    );
    for (measure, values) in MEASURES.iter().zip(&samples) {
        let spread = Spread::of(values);
        println!(
            r#"BENCH {{"name":"{}","value":{:.1},"unit":"{}"}}"#,
            measure.name, spread.median, measure.unit
        );
        spread.print(measure.name);
    }
    for ratio in RATIOS {
        let per_round: Vec<f64> = samples_of(&samples, ratio.of.0)
            .iter()
            .zip(samples_of(&samples, ratio.of.1))
            .map(|(a, b)| a / b)
            .collect();
        let spread = Spread::of(&per_round);
        let goal = ratio.goal;
        println!(
            r#"BENCH {{"name":"{}","value":{:.3},"unit":"x (goal {goal})"}}"#,
            ratio.name, spread.median
        );
        println!(
            r#"BENCH {{"name":"{}_min","value":{:.3},"unit":"x"}}"#,
            ratio.name, spread.min
        );
        println!(
            r#"BENCH {{"name":"{}_max","value":{:.3},"unit":"x"}}"#,
            ratio.name, spread.max
        );
        spread.print(ratio.name);
    }
}

/// The samples of the measure called `name`.
fn samples_of<'a>(samples: &'a [Vec<f64>], name: &str) -> &'a [f64] {
    let m = MEASURES
        .iter()
        .position(|m| m.name == name)
        .expect("a measure of that name");
    &samples[m]
}

/// Median, min and max of one measure's rounds.
struct Spread {
    median: f64,
    min: f64,
    max: f64,
}

impl Spread {
    fn of(values: &[f64]) -> Self {
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        Spread {
            median: v[v.len() / 2],
            min: v[0],
            max: v[v.len() - 1],
        }
    }

    fn print(&self, name: &str) {
        println!(
            "{name:<36} {:>14.3} {:>14.3} {:>14.3}",
            self.median, self.min, self.max
        );
    }
}

/// Runs `echo` on core 1 and `ping` on core 0, times the second half of
/// `ping`'s 2 × ROUND_TRIPS round trips, and returns ns per round trip.
fn rtt(pin: &Pin<'_>, ping: impl FnMut() + Send, echo: impl FnMut() + Send) -> f64 {
    let (mut ping, mut echo) = (ping, echo);
    std::thread::scope(|s| {
        s.spawn(|| {
            pin(1);
            for _ in 0..2 * ROUND_TRIPS {
                echo();
            }
        });
        pin(0);
        for _ in 0..ROUND_TRIPS {
            ping();
        }
        let start = Instant::now();
        for _ in 0..ROUND_TRIPS {
            ping();
        }
        start.elapsed().as_nanos() as f64 / ROUND_TRIPS as f64
    })
}

/// Calls `produce` on core 0 and `consume` on core 1 until each has moved
/// MESSAGES messages (each call returns how many it moved, 0 when it found
/// the ring full or empty); returns messages per second from the start
/// barrier to the last receive.
fn throughput(
    pin: &Pin<'_>,
    produce: impl FnMut(u64) -> u64 + Send,
    consume: impl FnMut() -> u64 + Send,
) -> f64 {
    let (mut produce, mut consume) = (produce, consume);
    let barrier = Barrier::new(2);
    std::thread::scope(|s| {
        s.spawn(|| {
            pin(0);
            barrier.wait();
            let mut sent = 0;
            while sent < MESSAGES {
                sent += produce(MESSAGES - sent);
            }
        });
        pin(1);
        barrier.wait();
        let start = Instant::now();
        let mut received = 0;
        while received < MESSAGES {
            received += consume();
        }
        MESSAGES as f64 / start.elapsed().as_secs_f64()
    })
}

/// Two counters, each written by one thread: the cost of moving one cache
/// line each way, the floor for any round trip between two cores.
fn raw_rtt(pin: &Pin<'_>) -> f64 {
    let (ping, pong) = (Padded(AtomicU64::new(0)), Padded(AtomicU64::new(0)));
    let (mut sent, mut seen) = (0, 0);
    rtt(
        pin,
        || {
            sent += 1;
            ping.0.store(sent, Release);
            while pong.0.load(Acquire) != sent {
                spin_loop();
            }
        },
        || {
            seen += 1;
            while ping.0.load(Acquire) != seen {
                spin_loop();
            }
            pong.0.store(seen, Release);
        },
    )
}

fn bus_rtt(pin: &Pin<'_>) -> f64 {
    let bus = Bus::new(2, Config::default()).unwrap();
    let (mut a, mut b) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
    let (msg, mut buf_a, mut buf_b) = ([7u8; 64], [0u8; 64], [0u8; 64]);
    rtt(
        pin,
        || {
            a.send(1, &msg).unwrap();
            let n = a.recv(1, &mut buf_a).unwrap();
            black_box(&buf_a[..n]);
        },
        || {
            let n = b.recv(0, &mut buf_b).unwrap();
            b.send(0, &buf_b[..n]).unwrap();
        },
    )
}

fn rtrb_rtt(pin: &Pin<'_>) -> f64 {
    let (mut p1, mut c1) = rtrb::RingBuffer::<Msg>::new(CAPACITY);
    let (mut p2, mut c2) = rtrb::RingBuffer::<Msg>::new(CAPACITY);
    rtt(
        pin,
        || {
            while p1.push([7; 64]).is_err() {
                spin_loop();
            }
            while c2.pop().map(black_box).is_err() {
                spin_loop();
            }
        },
        || {
            let m = loop {
                match c1.pop() {
                    Ok(m) => break m,
                    Err(_) => spin_loop(),
                }
            };
            while p2.push(m).is_err() {
                spin_loop();
            }
        },
    )
}

fn crossbeam_rtt(pin: &Pin<'_>) -> f64 {
    let (there, back) = (
        ArrayQueue::<Msg>::new(CAPACITY),
        ArrayQueue::<Msg>::new(CAPACITY),
    );
    rtt(
        pin,
        || {
            while there.push([7; 64]).is_err() {
                spin_loop();
            }
            while back.pop().map(black_box).is_none() {
                spin_loop();
            }
        },
        || {
            let m = loop {
                match there.pop() {
                    Some(m) => break m,
                    None => spin_loop(),
                }
            };
            while back.push(m).is_err() {
                spin_loop();
            }
        },
    )
}

fn bus_tput(pin: &Pin<'_>) -> f64 {
    let bus = Bus::new(2, Config::default()).unwrap();
    let (mut a, mut b) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
    let (msg, mut buf) = ([7u8; 64], [0u8; 64]);
    throughput(
        pin,
        |_| {
            a.send(1, &msg).unwrap();
            1
        },
        || {
            let n = b.recv(0, &mut buf).unwrap();
            black_box(&buf[..n]);
            1
        },
    )
}

/// The bus's batch calls: up to BATCH messages per call on each side.
fn bus_batch_tput(pin: &Pin<'_>) -> f64 {
    let bus = Bus::new(2, Config::default()).unwrap();
    let (mut a, mut b) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
    let (msgs, mut buf) = ([[7u8; 64]; BATCH], [0u8; 64]);
    throughput(
        pin,
        |left| {
            let n = left.min(BATCH as u64) as usize;
            let sent = a.try_send_batch(1, &msgs[..n]).unwrap();
            if sent == 0 {
                spin_loop();
            }
            sent as u64
        },
        || {
            let got = b
                .try_recv_batch(0, &mut buf, BATCH, |m| {
                    black_box(m);
                })
                .unwrap();
            if got == 0 {
                spin_loop();
            }
            got as u64
        },
    )
}

fn rtrb_tput(pin: &Pin<'_>) -> f64 {
    let (mut p, mut c) = rtrb::RingBuffer::<Msg>::new(CAPACITY);
    throughput(
        pin,
        |_| {
            while p.push([7; 64]).is_err() {
                spin_loop();
            }
            1
        },
        || {
            let m = loop {
                match c.pop() {
                    Ok(m) => break m,
                    Err(_) => spin_loop(),
                }
            };
            black_box(m);
            1
        },
    )
}

fn crossbeam_tput(pin: &Pin<'_>) -> f64 {
    let q = ArrayQueue::<Msg>::new(CAPACITY);
    throughput(
        pin,
        |_| {
            while q.push([7; 64]).is_err() {
                spin_loop();
            }
            1
        },
        || {
            let m = loop {
                match q.pop() {
                    Some(m) => break m,
                    None => spin_loop(),
                }
            };
            black_box(m);
            1
        },
    )
}
