//! Non-blocking point-to-point and `sendrecv`: posted receives claim their
//! messages in posting order, `test` never waits, `waitall` completes every
//! request, and a random exchange matches a sequential reference.

use mpi::{Error, Source, Status, TagMatch};
use testkit::{Rng, run_ranks};

/// `e` as the harness's error text.
fn text(e: Error) -> String {
    e.to_string()
}

/// A ring shift: every rank sends its rank right and receives from the left.
#[test]
fn sendrecv_shifts_a_ring() {
    for cores in [1, 2, 3, 5] {
        let got = run_ranks(cores, 256, 2, |mpi| {
            let world = mpi.world();
            let (me, n) = (world.rank(), world.size());
            let mine = vec![me as u64; 100];
            let mut left = vec![0u64; 100];
            let st = mpi
                .sendrecv(
                    &world,
                    &mine,
                    (me + 1) % n,
                    3,
                    &mut left,
                    (me + n - 1) % n,
                    3,
                )
                .map_err(text)?;
            Ok((st, left[99]))
        });
        for (me, (st, left)) in got.into_iter().enumerate() {
            let from = (me + cores - 1) % cores;
            assert_eq!(
                st,
                Status {
                    source: from,
                    tag: 3,
                    count: 100
                },
                "{cores} cores"
            );
            assert_eq!(left, from as u64);
        }
    }
}

/// The first posted receive takes the first message it matches, even if a
/// later, narrower receive is waited for first, and even if a blocking
/// receive comes in between.
#[test]
fn posted_receives_claim_in_posting_order() {
    run_ranks(2, 1024, 4, |mpi| {
        let world = mpi.world();
        if world.rank() == 0 {
            for v in [1i32, 2, 3] {
                mpi.send(&world, 1, 5, &[v]).map_err(text)?;
            }
            return Ok(());
        }
        let (mut a, mut b, mut c) = ([0i32], [0i32], [0i32]);
        let any = mpi
            .irecv(&world, Source::Any, TagMatch::Any, &mut a)
            .map_err(text)?;
        let narrow = mpi.irecv(&world, 0, 5, &mut b).map_err(text)?;
        mpi.recv(&world, 0, 5, &mut c).map_err(text)?;
        let sb = mpi.wait(narrow).map_err(text)?;
        let sa = mpi.wait(any).map_err(text)?;
        let want = |count| Status {
            source: 0,
            tag: 5,
            count,
        };
        if (a[0], b[0], c[0]) != (1, 2, 3) || sa != want(1) || sb != want(1) {
            return Err(format!("got {a:?} {b:?} {c:?}, {sa:?} {sb:?}"));
        }
        Ok(())
    });
}

/// A receive posted after its message arrived takes it from the queue.
#[test]
fn irecv_takes_an_already_queued_message() {
    run_ranks(2, 1024, 4, |mpi| {
        let world = mpi.world();
        if world.rank() == 0 {
            mpi.send(&world, 1, 8, &[42u32]).map_err(text)?;
            return mpi.send(&world, 1, 9, &[0u32]).map_err(text);
        }
        let mut sync = [0u32];
        mpi.recv(&world, 0, 9, &mut sync).map_err(text)?; // tag 8 is queued now
        let mut got = [0u32];
        let req = mpi.irecv(&world, 0, 8, &mut got).map_err(text)?;
        if mpi.unexpected() != 0 {
            return Err("irecv left its message queued".into());
        }
        mpi.wait(req).map_err(text)?;
        (got == [42]).then_some(()).ok_or(format!("got {got:?}"))
    });
}

/// `test` says "not yet" until the message is there, then the status;
/// `wait` on the done request gives the same status at once.
#[test]
fn test_does_not_wait() {
    run_ranks(2, 1024, 4, |mpi| {
        let world = mpi.world();
        let mut flag = [0u32; 0];
        if world.rank() == 0 {
            mpi.recv(&world, 1, 1, &mut flag[..]).map_err(text)?; // rank 1 tested once
            return mpi.send(&world, 1, 2, &[7i64, 8]).map_err(text);
        }
        let mut got = [0i64; 2];
        let mut req = mpi.irecv(&world, 0, 2, &mut got).map_err(text)?;
        if let Some(st) = mpi.test(&mut req).map_err(text)? {
            return Err(format!("done before the send: {st:?}"));
        }
        mpi.send(&world, 0, 1, &flag[..]).map_err(text)?;
        let status = loop {
            if let Some(st) = mpi.test(&mut req).map_err(text)? {
                break st;
            }
        };
        let again = mpi.wait(req).map_err(text)?;
        let ok = status == again && status.count == 2 && got == [7, 8];
        ok.then_some(())
            .ok_or(format!("{status:?} {again:?} {got:?}"))
    });
}

