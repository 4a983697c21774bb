//! Every collective × algorithm × op × type × root, against the sequential
//! references, on worlds of 1 to 8 ranks, on sub-communicators, and with
//! vectors big enough to be cut into dozens of fragments.

mod common;

use std::fmt;

use common::random_len;
use common::reference::{self as re, Elem};
use mpi::{Algorithm, Comm, Mpi, Op, Type};
use testkit::{Rng, run_ranks};

/// Which collective a case runs (with its op, for reductions).
#[derive(Clone, Copy, Debug)]
enum Kind {
    Barrier,
    Bcast,
    Reduce(Op),
    Allreduce(Op),
    Gather,
    Scatter,
    Allgather,
}

/// One row of the table.
#[derive(Clone, Copy, Debug)]
struct Case {
    kind: Kind,
    algo: Algorithm,
    ty: Type,
    root: usize,
    len: usize,
    seed: u64,
}

impl fmt::Display for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            Kind::Reduce(op) => format!("reduce({op})"),
            Kind::Allreduce(op) => format!("allreduce({op})"),
            other => format!("{other:?}").to_lowercase(),
        };
        write!(
            f,
            "{kind} {} {} root={} len={} seed={:#x}",
            self.algo, self.ty, self.root, self.len, self.seed
        )
    }
}

/// The full table for a communicator of `size`: every collective, both
/// algorithms, every type, every root, and every op defined for the type;
/// lengths drawn from `rng`, the same on every rank.
fn table(size: usize, rng: &mut Rng) -> Vec<Case> {
    let mut kinds = vec![
        Kind::Barrier,
        Kind::Bcast,
        Kind::Gather,
        Kind::Scatter,
        Kind::Allgather,
    ];
    kinds.extend(
        Op::ALL
            .iter()
            .flat_map(|&op| [Kind::Reduce(op), Kind::Allreduce(op)]),
    );
    let mut cases = Vec::new();
    for kind in kinds {
        let roots = match kind {
            Kind::Bcast | Kind::Reduce(_) | Kind::Gather | Kind::Scatter => size,
            _ => 1,
        };
        for (algo, ty, root) in Algorithm::ALL
            .iter()
            .flat_map(|&a| Type::ALL.map(|t| (a, t)))
            .flat_map(|(a, t)| (0..roots).map(move |r| (a, t, r)))
        {
            let op = match kind {
                Kind::Reduce(op) | Kind::Allreduce(op) => Some(op),
                _ => None,
            };
            if op.is_some_and(|op| !op.is_defined_for(ty))
                || (matches!(kind, Kind::Barrier) && ty != Type::I32)
            {
                continue;
            }
            cases.push(Case {
                kind,
                algo,
                ty,
                root,
                len: random_len(rng),
                seed: rng.next_u64(),
            });
        }
    }
    cases
}

/// Runs `case` on this rank and checks its result.
fn run_case(mpi: &mut Mpi<testkit::Port>, comm: &Comm, case: &Case) -> Result<(), String> {
    let result = match case.ty {
        Type::I32 => check::<i32>(mpi, comm, case),
        Type::I64 => check::<i64>(mpi, comm, case),
        Type::U32 => check::<u32>(mpi, comm, case),
        Type::U64 => check::<u64>(mpi, comm, case),
        Type::F32 => check::<f32>(mpi, comm, case),
        Type::F64 => check::<f64>(mpi, comm, case),
    };
    result.map_err(|e| {
        format!(
            "{case} on cores {:?}, rank {}: {e}",
            comm.cores(),
            comm.rank()
        )
    })
}

/// The case for element type `D`: run, then compare with the reference.
fn check<D: Elem>(mpi: &mut Mpi<testkit::Port>, comm: &Comm, case: &Case) -> Result<(), String> {
    let (n, rank, len, seed) = (comm.size(), comm.rank(), case.len, case.seed);
    let all: Vec<Vec<D>> = (0..n).map(|r| re::vector(seed, r, len)).collect();
    let concat = || all.concat();
    let mine = &all[rank];
    let junk = |k: usize| re::vector::<D>(!seed, rank, k);
    let err = |e: mpi::Error| e.to_string();
    let (got, want) = match case.kind {
        Kind::Barrier => return mpi.barrier(comm, case.algo).map_err(err),
        Kind::Bcast => {
            let mut buf = if rank == case.root {
                mine.clone()
            } else {
                junk(len)
            };
            mpi.bcast(comm, &mut buf, case.root, case.algo)
                .map_err(err)?;
            (buf, all[case.root].clone())
        }
        Kind::Reduce(op) => {
            let mut out = if rank == case.root {
                junk(len)
            } else {
                Vec::new()
            };
            mpi.reduce(comm, mine, &mut out, op, case.root, case.algo)
                .map_err(err)?;
            let want = if rank == case.root {
                re::reduce(op, &all, case.root, case.algo)
            } else {
                Vec::new()
            };
            (out, want)
        }
        Kind::Allreduce(op) => {
            let mut out = junk(len);
            mpi.allreduce(comm, mine, &mut out, op, case.algo)
                .map_err(err)?;
            (out, re::allreduce(op, &all, case.algo))
        }
        Kind::Gather => {
            let mut out = if rank == case.root {
                junk(n * len)
            } else {
                Vec::new()
            };
            mpi.gather(comm, mine, &mut out, case.root, case.algo)
                .map_err(err)?;
            (
                out,
                if rank == case.root {
                    concat()
                } else {
                    Vec::new()
                },
            )
        }
        Kind::Scatter => {
            let send = if rank == case.root {
                concat()
            } else {
                Vec::new()
            };
            let mut out = junk(len);
            mpi.scatter(comm, &send, &mut out, case.root, case.algo)
                .map_err(err)?;
            (out, mine.clone())
        }
        Kind::Allgather => {
            let mut out = junk(n * len);
            mpi.allgather(comm, mine, &mut out, case.algo)
                .map_err(err)?;
            (out, concat())
        }
    };
    compare(&got, &want)
}

