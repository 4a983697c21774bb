//! The collectives programs need beyond the demos' seven — scan, exscan,
//! alltoall, reduce_scatter(_block), comm_split, the in-place forms, MINLOC and
//! MAXLOC, user-defined ops — each against a sequential reference, on 1 to 7
//! ranks and both algorithms; a non-commutative op (2×2 matrix product) must
//! come out in rank order from every algorithm and root.

use mpi::{Algorithm, Error, Mpi, Op, UserOp};
use testkit::{Port, mix, run_ranks};

/// `e` as the harness's error text.
fn text(e: Error) -> String {
    e.to_string()
}

/// Rank `rank`'s vector in case `seed`: `len` small wrapping integers.
fn sample(seed: u64, rank: usize, len: usize) -> Vec<u64> {
    (0..len)
        .map(|i| mix(seed ^ (rank as u64) << 32 ^ i as u64) % 1000)
        .collect()
}

/// `a · b` for 2×2 matrices stored row-major in four wrapping u64s.
fn matmul(a: &[u64], b: &[u64]) -> [u64; 4] {
    let (m, n) = (
        |i: usize, j: usize| a[i * 2 + j],
        |i: usize, j: usize| b[i * 2 + j],
    );
    let cell = |i, j| {
        m(i, 0)
            .wrapping_mul(n(0, j))
            .wrapping_add(m(i, 1).wrapping_mul(n(1, j)))
    };
    [cell(0, 0), cell(0, 1), cell(1, 0), cell(1, 1)]
}

/// MPI's user function for the matrix product: `inout = input · inout`.
fn matmul_op(input: &[u64], inout: &mut [u64]) {
    for (a, b) in input.chunks_exact(4).zip(inout.chunks_exact_mut(4)) {
        let product = matmul(a, b);
        b.copy_from_slice(&product);
    }
}

/// The product of the matrices a vector holds, as one reference step.
fn fold_mat(acc: &[u64], next: &[u64]) -> Vec<u64> {
    acc.chunks_exact(4)
        .zip(next.chunks_exact(4))
        .flat_map(|(a, b)| matmul(a, b))
        .collect()
}

/// The sequential folds of ranks `0..=r` under `f`, for every r.
fn prefixes(vectors: &[Vec<u64>], f: impl Fn(&[u64], &[u64]) -> Vec<u64>) -> Vec<Vec<u64>> {
    let mut out: Vec<Vec<u64>> = Vec::new();
    for v in vectors {
        let next = match out.last() {
            Some(prev) => f(prev, v),
            None => v.clone(),
        };
        out.push(next);
    }
    out
}

/// Element-wise wrapping sum, the reference for `Op::Sum`.
fn add(a: &[u64], b: &[u64]) -> Vec<u64> {
    a.iter().zip(b).map(|(x, y)| x.wrapping_add(*y)).collect()
}

/// Runs `body` on 1..=7 ranks with both algorithms, with every rank's input.
fn sweep(body: impl Fn(&mut Mpi<Port>, Algorithm, &[Vec<u64>]) -> Result<(), String> + Sync) {
    for size in 1..=7 {
        for algo in Algorithm::ALL {
            let inputs: Vec<Vec<u64>> = (0..size).map(|r| sample(size as u64, r, 4 * 3)).collect();
            run_ranks(size, 256, 3, |mpi| {
                body(mpi, algo, &inputs).map_err(|e| format!("{size} ranks, {algo}: {e}"))
            });
        }
    }
}

#[test]
fn scan_and_exscan_match_the_prefix_folds() {
    let mat = UserOp::new("matmul", matmul_op, false).with_unit(4);
    sweep(|mpi, algo, inputs| {
        let world = mpi.world();
        let me = world.rank();
        let sums = prefixes(inputs, add);
        let products = prefixes(inputs, fold_mat);
        let mut got = vec![0u64; 12];
        mpi.scan(&world, &inputs[me], &mut got, Op::Sum, algo)
            .map_err(text)?;
        check("scan sum", &got, &sums[me])?;
        mpi.scan(&world, &inputs[me], &mut got, &mat, algo)
            .map_err(text)?;
        check("scan matmul", &got, &products[me])?;
        let mut ex = vec![99u64; 12];
        mpi.exscan(&world, &inputs[me], &mut ex, &mat, algo)
            .map_err(text)?;
        match me {
            0 => check("exscan rank 0 untouched", &ex, &[99; 12]),
            _ => check("exscan matmul", &ex, &products[me - 1]),
        }
    });
}

