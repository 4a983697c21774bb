//! `mpi` over the real `bus`: one bus endpoint per thread, the demos and a
//! sweep of collectives with vectors big enough to fill the rings.

use bus::{Bus, Config, Endpoint};
use mpi::BusPort;
use mpi::demo::{self, Collective, Spec, Verdict};
use mpi::{Algorithm, Mpi, Op, Type, Value};

/// Runs `body` as every core of a fresh bus, one thread per core.
/// A thread's endpoint as a transport; idle turns yield (more threads than cores).
type Port<'bus> = BusPort<'bus, Endpoint<'bus>>;

fn on_bus<R: Send>(
    cores: usize,
    config: Config,
    body: impl Fn(&mut Mpi<Port<'_>>) -> R + Sync,
) -> Vec<R> {
    let bus = Bus::new(cores, config).unwrap();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..cores)
            .map(|core| {
                let (bus, body) = (&bus, &body);
                s.spawn(move || {
                    let mut mpi = Mpi::new(
                        BusPort::new(bus.endpoint(core).unwrap())
                            .with_pause(std::thread::yield_now),
                    )
                    .unwrap();
                    body(&mut mpi)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

#[test]
fn reduce_64_sum_over_the_bus_gives_6() {
    for algo in Algorithm::ALL {
        let out = on_bus(4, Config::default(), |mpi| {
            let world = mpi.world();
            demo::reduce_check(
                mpi,
                &world,
                &Spec {
                    len: 64,
                    op: Op::Sum,
                    ty: Type::I32,
                    root: 0,
                    algo,
                },
            )
            .unwrap()
        });
        assert_eq!(
            out[0].verdict,
            Verdict::Success {
                last: Some(Value::I32(6))
            },
            "{algo}"
        );
    }
}

/// Every demo and algorithm on 4 cores of a small-ring bus (16 entries of
/// 256 bytes), with vectors of 3000 elements, so fragments queue up.
#[test]
fn every_demo_over_a_small_ring_bus() {
    for which in Collective::ALL {
        for algo in Algorithm::ALL {
            for ty in [Type::I64, Type::F32] {
                let out = on_bus(4, Config::new(16, 256), |mpi| {
                    let world = mpi.world();
                    let spec = Spec {
                        len: 3000,
                        op: Op::Max,
                        ty,
                        root: 2,
                        algo,
                    };
                    demo::run(mpi, &world, which, &spec)
                });
                for (core, o) in out.into_iter().enumerate() {
                    let verdict = o
                        .unwrap_or_else(|e| panic!("{which} {algo} {ty} core {core}: {e}"))
                        .verdict;
                    let fine = matches!(verdict, Verdict::Success { .. } | Verdict::NothingToCheck);
                    assert!(fine, "{which} {algo} {ty} core {core}: {verdict:?}");
                }
            }
        }
    }
}

/// Two ranks swap 200 KB each way at once over the default bus: the sends
/// stream through rings far smaller than the messages without deadlock.
#[test]
fn crossing_large_sends_over_the_bus() {
    let out = on_bus(2, Config::default(), |mpi| {
        let world = mpi.world();
        let other = 1 - world.rank();
        mpi.send(&world, other, 0, &vec![world.rank() as u64; 25_000])
            .unwrap();
        let mut back = vec![9u64; 25_000];
        mpi.recv(&world, other, 0u32, &mut back).unwrap();
        back.iter().all(|&x| x == other as u64)
    });
    assert_eq!(out, [true, true]);
}

/// Both layers fragment (docs/mpi.md, "Who fragments"): mpi cuts a message
/// into frames of the transport's `max_message` (half a ring, 32,512 bytes
/// by default), the bus cuts each frame into its buffers. What mpi adds is
/// its 24-byte header once per frame: 100,000 bytes are 4 bus messages of
/// 100,096 bytes in all, and a 256-i32 vector (Toro's size) is one.
#[test]
fn mpi_adds_one_header_per_frame_over_the_bus() {
    for (len, frames) in [(256usize, 1u64), (25_000, 4)] {
        let bus = Bus::new(2, Config::default()).unwrap();
        std::thread::scope(|s| {
            for core in 0..2 {
                let bus = &bus;
                s.spawn(move || {
                    let port = BusPort::new(bus.endpoint(core).unwrap());
                    let mut mpi = Mpi::new(port.with_pause(std::thread::yield_now)).unwrap();
                    let world = mpi.world();
                    let mut data = vec![7u32; len];
                    match core {
                        0 => mpi.send(&world, 1, 5, &data).unwrap(),
                        _ => assert_eq!(mpi.recv(&world, 0, 5, &mut data).unwrap().count, len),
                    }
                });
            }
        });
        let stats = bus.stats();
        assert_eq!(stats.messages(0, 1), frames, "{len} u32");
        assert_eq!(stats.bytes(0, 1), len as u64 * 4 + frames * 24, "{len} u32");
    }
}

#[test]
fn a_bus_port_offers_smaller_frames_when_asked_within_its_bounds() {
    use mpi::{HEADER_LEN, Transport};
    let bus = Bus::new(2, Config::new(8, 64)).unwrap();
    let default = BusPort::new(bus.endpoint(0).unwrap()).max_message();
    assert_eq!(default, 4 * 56, "half the ring's payload");
    let port = |max| {
        BusPort::new(bus.endpoint(1).unwrap())
            .with_max_message(max)
            .max_message()
    };
    assert_eq!(port(56), 56);
    assert_eq!(port(1 << 20), default, "never more than the ring allows");
    assert_eq!(port(0), HEADER_LEN + 1, "a header and a byte at least");
}