/// A message longer than the posted buffer fails the wait, clearly.
#[test]
fn wait_reports_a_too_small_buffer() {
    run_ranks(2, 1024, 4, |mpi| {
        let world = mpi.world();
        if world.rank() == 0 {
            return mpi.send(&world, 1, 0, &[1u32, 2, 3]).map_err(text);
        }
        let mut small = [0u32; 2];
        let req = mpi.irecv(&world, 0, 0, &mut small).map_err(text)?;
        match mpi.wait(req) {
            Err(Error::BufferTooSmall { needed: 3, got: 2 }) => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
}

/// Every rank isends a random number of random vectors to random ranks
/// (itself included) and irecvs what the plan says it gets, waits for all
/// in one waitall, and checks against the plan, in per-pair order.
#[test]
fn random_exchange_matches_the_plan() {
    for seed in 0..6u64 {
        let cores = 2 + seed as usize % 4;
        let mut rng = Rng::new(seed);
        // plan[k] = (src, dst, len): message k; pairs keep their order.
        let plan: Vec<(usize, usize, usize)> = (0..40)
            .map(|_| (rng.below(cores), rng.below(cores), rng.below(700)))
            .collect();
        let value = |k: usize, i: usize| (k * 1000 + i) as u32;
        run_ranks(cores, 512, 3, |mpi| {
            let world = mpi.world();
            let me = world.rank();
            let mine: Vec<usize> = (0..plan.len()).filter(|&k| plan[k].1 == me).collect();
            let mut bufs: Vec<Vec<u32>> = mine.iter().map(|&k| vec![0; plan[k].2]).collect();
            let mut reqs = Vec::new();
            for (buf, &k) in bufs.iter_mut().zip(&mine) {
                reqs.push(mpi.irecv(&world, plan[k].0, 7, buf).map_err(text)?);
            }
            for (k, &(src, dst, len)) in plan.iter().enumerate() {
                if src == me {
                    let data: Vec<u32> = (0..len).map(|i| value(k, i)).collect();
                    reqs.push(mpi.isend(&world, dst, 7, &data).map_err(text)?);
                }
            }
            mpi.waitall(reqs).map_err(text)?;
            for (buf, &k) in bufs.iter().zip(&mine) {
                if buf.iter().enumerate().any(|(i, &x)| x != value(k, i)) {
                    return Err(format!("seed {seed}: message {k} wrong"));
                }
            }
            Ok(())
        });
    }
}

/// A `test` that fails keeps failing: the request does not turn into a
/// wait for a receive the engine has already forgotten.
#[test]
fn a_failed_test_fails_again_instead_of_waiting() {
    run_ranks(2, 1024, 4, |mpi| {
        let world = mpi.world();
        if world.rank() == 0 {
            return mpi.send(&world, 1, 0, &[1u32, 2, 3]).map_err(text);
        }
        let mut small = [0u32; 2];
        let mut req = mpi.irecv(&world, 0, 0, &mut small).map_err(text)?;
        let first = loop {
            match mpi.test(&mut req) {
                Ok(None) => continue,
                other => break other,
            }
        };
        let error = Error::BufferTooSmall { needed: 3, got: 2 };
        let too_small = Err(error);
        if first != too_small {
            return Err(format!("test: {first:?}"));
        }
        let again = mpi.test(&mut req);
        let waited = mpi.wait(req);
        (again == too_small && waited == Err(error))
            .then_some(())
            .ok_or(format!("again {again:?}, wait {waited:?}"))
    });
}

/// A request that fails in a `waitall` does not leave the ones after it
/// posted: each is completed, and the first error is returned.
#[test]
fn waitall_completes_every_request_past_a_failure() {
    run_ranks(2, 1024, 4, |mpi| {
        let world = mpi.world();
        if world.rank() == 0 {
            mpi.send(&world, 1, 1, &[1u32, 2, 3]).map_err(text)?;
            return mpi.send(&world, 1, 2, &[9u32]).map_err(text);
        }
        let (mut small, mut last) = ([0u32; 1], [0u32; 1]);
        let reqs = vec![
            mpi.irecv(&world, 0, 1, &mut small).map_err(text)?,
            mpi.irecv(&world, 0, 2, &mut last).map_err(text)?,
        ];
        let got = mpi.waitall(reqs);
        if got != Err(Error::BufferTooSmall { needed: 3, got: 1 }) {
            return Err(format!("waitall: {got:?}"));
        }
        (last == [9]).then_some(()).ok_or(format!("last {last:?}"))
    });
}

/// Dropping a posted receive is `MPI_Request_free`: the message it matches
/// is taken and discarded, and the next receive gets the next message.
#[test]
fn a_dropped_receive_takes_its_message_and_is_forgotten() {
    run_ranks(2, 1024, 4, |mpi| {
        let world = mpi.world();
        if world.rank() == 0 {
            for v in [1u32, 2] {
                mpi.send(&world, 1, 4, &[v]).map_err(text)?;
            }
            return Ok(());
        }
        let mut freed = [0u32];
        drop(mpi.irecv(&world, 0, 4, &mut freed).map_err(text)?);
        let mut got = [0u32];
        mpi.recv(&world, 0, 4, &mut got).map_err(text)?;
        let (queued, held) = (mpi.unexpected(), mpi.posted_receives());
        (got == [2] && queued == 0 && held == 0)
            .then_some(())
            .ok_or(format!(
                "got {got:?}; {queued} queued, {held} receives held"
            ))
    });
}