#[test]
fn non_commutative_ops_keep_rank_order_in_every_algorithm_and_root() {
    let mat = UserOp::new("matmul", matmul_op, false).with_unit(4);
    sweep(|mpi, algo, inputs| {
        let world = mpi.world();
        let me = world.rank();
        let product = prefixes(inputs, fold_mat).pop().unwrap();
        for root in 0..world.size() {
            let mut got = vec![0u64; 12];
            mpi.reduce(&world, &inputs[me], &mut got, &mat, root, algo)
                .map_err(text)?;
            if me == root {
                check(&format!("reduce to {root}"), &got, &product)?;
            }
        }
        let mut all = vec![0u64; 12];
        mpi.allreduce(&world, &inputs[me], &mut all, &mat, algo)
            .map_err(text)?;
        check("allreduce", &all, &product)?;
        let mut buf = inputs[me].clone();
        mpi.allreduce_in_place(&world, &mut buf, &mat, algo)
            .map_err(text)?;
        check("allreduce_in_place", &buf, &product)?;
        let root = world.size() - 1;
        let mut buf = inputs[me].clone();
        mpi.reduce_in_place(&world, &mut buf, &mat, root, algo)
            .map_err(text)?;
        check(
            "reduce_in_place",
            &buf,
            if me == root { &product } else { &inputs[me] },
        )?;
        // One matrix per rank, so the block forms cut between matrices.
        let size = world.size();
        let long: Vec<Vec<u64>> = (0..size).map(|r| sample(9, r, 4 * size)).collect();
        let product = prefixes(&long, fold_mat).pop().unwrap();
        let mut block = vec![0u64; 4];
        mpi.reduce_scatter_block(&world, &long[me], &mut block, &mat, algo)
            .map_err(text)?;
        check("reduce_scatter_block", &block, &product[me * 4..me * 4 + 4])?;
        // Uneven: rank 0 takes two matrices, rank 1 none, the rest one.
        let counts: Vec<usize> = (0..size)
            .map(|r| match (size, r) {
                (1, _) => 4,
                (_, 0) => 8,
                (_, 1) => 0,
                _ => 4,
            })
            .collect();
        let start: usize = counts[..me].iter().sum();
        let mut mine = vec![0u64; counts[me]];
        mpi.reduce_scatter(&world, &long[me], &mut mine, &counts, &mat, algo)
            .map_err(text)?;
        check("reduce_scatter", &mine, &product[start..start + counts[me]])?;
        Ok(())
    });
}

#[test]
fn reduce_scatter_block_and_alltoall_match_references() {
    sweep(|mpi, algo, _| {
        let world = mpi.world();
        let (me, size) = (world.rank(), world.size());
        let long: Vec<Vec<u64>> = (0..size).map(|r| sample(7, r, 3 * size)).collect();
        let sum = long
            .iter()
            .skip(1)
            .fold(long[0].clone(), |acc, v| add(&acc, v));
        let mut block = vec![0u64; 3];
        mpi.reduce_scatter_block(&world, &long[me], &mut block, Op::Sum, algo)
            .map_err(text)?;
        check("reduce_scatter_block", &block, &sum[me * 3..me * 3 + 3])?;
        let mut swapped = vec![0u64; 3 * size];
        mpi.alltoall(&world, &long[me], &mut swapped)
            .map_err(text)?;
        let want: Vec<u64> = (0..size)
            .flat_map(|r| long[r][me * 3..me * 3 + 3].to_vec())
            .collect();
        check("alltoall", &swapped, &want)?;
        Ok(())
    });
}

/// Per-rank counts, zeros among them, on 1 to 8 ranks and both algorithms:
/// rank r's `recv` is its slice of the sequential sum.
#[test]
fn reduce_scatter_cuts_the_sum_by_counts() {
    for size in 1..=8 {
        for algo in Algorithm::ALL {
            // Rank r gets r % 3 elements: ranks 0, 3, 6 get none.
            let counts: Vec<usize> = (0..size).map(|r| r % 3).collect();
            let total: usize = counts.iter().sum();
            let long: Vec<Vec<u64>> = (0..size).map(|r| sample(11, r, total)).collect();
            let sum = prefixes(&long, add).pop().unwrap();
            run_ranks(size, 256, 3, |mpi| {
                let world = mpi.world();
                let me = world.rank();
                let start: usize = counts[..me].iter().sum();
                let mut mine = vec![0u64; counts[me]];
                mpi.reduce_scatter(&world, &long[me], &mut mine, &counts, Op::Sum, algo)
                    .map_err(text)?;
                check("reduce_scatter", &mine, &sum[start..start + counts[me]])
                    .map_err(|e| format!("{size} ranks, {algo}: {e}"))
            });
        }
    }
}

