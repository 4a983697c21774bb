//! The shell's demos, as the kernel will run them: Toro's reduce check and
//! its siblings for every collective, on the world and on sub-groups.

use mpi::demo::{self, Collective, DemoOutcome, Spec, Verdict};
use mpi::{Algorithm, Error, Op, Type, Value};
use testkit::run_ranks;

/// Runs demo `which` with `spec` on `members` of a `cores`-core fabric
/// (group context 3, or the world when all take part).
fn run(
    cores: usize,
    members: &[usize],
    which: Collective,
    spec: Spec,
) -> Vec<Option<Result<DemoOutcome, Error>>> {
    run_ranks(cores, 1024, 4, |mpi| {
        if !members.contains(&mpi.core()) {
            return Ok(None);
        }
        let comm = if members.len() == cores {
            mpi.world()
        } else {
            mpi.group(members, 3).map_err(|e| e.to_string())?
        };
        Ok(Some(demo::run(mpi, &comm, which, &spec)))
    })
}

#[test]
fn reduce_64_sum_on_4_cores_gives_6() {
    for algo in Algorithm::ALL {
        let spec = Spec {
            len: 64,
            op: Op::Sum,
            ty: Type::I32,
            root: 0,
            algo,
        };
        let out = run(4, &[0, 1, 2, 3], Collective::Reduce, spec);
        let root = out[0].unwrap().unwrap();
        assert_eq!(
            (root.core, root.verdict),
            (
                0,
                Verdict::Success {
                    last: Some(Value::I32(6))
                }
            ),
            "{algo}"
        );
        assert!(
            out[1..]
                .iter()
                .all(|o| o.unwrap().unwrap().verdict == Verdict::NothingToCheck)
        );
    }
}

#[test]
fn reduce_64_max_on_cores_1_and_3_with_root_3_gives_3() {
    for algo in Algorithm::ALL {
        let spec = Spec {
            len: 64,
            op: Op::Max,
            ty: Type::I32,
            root: 3,
            algo,
        };
        let out = run(4, &[1, 3], Collective::Reduce, spec);
        let root = out[3].unwrap().unwrap();
        assert_eq!(
            (root.core, root.rank, root.verdict),
            (
                3,
                1,
                Verdict::Success {
                    last: Some(Value::I32(3))
                }
            )
        );
        assert!(out[0].is_none() && out[2].is_none());
    }
}

/// Every demo, algorithm and type, on the world of 5 and on cores {4, 1, 2}
/// of 5, with a root that is not rank 0: every rank checks out.
#[test]
fn every_demo_checks_out() {
    for which in Collective::ALL {
        for algo in Algorithm::ALL {
            for ty in Type::ALL {
                for (members, root) in [(&[0usize, 1, 2, 3, 4][..], 3), (&[4, 1, 2][..], 2)] {
                    let op = if ty.is_integer() { Op::Bor } else { Op::Prod };
                    let spec = Spec {
                        len: 33,
                        op,
                        ty,
                        root,
                        algo,
                    };
                    for (core, out) in run(5, members, which, spec).into_iter().enumerate() {
                        let Some(out) = out else { continue };
                        let out = out.unwrap_or_else(|e| {
                            panic!("{which} {algo} {ty} {members:?}: core {core}: {e}")
                        });
                        let fine = matches!(
                            out.verdict,
                            Verdict::Success { .. } | Verdict::NothingToCheck
                        );
                        assert!(
                            fine,
                            "{which} {algo} {ty} {members:?}: core {core}: {:?}",
                            out.verdict
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn demo_values_are_the_fold_of_the_core_ids() {
    let cases = [
        (Op::Prod, Type::F64, vec![1usize, 2, 3], Value::F64(6.0)),
        (Op::Bxor, Type::U64, vec![1, 2, 3], Value::U64(0)),
        (Op::Min, Type::I64, vec![3, 1, 2], Value::I64(1)),
        (Op::Land, Type::F32, vec![0, 1, 2, 3], Value::F32(0.0)),
        (Op::Lxor, Type::U32, vec![1, 2, 3], Value::U32(1)),
    ];
    for (op, ty, members, want) in cases {
        let spec = Spec {
            len: 8,
            op,
            ty,
            root: members[0],
            algo: Algorithm::Tree,
        };
        let out = run(4, &members, Collective::Allreduce, spec);
        for o in out.into_iter().flatten() {
            assert_eq!(
                o.unwrap().verdict,
                Verdict::Success { last: Some(want) },
                "{op} {ty} {members:?}"
            );
        }
    }
}

#[test]
fn demo_errors_reach_every_rank() {
    let spec = Spec {
        len: 64,
        op: Op::Band,
        ty: Type::F32,
        root: 0,
        algo: Algorithm::Linear,
    };
    for out in run(3, &[0, 1, 2], Collective::Reduce, spec) {
        assert_eq!(
            out.unwrap(),
            Err(Error::OpNotDefined {
                op: Op::Band,
                ty: Type::F32
            })
        );
    }
    let spec = Spec {
        root: 2,
        op: Op::Sum,
        ..spec
    };
    for out in run(4, &[1, 3], Collective::Gather, spec)
        .into_iter()
        .flatten()
    {
        assert_eq!(out, Err(Error::NotInComm { core: 2 }));
    }
    assert_eq!("allgather".parse::<Collective>(), Ok(Collective::Allgather));
}
