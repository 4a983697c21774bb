//! Error paths: argument errors found before any message (so no rank is
//! left waiting), lengths that disagree across ranks (poisoned, not hung),
//! bad communicators, and frames the engine refuses.

use std::sync::atomic::Ordering;

use mpi::{Algorithm, Comm, Error, Mpi, Op, TAG_MAX, TransportError, Type};
use testkit::{Fabric, Port, run_on, run_ranks};

/// Every rank's result of `f`, each with a fresh world, on a fabric whose
/// frame count is returned too.
fn on_every_rank<R: Send>(
    cores: usize,
    f: impl Fn(&mut Mpi<Port>, &Comm) -> R + Sync,
) -> (Vec<R>, u64) {
    let fabric = Fabric::new(cores, 1024, 4);
    let results = run_on(&fabric, |mpi| {
        let world = mpi.world();
        Ok(f(mpi, &world))
    });
    (results, fabric.frames.load(Ordering::Relaxed))
}

#[test]
fn bitwise_ops_on_floats_fail_before_any_message() {
    for algo in Algorithm::ALL {
        for op in [Op::Band, Op::Bor, Op::Bxor] {
            let (results, frames) = on_every_rank(4, |mpi, world| {
                let mut out = [0.0f32; 3];
                let r = mpi.reduce(world, &[1.0f32; 3], &mut out, op, 0, algo);
                let a = mpi.allreduce(world, &[1.0f64; 3], &mut [0.0; 3], op, algo);
                (r, a)
            });
            for (core, (r, a)) in results.into_iter().enumerate() {
                assert_eq!(
                    r,
                    Err(Error::OpNotDefined { op, ty: Type::F32 }),
                    "{op} {algo} core {core}"
                );
                assert_eq!(
                    a,
                    Err(Error::OpNotDefined { op, ty: Type::F64 }),
                    "{op} {algo} core {core}"
                );
            }
            assert_eq!(frames, 0, "{op} {algo}: frames were sent");
        }
    }
}

#[test]
fn roots_outside_the_communicator_fail_before_any_message() {
    let (results, frames) = on_every_rank(3, |mpi, world| {
        let mut buf = [0i32; 4];
        [
            mpi.bcast(world, &mut buf, 3, Algorithm::Tree),
            mpi.reduce(
                world,
                &[1i32; 4],
                &mut [0; 4],
                Op::Sum,
                7,
                Algorithm::Linear,
            ),
            mpi.gather(world, &[1i32], &mut [0; 3], 3, Algorithm::Tree),
            mpi.scatter(world, &[1i32; 3], &mut [0], 99, Algorithm::Linear),
        ]
    });
    for r in results {
        assert!(
            matches!(
                r,
                [
                    Err(Error::InvalidRoot { root: 3, size: 3 }),
                    Err(Error::InvalidRoot { root: 7, .. }),
                    Err(Error::InvalidRoot { .. }),
                    Err(Error::InvalidRoot { root: 99, .. })
                ]
            ),
            "{r:?}"
        );
    }
    assert_eq!(frames, 0);
}

#[test]
fn bad_ranks_tags_and_groups() {
    let (results, frames) = on_every_rank(2, |mpi, world| {
        let mut buf = [0u8; 4];
        (
            mpi.send(world, 2, 0, &[1i32]),
            mpi.recv_bytes(world, 5, 0u32, &mut buf).map(|_| ()),
            mpi.send(world, 0, TAG_MAX + 1, &[1i32]),
            mpi.group(&[0, 1], 0).map(|_| ()),
            mpi.group(&[0, 1, 0], 1).map(|_| ()),
            mpi.group(&[0, 2], 1).map(|_| ()),
            mpi.group(&[], 1).map(|_| ()),
        )
    });
    let want = (
        Err(Error::InvalidRank { rank: 2, size: 2 }),
        Err(Error::InvalidRank { rank: 5, size: 2 }),
        Err(Error::InvalidTag { tag: TAG_MAX + 1 }),
        Err(Error::InvalidContext { context: 0 }),
        Err(Error::DuplicateCore { core: 0 }),
        Err(Error::InvalidCore { core: 2, cores: 2 }),
        Err(Error::EmptyGroup),
    );
    for r in results {
        assert_eq!(r, want);
    }
    assert_eq!(frames, 0);
}

#[test]
fn local_length_checks() {
    let (results, _) = on_every_rank(2, |mpi, world| {
        let root = world.rank() == 0;
        let short = if root { 1 } else { 0 };
        [
            mpi.reduce(
                world,
                &[1u64; 3],
                &mut vec![0; 3 - short],
                Op::Max,
                0,
                Algorithm::Tree,
            ),
            mpi.gather(
                world,
                &[1u64; 3],
                &mut vec![0; if root { 5 } else { 0 }],
                0,
                Algorithm::Linear,
            ),
        ]
    });
    assert_eq!(
        results[0],
        [
            Err(Error::LengthMismatch {
                expected: 3,
                got: 2
            }),
            Err(Error::LengthMismatch {
                expected: 6,
                got: 5
            })
        ]
    );
    assert_eq!(results[1], [Ok(()), Ok(())], "non-roots send and return");
}