/// `Ok` if equal, else the first differing element.
fn compare<D: Elem>(got: &[D], want: &[D]) -> Result<(), String> {
    if got.len() != want.len() {
        return Err(format!("{} elements, want {}", got.len(), want.len()));
    }
    match got.iter().zip(want).position(|(g, w)| g != w) {
        None => Ok(()),
        Some(i) => Err(format!("element {i} is {:?}, want {:?}", got[i], want[i])),
    }
}

/// Runs the whole table on a fabric of `cores` cores; `members` (in rank
/// order) run it on a group with context 7, the other cores sit it out.
/// Returns how many cases ran.
fn sweep(cores: usize, members: Option<&[usize]>, max: usize, cap: usize, seed: u64) -> usize {
    let counts = run_ranks(cores, max, cap, |mpi| {
        let comm = match members {
            None => mpi.world(),
            Some(m) if m.contains(&mpi.core()) => mpi.group(m, 7).map_err(|e| e.to_string())?,
            Some(_) => return Ok(0),
        };
        let cases = table(comm.size(), &mut Rng::new(seed));
        for case in &cases {
            run_case(mpi, &comm, case)?;
        }
        if mpi.unexpected() != 0 {
            return Err(format!(
                "{} messages left in the unexpected queue",
                mpi.unexpected()
            ));
        }
        Ok(cases.len())
    });
    counts.into_iter().max().unwrap_or(0)
}

/// One test per world size, with transports of various sizes (256 bytes
/// cuts even short vectors into fragments) and queues of 2 to 4 messages.
macro_rules! world {
    ($($name:ident: $n:literal, $max:literal, $cap:literal;)*) => {$(
        #[test]
        fn $name() {
            let cases = sweep($n, None, $max, $cap, 0x5eed_0000 + $n);
            assert!(cases > 100, "only {cases} cases");
        }
    )*};
}

world! {
    world_of_1: 1, 1024, 4;
    world_of_2: 2, 1024, 2;
    world_of_3: 3, 256, 4;
    world_of_4: 4, 1024, 3;
    world_of_5: 5, 4096, 2;
    world_of_6: 6, 1024, 4;
    world_of_7: 7, 256, 3;
    world_of_8: 8, 1024, 4;
}

#[test]
fn cores_1_and_3_of_4() {
    sweep(4, Some(&[1, 3]), 1024, 4, 13);
}

#[test]
fn cores_0_2_3_of_4() {
    sweep(4, Some(&[0, 2, 3]), 1024, 2, 23);
}

#[test]
fn cores_out_of_order_3_0_4_1_of_6() {
    sweep(6, Some(&[3, 0, 4, 1]), 512, 3, 3041);
}

/// Two disjoint groups run their tables at the same time, and the world's
/// collectives are interleaved with a group's on the same cores: contexts
/// keep every message with its communicator.
#[test]
fn groups_side_by_side_and_interleaved_with_the_world() {
    run_ranks(5, 1024, 3, |mpi| {
        let world = mpi.world();
        let core = mpi.core();
        let group = if core % 2 == 0 {
            mpi.group(&[4, 2, 0], 1)
        } else {
            mpi.group(&[1, 3], 2)
        };
        let group = group.map_err(|e| e.to_string())?;
        let mut rng_world = Rng::new(99);
        let world_cases: Vec<Case> = table(5, &mut rng_world).into_iter().step_by(5).collect();
        let group_cases = table(group.size(), &mut Rng::new(group.context().into()));
        for (i, case) in group_cases.iter().enumerate() {
            run_case(mpi, &group, case)?;
            if let Some(w) = world_cases.get(i) {
                run_case(mpi, &world, w)?;
            }
        }
        Ok(())
    });
}

/// Vectors of 72 to 80 KB (over 64 KiB) through a 1 KiB transport: every
/// message is cut into about 80 fragments. A few cases, to stay fast.
#[test]
fn vectors_over_64_kib_are_fragmented() {
    let kinds = [
        Kind::Bcast,
        Kind::Reduce(Op::Sum),
        Kind::Allreduce(Op::Max),
        Kind::Gather,
        Kind::Scatter,
        Kind::Allgather,
    ];
    run_ranks(3, 1024, 8, |mpi| {
        let world = mpi.world();
        for (i, kind) in kinds.into_iter().enumerate() {
            for algo in Algorithm::ALL {
                let (ty, len) = if i % 2 == 0 {
                    (Type::I32, 20_000)
                } else {
                    (Type::F64, 9_000)
                };
                let case = Case {
                    kind,
                    algo,
                    ty,
                    root: i % 3,
                    len,
                    seed: 77 + i as u64,
                };
                run_case(mpi, &world, &case)?;
            }
        }
        Ok(())
    });
}
