//! Property tests with real threads: random sizes up to the maximum, counts
//! that wrap the 16-bit indices several times, FIFO order and every byte
//! checked; all-to-all traffic through recv_any; random aborts on both sides.

mod common;

use bus::{Bus, Config, MAX_MESSAGE, RecvError, SendError, Spin};
use common::{Polite, Pool, Rng, mixed_len};

/// Messages per run: past 200,000, and with ~2 fragments each the used index
/// wraps about six times.
const MESSAGES: u64 = 200_100;

/// One sender, one receiver, message lengths from a seeded mix (1 in 64 up to
/// 64 KiB, streaming), every message checked byte for byte in order.
fn stream(seed: u64, config: Config, messages: u64) {
    let bus = Bus::new(2, config).unwrap();
    let pool = Pool::new(seed, MAX_MESSAGE);
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut tx = bus.endpoint(0).unwrap();
            let mut lens = Rng::new(seed);
            for seq in 0..messages {
                let msg = pool.msg(seq, mixed_len(&mut lens, MAX_MESSAGE));
                tx.send_with(1, msg, &mut Polite::default()).unwrap();
            }
        });
        let mut rx = bus.endpoint(1).unwrap();
        let mut lens = Rng::new(seed);
        let mut buf = vec![0; MAX_MESSAGE];
        for seq in 0..messages {
            let len = rx.recv_with(0, &mut buf, &mut Polite::default()).unwrap();
            let want = pool.msg(seq, mixed_len(&mut lens, MAX_MESSAGE));
            assert!(
                buf[..len] == *want,
                "message {seq}: {len} bytes, want {}",
                want.len()
            );
        }
    });
    let snap = bus.snapshot(0, 1).unwrap();
    assert_eq!(
        (snap.counters.messages, snap.counters.received),
        (messages, messages)
    );
    assert_eq!((snap.counters.corrupt, snap.counters.lost), (0, 0));
    assert_eq!(snap.in_flight(), 0);
}

#[test]
fn default_queues_wrap_indices_several_times() {
    stream(1, Config::default(), MESSAGES);
}

#[test]
fn tiny_queues_stream_every_large_message() {
    // 4 buffers of 64 bytes: nearly every message streams.
    stream(2, Config::new(4, 64), 40_000);
}

/// Every core sends to every other and receives with recv_any; messages name
/// their source and sequence, and each source's order is checked.
#[test]
fn all_to_all_through_recv_any() {
    const CORES: usize = 3;
    const PER_PEER: u64 = 20_000;
    let bus = Bus::new(CORES, Config::new(16, 256)).unwrap();
    std::thread::scope(|s| {
        for core in 0..CORES {
            let bus = &bus;
            s.spawn(move || peer(bus, core, CORES, PER_PEER));
        }
    });
    let stats = bus.stats();
    for (src, dst) in (0..CORES)
        .flat_map(|s| (0..CORES).map(move |d| (s, d)))
        .filter(|(s, d)| s != d)
    {
        assert_eq!(stats.messages(src, dst), PER_PEER);
    }
}

/// One core of `all_to_all_through_recv_any`: alternates non-blocking sends
/// (so no two cores wait on each other) with receives from anyone.
fn peer(bus: &Bus, core: usize, cores: usize, per_peer: u64) {
    let mut ep = bus.endpoint(core).unwrap();
    let mut rng = Rng::new(core as u64);
    let dsts: Vec<usize> = (0..cores).filter(|&d| d != core).collect();
    let mut sent = vec![0u64; cores];
    let mut expect = vec![0u64; cores];
    let mut received = 0;
    let mut buf = [0u8; 2048];
    let mut msg = [0u8; 2048];
    let mut idle = Polite::default();
    while received < per_peer * dsts.len() as u64
        || sent.iter().sum::<u64>() < per_peer * dsts.len() as u64
    {
        let dst = dsts[rng.upto(dsts.len() - 1)];
        if sent[dst] < per_peer {
            let len = 16 + rng.upto(2000);
            msg[..8].copy_from_slice(&(core as u64).to_le_bytes());
            msg[8..16].copy_from_slice(&sent[dst].to_le_bytes());
            msg[16..len].fill(sent[dst] as u8);
            if ep.try_send(dst, &msg[..len]).is_ok() {
                sent[dst] += 1;
            }
        }
        match ep.try_recv_any(&mut buf) {
            Ok((src, len)) => {
                let from = u64::from_le_bytes(buf[..8].try_into().unwrap()) as usize;
                let seq = u64::from_le_bytes(buf[8..16].try_into().unwrap());
                assert_eq!(
                    (from, seq),
                    (src, expect[src]),
                    "core {core} got out of order"
                );
                assert!(buf[16..len].iter().all(|&b| b == seq as u8));
                expect[src] += 1;
                received += 1;
            }
            Err(RecvError::Empty) => {
                idle.keep_waiting();
            }
            Err(e) => panic!("core {core}: {e}"),
        }
    }
}