/// What rank `me`'s `reduce_scatter` returned, on 3 ranks with every count
/// 2 except where `counts_of(me)` says otherwise.
fn reduce_scatter_with(
    counts_of: impl Fn(usize) -> Vec<usize> + Sync,
    algo: Algorithm,
) -> Vec<Result<(), Error>> {
    run_ranks(3, 256, 3, |mpi| {
        let world = mpi.world();
        let counts = counts_of(world.rank());
        let own = counts.get(world.rank()).copied().unwrap_or(2);
        let mut mine = vec![0u64; own];
        Ok(mpi.reduce_scatter(&world, &[1; 6], &mut mine, &counts, Op::Sum, algo))
    })
}

/// Bad counts give `LengthMismatch` on the rank that passed them and fail
/// the others rather than leave them waiting.
#[test]
fn reduce_scatter_refuses_bad_counts() {
    for algo in Algorithm::ALL {
        let short = reduce_scatter_with(|r| if r == 1 { vec![2, 2] } else { vec![2; 3] }, algo);
        assert_eq!(
            short[1],
            Err(Error::LengthMismatch {
                expected: 3,
                got: 2
            }),
            "{algo}: counts not one per rank"
        );
        assert!(short.iter().all(Result::is_err), "{algo}: {short:?}");
        // Rank 2 expects 3 elements of a total of 7: its `send` of 6 is short.
        let total = reduce_scatter_with(|r| if r == 2 { vec![2, 2, 3] } else { vec![2; 3] }, algo);
        assert_eq!(
            total[2],
            Err(Error::LengthMismatch {
                expected: 7,
                got: 6
            }),
            "{algo}: send shorter than the counts"
        );
        assert!(total.iter().all(Result::is_err), "{algo}: {total:?}");
        // Same total, another own block than rank 0 cuts for it.
        let moved = reduce_scatter_with(|r| if r == 2 { vec![2, 1, 3] } else { vec![2; 3] }, algo);
        assert!(
            matches!(moved[2], Err(Error::LengthMismatch { .. })),
            "{algo}: {moved:?}"
        );
    }
}

#[test]
fn minloc_and_maxloc_take_the_lowest_index_on_ties() {
    sweep(|mpi, algo, _| {
        let world = mpi.world();
        let (me, size) = (world.rank(), world.size());
        // Pair i: value (rank * (i + 2)) % 3 (ties galore), index = rank.
        let pairs: Vec<f64> = (0..4)
            .flat_map(|i| [((me * (i + 2)) % 3) as f64, me as f64])
            .collect();
        let want = |best: fn(usize, usize) -> bool| -> Vec<f64> {
            (0..4)
                .flat_map(|i| {
                    let value = |r: usize| (r * (i + 2)) % 3;
                    let winner =
                        (1..size).fold(0, |w, r| if best(value(r), value(w)) { r } else { w });
                    [value(winner) as f64, winner as f64]
                })
                .collect()
        };
        let mut got = vec![0f64; 8];
        mpi.allreduce(&world, &pairs, &mut got, &UserOp::minloc(), algo)
            .map_err(text)?;
        let (min, max) = (want(|a, b| a < b), want(|a, b| a > b));
        if got != min {
            return Err(format!("minloc {got:?}, want {min:?}"));
        }
        mpi.allreduce(&world, &pairs, &mut got, &UserOp::maxloc(), algo)
            .map_err(text)?;
        if got != max {
            return Err(format!("maxloc {got:?}, want {max:?}"));
        }
        Ok(())
    });
}

