//! `instructions QUEUE COUNT`: sends and receives COUNT 64-byte messages on one
//! thread through QUEUE (`bus`, `bus-batch` or `rtrb`), for `cargo xtask bench`
//! to count instructions under callgrind (`--toggle-collect` on `counted_*`).

use std::hint::black_box;
use std::process::ExitCode;

use bus::{Bus, Config, Endpoint};

/// The message: 64 bytes, as in benches/ring.rs.
type Msg = [u8; 64];
/// Messages per batch call of `bus-batch`.
const BATCH: usize = 16;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let count = args.get(1).and_then(|n| n.parse::<usize>().ok());
    match (args.first().map(String::as_str), count) {
        (Some("bus"), Some(n)) => with_bus(|tx, rx| counted_bus(tx, rx, n)),
        (Some("bus-batch"), Some(n)) => {
            with_bus(|tx, rx| counted_bus_batch(tx, rx, n.div_ceil(BATCH)))
        }
        (Some("rtrb"), Some(n)) => rtrb(n),
        _ => {
            eprintln!("usage: instructions bus|bus-batch|rtrb COUNT");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

/// The bus's ring set-up, outside what callgrind counts: a 2-core bus with
/// the default queues, core 0's endpoint and core 1's handed to `run`.
fn with_bus(run: impl FnOnce(&mut Endpoint<'_>, &mut Endpoint<'_>)) {
    let bus = Bus::new(2, Config::default()).expect("valid config");
    let (mut tx, mut rx) = (bus.endpoint(0).unwrap(), bus.endpoint(1).unwrap());
    run(&mut tx, &mut rx);
}

/// `count` × (send one message, receive it): what callgrind counts.
#[inline(never)]
fn counted_bus(tx: &mut Endpoint<'_>, rx: &mut Endpoint<'_>, count: usize) {
    let (msg, mut buf) = ([7u8; 64], [0u8; 64]);
    for _ in 0..count {
        tx.send(1, black_box(&msg)).unwrap();
        let n = rx.recv(0, &mut buf).unwrap();
        black_box(&buf[..n]);
    }
}

/// `batches` × (send BATCH messages in one call, receive them in one call).
#[inline(never)]
fn counted_bus_batch(tx: &mut Endpoint<'_>, rx: &mut Endpoint<'_>, batches: usize) {
    let (msgs, mut buf) = ([[7u8; 64]; BATCH], [0u8; 64]);
    for _ in 0..batches {
        let sent = tx.try_send_batch(1, black_box(&msgs)).unwrap();
        let got = rx
            .try_recv_batch(0, &mut buf, BATCH, |m| {
                black_box(m);
            })
            .unwrap();
        assert_eq!((sent, got), (BATCH, BATCH));
    }
}

/// rtrb's ring set-up, outside what callgrind counts.
fn rtrb(count: usize) {
    let (mut p, mut c) = rtrb::RingBuffer::<Msg>::new(64);
    counted_rtrb(&mut p, &mut c, count);
}

/// `count` × (push one message, pop it).
#[inline(never)]
fn counted_rtrb(p: &mut rtrb::Producer<Msg>, c: &mut rtrb::Consumer<Msg>, count: usize) {
    for _ in 0..count {
        p.push(black_box([7u8; 64])).unwrap();
        black_box(c.pop().unwrap());
    }
}