/// Aborts now and then: every `1/odds` wait step says stop.
struct Flaky(Rng, usize);

impl Spin for Flaky {
    fn keep_waiting(&mut self) -> bool {
        std::thread::yield_now();
        self.0.upto(self.1) != 0
    }
}

/// Both sides abort at random. Whatever is delivered must be intact and in
/// order; a message the sender finished can only go missing through a
/// receive that reported losing it.
#[test]
fn random_aborts_never_deliver_a_damaged_message() {
    const MESSAGES: u64 = 20_000;
    let bus = Bus::new(2, Config::new(4, 64)).unwrap();
    let pool = Pool::new(3, 1024);
    let (sent_ok, (delivered, lost)) = std::thread::scope(|s| {
        let tx = s.spawn(|| {
            let (mut tx, mut flaky, mut lens) = (
                bus.endpoint(0).unwrap(),
                Flaky(Rng::new(4), 20),
                Rng::new(5),
            );
            let mut ok = Vec::new();
            for seq in 0..MESSAGES {
                let mut msg = pool.msg(seq, 8 + lens.upto(500)).to_vec();
                msg[..8].copy_from_slice(&seq.to_le_bytes());
                match tx.send_with(1, &msg, &mut flaky) {
                    Ok(()) => ok.push(seq),
                    Err(SendError::Aborted { .. }) => {}
                    Err(e) => panic!("{e}"),
                }
            }
            // A last message, so a truncated one before it is detected.
            tx.send_with(1, &u64::MAX.to_le_bytes(), &mut Polite::default())
                .unwrap();
            ok
        });
        let (mut rx, mut flaky) = (bus.endpoint(1).unwrap(), Flaky(Rng::new(6), 20));
        let (mut delivered, mut lost, mut buf) = (Vec::new(), 0, [0u8; 1024]);
        loop {
            match rx.recv_with(0, &mut buf, &mut flaky) {
                Ok(len) => {
                    let seq = u64::from_le_bytes(buf[..8].try_into().unwrap());
                    if seq == u64::MAX {
                        break;
                    }
                    assert_eq!(
                        &buf[8..len],
                        &pool.msg(seq, len)[8..],
                        "message {seq} damaged"
                    );
                    assert!(
                        delivered.last().is_none_or(|&last| last < seq),
                        "out of order"
                    );
                    delivered.push(seq);
                }
                Err(RecvError::Aborted { lost_from: Some(0) }) => lost += 1,
                Err(RecvError::Aborted { lost_from: None } | RecvError::Truncated { .. }) => {}
                Err(e) => panic!("{e}"),
            }
        }
        (tx.join().unwrap(), (delivered, lost))
    });
    let ok: std::collections::HashSet<u64> = sent_ok.iter().copied().collect();
    assert!(
        delivered.iter().all(|seq| ok.contains(seq)),
        "delivered a message whose send failed"
    );
    assert!(
        sent_ok.len() <= delivered.len() + lost,
        "{} sent, {} delivered, {lost} lost",
        sent_ok.len(),
        delivered.len()
    );
    assert!(
        !delivered.is_empty() && lost > 0,
        "the test should see both outcomes"
    );
}