#[test]
fn in_place_forms_match_the_plain_calls() {
    sweep(|mpi, algo, inputs| {
        let world = mpi.world();
        let (me, size) = (world.rank(), world.size());
        let sum = prefixes(inputs, add).pop().unwrap();
        let mut buf = inputs[me].clone();
        mpi.allreduce_in_place(&world, &mut buf, Op::Sum, algo)
            .map_err(text)?;
        check("allreduce_in_place", &buf, &sum)?;
        let root = size - 1;
        let mut buf = inputs[me].clone();
        mpi.reduce_in_place(&world, &mut buf, Op::Sum, root, algo)
            .map_err(text)?;
        check(
            "reduce_in_place",
            &buf,
            if me == root { &sum } else { &inputs[me] },
        )?;
        let every: Vec<u64> = inputs.concat();
        let mut all = vec![0u64; every.len()];
        all[me * 12..me * 12 + 12].copy_from_slice(&inputs[me]);
        mpi.allgather_in_place(&world, &mut all, algo)
            .map_err(text)?;
        check("allgather_in_place", &all, &every)?;
        let mut mine = if me == 0 {
            all.clone()
        } else {
            inputs[me].clone()
        };
        if me == 0 {
            mine[12..].fill(0);
        }
        mpi.gather_in_place(&world, &mut mine, 0, algo)
            .map_err(text)?;
        check(
            "gather_in_place",
            &mine,
            if me == 0 { &every } else { &inputs[me] },
        )
    });
}

/// 7 ranks: colours rank % 3 (rank 6 undefined), keys descending, so each
/// new communicator lists its ranks in reverse; the groups work at once.
#[test]
fn comm_split_orders_by_key_then_rank() {
    let got = run_ranks(7, 256, 3, |mpi| {
        let world = mpi.world();
        let me = world.rank();
        let color = (me != 6).then_some(me as u32 % 3);
        let key = -(me as i32);
        let Some(part) = mpi.comm_split(&world, color, key).map_err(text)? else {
            return Ok(None);
        };
        let mut total = [0u64];
        mpi.allreduce(&part, &[me as u64], &mut total, Op::Sum, Algorithm::Tree)
            .map_err(text)?;
        Ok(Some((
            part.cores().to_vec(),
            part.rank(),
            part.context(),
            total[0],
        )))
    });
    let want_cores = [vec![3, 0], vec![4, 1], vec![5, 2]];
    for (me, out) in got.iter().enumerate() {
        let Some((cores, rank, _, total)) = out else {
            assert_eq!(me, 6, "only the undefined colour gets no communicator");
            continue;
        };
        assert_eq!(cores, &want_cores[me % 3], "rank {me}");
        assert_eq!(cores[*rank], me);
        assert_eq!(*total, cores.iter().sum::<usize>() as u64);
    }
    let contexts: std::collections::BTreeSet<u16> =
        got.iter().flatten().map(|(_, _, ctx, _)| *ctx).collect();
    assert_eq!(contexts.len(), 3, "one context per colour");
}

/// Ties in key go by parent rank.
#[test]
fn comm_split_breaks_key_ties_by_parent_rank() {
    let got = run_ranks(4, 256, 3, |mpi| {
        let world = mpi.world();
        let part = mpi.comm_split(&world, Some(0), 1).map_err(text)?;
        Ok(part.map(|p| p.cores().to_vec()))
    });
    assert!(got.iter().all(|c| c.as_deref() == Some(&[0, 1, 2, 3][..])));
}

/// A user op over a length that is not a whole number of items is refused
/// before any message.
#[test]
fn user_op_lengths_are_checked() {
    run_ranks(2, 256, 3, |mpi| {
        let world = mpi.world();
        let mut got = [0i32; 3];
        match mpi.allreduce(
            &world,
            &[1, 2, 3],
            &mut got,
            &UserOp::minloc(),
            Algorithm::Tree,
        ) {
            Err(Error::LengthMismatch {
                expected: 4,
                got: 3,
            }) => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
}

/// `got == want`, or a message naming `what`.
fn check(what: &str, got: &[u64], want: &[u64]) -> Result<(), String> {
    match got == want {
        true => Ok(()),
        false => Err(format!("{what}: got {got:?}, want {want:?}")),
    }
}

/// Splitting past the last agreed context id is one clear error, and the
/// communicators made before it still work.
#[test]
fn comm_split_says_when_the_context_ids_run_out() {
    run_ranks(2, 256, 30, |mpi| {
        let world = mpi.world();
        let mut last = None;
        let err = loop {
            match mpi.comm_split(&world, Some(0), 0) {
                Ok(part) => last = part,
                Err(err) => break err,
            }
        };
        if err != (Error::ContextsExhausted { made: 0x7fff }) {
            return Err(format!("{err:?}"));
        }
        let part = last.ok_or("no split succeeded")?;
        let mut total = [0u32];
        mpi.allreduce(&part, &[1u32], &mut total, Op::Sum, Algorithm::Tree)
            .map_err(text)?;
        (total == [2]).then_some(()).ok_or(format!("{total:?}"))
    });
}
