//! Benchmark (`cargo bench -p bus --bench ring`): bus against rtrb, crossbeam's
//! ArrayQueue and a raw cache-line ping-pong, two threads pinned to two cores.
//! Prints `BENCH {json}` lines for `cargo xtask bench`, then a readable table.

use std::hint::{black_box, spin_loop};
use std::sync::Barrier;
use std::sync::atomic::{AtomicU64, Ordering::Acquire, Ordering::Release};
use std::time::Instant;

use bus::{Bus, Config};
use crossbeam_queue::ArrayQueue;

/// Repetitions of each measurement; the median is reported.
const REPS: usize = 9;
/// Round trips per RTT repetition (after as many again to warm up).
const ROUNDS: u64 = 100_000;
/// Messages per throughput repetition. Every consumer passes what it
/// receives through `black_box`, so no queue's data copy is optimised away.
const MESSAGES: u64 = 2_000_000;
/// The message: 64 bytes, one cache line of payload.
type Msg = [u8; 64];
/// Ring capacity for every queue: the bus default.
const CAPACITY: usize = 64;

/// A counter alone on its cache lines (128 bytes: the adjacent-line
/// prefetcher pairs lines).
#[repr(align(128))]
struct Padded(AtomicU64);

fn main() {
    let cores = core_affinity::get_core_ids().unwrap_or_default();
    let pinned = cores.len() >= 2;
    let pin = |i: usize| {
        if pinned {
            core_affinity::set_for_current(cores[i]);
        }
    };
    let rtt = [
        ("raw_cacheline_rtt_ns", median(|| raw_rtt(&pin))),
        ("bus_rtt_ns", median(|| bus_rtt(&pin))),
        ("rtrb_rtt_ns", median(|| rtrb_rtt(&pin))),
        ("crossbeam_rtt_ns", median(|| crossbeam_rtt(&pin))),
    ];
    let tput = [
        ("bus_msgs_per_s", median(|| bus_tput(&pin))),
        ("rtrb_msgs_per_s", median(|| rtrb_tput(&pin))),
        ("crossbeam_msgs_per_s", median(|| crossbeam_tput(&pin))),
    ];
    for (name, value) in rtt {
        println!(r#"BENCH {{"name":"{name}","value":{value:.1},"unit":"ns"}}"#);
    }
    for (name, value) in tput {
        println!(r#"BENCH {{"name":"{name}","value":{value:.0},"unit":"msgs/s"}}"#);
    }
    report(&rtt, &tput, pinned);
}

/// The readable table and the two ratios the bus is judged by.
fn report(rtt: &[(&str, f64)], tput: &[(&str, f64)], pinned: bool) {
    println!();
    println!(
        "64-byte messages, queues of {CAPACITY}, median of {REPS} runs, threads pinned: {pinned}"
    );
    println!("{:<26} {:>14}", "round trip", "ns");
    for (name, v) in rtt {
        println!("{:<26} {:>14.1}", name.trim_end_matches("_rtt_ns"), v);
    }
    println!("{:<26} {:>14}", "one-way throughput", "msgs/s");
    for (name, v) in tput {
        println!("{:<26} {:>14.0}", name.trim_end_matches("_msgs_per_s"), v);
    }
    println!(
        "bus rtt / raw cache-line rtt: {:.2}x (goal <= 1.5)",
        rtt[1].1 / rtt[0].1
    );
    println!(
        "bus throughput / rtrb:        {:.2}x (goal >= 1.0)",
        tput[0].1 / tput[1].1
    );
}

/// Median of `REPS` runs of `f`.
fn median(mut f: impl FnMut() -> f64) -> f64 {
    let mut v: Vec<f64> = (0..REPS).map(|_| f()).collect();
    v.sort_by(f64::total_cmp);
    v[REPS / 2]
}

/// Runs `echo` on core 1 and `ping` on core 0, times the second half of
/// `ping`'s 2 × ROUNDS round trips, and returns ns per round trip.
fn rtt(pin: &(dyn Fn(usize) + Sync), ping: impl FnMut() + Send, echo: impl FnMut() + Send) -> f64 {
    let (mut ping, mut echo) = (ping, echo);
    std::thread::scope(|s| {
        s.spawn(|| {
            pin(1);
            for _ in 0..2 * ROUNDS {
                echo();
            }
        });
        pin(0);
        for _ in 0..ROUNDS {
            ping();
        }
        let start = Instant::now();
        for _ in 0..ROUNDS {
            ping();
        }
        start.elapsed().as_nanos() as f64 / ROUNDS as f64
    })
}

/// Runs `produce` MESSAGES times on core 0 and `consume` as often on core 1;
/// returns messages per second from the start barrier to the last receive.
fn throughput(
    pin: &(dyn Fn(usize) + Sync),
    produce: impl FnMut() + Send,
    consume: impl FnMut() + Send,
) -> f64 {
    let (mut produce, mut consume) = (produce, consume);
    let barrier = Barrier::new(2);
    std::thread::scope(|s| {
        s.spawn(|| {
            pin(0);
            barrier.wait();
            for _ in 0..MESSAGES {
                produce();
            }
        });
        pin(1);
        barrier.wait();
        let start = Instant::now();
        for _ in 0..MESSAGES {
            consume();
        }
        MESSAGES as f64 / start.elapsed().as_secs_f64()
    })
}

/// Two counters, each written by one thread: the cost of moving one cache
/// line each way, the floor for any round trip between two cores.
fn raw_rtt(pin: &(dyn Fn(usize) + Sync)) -> f64 {
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

fn bus_rtt(pin: &(dyn Fn(usize) + Sync)) -> f64 {
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

fn rtrb_rtt(pin: &(dyn Fn(usize) + Sync)) -> f64 {
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

fn crossbeam_rtt(pin: &(dyn Fn(usize) + Sync)) -> f64 {
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

fn bus_tput(pin: &(dyn Fn(usize) + Sync)) -> f64 {
    let bus = Bus::new(2, Config::default()).unwrap();
    let (mut a, mut b) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
    let (msg, mut buf) = ([7u8; 64], [0u8; 64]);
    throughput(
        pin,
        || a.send(1, &msg).unwrap(),
        || {
            let n = b.recv(0, &mut buf).unwrap();
            black_box(&buf[..n]);
        },
    )
}

fn rtrb_tput(pin: &(dyn Fn(usize) + Sync)) -> f64 {
    let (mut p, mut c) = rtrb::RingBuffer::<Msg>::new(CAPACITY);
    throughput(
        pin,
        || {
            while p.push([7; 64]).is_err() {
                spin_loop();
            }
        },
        || {
            let m = loop {
                match c.pop() {
                    Ok(m) => break m,
                    Err(_) => spin_loop(),
                }
            };
            black_box(m);
        },
    )
}

fn crossbeam_tput(pin: &(dyn Fn(usize) + Sync)) -> f64 {
    let q = ArrayQueue::<Msg>::new(CAPACITY);
    throughput(
        pin,
        || {
            while q.push([7; 64]).is_err() {
                spin_loop();
            }
        },
        || {
            let m = loop {
                match q.pop() {
                    Some(m) => break m,
                    None => spin_loop(),
                }
            };
            black_box(m);
        },
    )
}