/// One rank passes vectors of another length: the ranks that depend on
/// its data report an error (its own or `Peer`) and nobody hangs (the
/// harness's watchdog would fail the test).
#[test]
fn lengths_that_disagree_across_ranks_poison_instead_of_hanging() {
    for algo in Algorithm::ALL {
        let (results, _) = on_every_rank(5, |mpi, world| {
            let len = if world.rank() == 3 { 5 } else { 4 };
            let mine = vec![world.rank() as i32; len];
            let mut out = vec![0i32; len];
            let allreduce = mpi.allreduce(world, &mine, &mut out, Op::Sum, algo);
            let mut all = vec![0i32; 5 * len];
            let allgather = mpi.allgather(world, &mine, &mut all, algo);
            let mut buf = vec![1i32; len];
            let bcast = mpi.bcast(world, &mut buf, 0, algo);
            let reduce = mpi.reduce(world, &mine, &mut out, Op::Max, 0, algo);
            let send = if world.rank() == 0 {
                vec![0i32; 5 * 4]
            } else {
                Vec::new()
            };
            let scatter = mpi.scatter(world, &send, &mut out, 0, algo);
            (allreduce, allgather, bcast, reduce, scatter)
        });
        for (rank, (allreduce, allgather, bcast, reduce, scatter)) in results.iter().enumerate() {
            let what = format!("{algo}, rank {rank}");
            assert!(allreduce.is_err(), "allreduce {what}");
            assert!(allgather.is_err(), "allgather {what}");
            if rank == 3 {
                assert!(
                    bcast.is_err() && scatter.is_err(),
                    "bcast/scatter at the odd rank, {what}"
                );
            }
            if rank == 0 {
                assert!(reduce.is_err(), "reduce at the root, {what}");
            }
        }
    }
}

/// The root of a scatter passes the wrong length: everyone else still
/// returns, with `Peer`.
#[test]
fn a_bad_scatter_root_poisons_every_rank() {
    for algo in Algorithm::ALL {
        let (results, _) = on_every_rank(4, |mpi, world| {
            let send = if world.rank() == 2 {
                vec![7u32; 7]
            } else {
                Vec::new()
            };
            mpi.scatter(world, &send, &mut [0u32; 2], 2, algo)
        });
        for (rank, r) in results.into_iter().enumerate() {
            let want = if rank == 2 {
                Error::LengthMismatch {
                    expected: 8,
                    got: 7,
                }
            } else {
                Error::Peer { rank: 0 }
            };
            match (r, want) {
                (Err(Error::Peer { .. }), Error::Peer { .. }) => {}
                (got, want) => assert_eq!(got, Err(want), "{algo} rank {rank}"),
            }
        }
    }
}

#[test]
fn a_transport_too_small_for_the_header_is_refused() {
    let fabric = Fabric::new(2, mpi::HEADER_LEN, 4);
    let err = Mpi::new(fabric.port(0)).err();
    assert_eq!(
        err,
        Some(Error::Transport(TransportError::new(
            "max_message leaves no room for a payload"
        )))
    );
}

/// Frames that are too short, out of sequence, or continue nothing are
/// reported as transport errors naming the core.
#[test]
fn bad_frames_are_refused() {
    let frame = |seq: u32, total: u32, offset: u32, payload: &[u8]| {
        let mut f = vec![0u8; 24];
        f[12..16].copy_from_slice(&total.to_le_bytes());
        f[16..20].copy_from_slice(&offset.to_le_bytes());
        f[20..24].copy_from_slice(&seq.to_le_bytes());
        f.extend_from_slice(payload);
        f
    };
    let cases: [(Vec<u8>, &str); 3] = [
        (vec![1, 2, 3], "frame shorter than the mpi header"),
        (frame(4, 1, 0, b"x"), "message out of sequence"),
        (frame(0, 9, 3, b"xyz"), "fragment without a start"),
    ];
    for (bad, what) in cases {
        let fabric = Fabric::new(2, 1024, 4);
        fabric.inject(1, 0, bad);
        let mut mpi = Mpi::new(fabric.port(0)).unwrap();
        let world = mpi.world();
        let r = mpi.recv_bytes(&world, 1, 0u32, &mut [0u8; 8]);
        assert_eq!(r, Err(Error::Transport(TransportError::with(1, what))));
    }
}

#[test]
fn errors_print_plainly() {
    let e = Error::OpNotDefined {
        op: Op::Bxor,
        ty: Type::F64,
    };
    assert_eq!(e.to_string(), "bxor is not defined for f64");
    assert_eq!(Error::Aborted.to_string(), "aborted");
    let _ = run_ranks(1, 1024, 1, |_| Ok(()));
}
