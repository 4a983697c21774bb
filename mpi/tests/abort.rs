//! Abort: a flag (the kernel's Ctrl-C) stops blocking calls on every core
//! with `Error::Aborted`; afterwards the cores retire the stale context and
//! carry on in a fresh one.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use mpi::demo::{self, Spec, Verdict};
use mpi::{Algorithm, Error, Op, Source, TagMatch, Type, Value};
use testkit::{Fabric, run_on, run_ranks};

/// Installs `flag` as this rank's abort check. The flag (Ctrl-C) is read
/// and written Relaxed: it publishes no data, so it needs no partner.
fn abort_on(mpi: &mut mpi::Mpi<testkit::Port>, flag: &Arc<AtomicBool>) {
    let flag = Arc::clone(flag);
    mpi.set_abort(Some(Box::new(move || flag.load(Ordering::Relaxed))));
}

#[test]
fn abort_while_waiting_for_a_message_that_never_comes() {
    let ctrl_c = Arc::new(AtomicBool::new(false));
    let results = run_ranks(2, 1024, 4, |mpi| {
        abort_on(mpi, &ctrl_c);
        let world = mpi.world();
        if world.rank() == 1 {
            std::thread::sleep(Duration::from_millis(30));
            ctrl_c.store(true, Ordering::Relaxed);
            return Ok(None);
        }
        Ok(Some(mpi.recv(
            &world,
            Source::Any,
            TagMatch::Any,
            &mut [0i32; 4],
        )))
    });
    assert_eq!(results[0], Some(Err(Error::Aborted)));
}

/// Cores 0..3 enter an allreduce that core 3 never joins; Ctrl-C stops all
/// three. Then every core retires the world's leftovers and runs the
/// reduce demo in a fresh context: value 6.
#[test]
fn abort_stops_a_collective_on_every_core_and_a_fresh_context_recovers() {
    for algo in Algorithm::ALL {
        let ctrl_c = Arc::new(AtomicBool::new(false));
        let after = Barrier::new(4);
        let results = run_ranks(4, 1024, 4, |mpi| {
            abort_on(mpi, &ctrl_c);
            let world = mpi.world();
            let first = if world.rank() == 3 {
                std::thread::sleep(Duration::from_millis(30));
                ctrl_c.store(true, Ordering::Relaxed);
                Ok(())
            } else {
                mpi.allreduce(&world, &[1i32; 8], &mut [0; 8], Op::Sum, algo)
            };
            after.wait();
            // The kernel clears the flag once every core has stopped.
            ctrl_c.store(false, Ordering::Relaxed);
            after.wait();
            mpi.retire(&world);
            let fresh = mpi.group(&[0, 1, 2, 3], 1).map_err(|e| e.to_string())?;
            let spec = Spec {
                len: 64,
                op: Op::Sum,
                ty: Type::I32,
                root: 0,
                algo,
            };
            let demo = demo::reduce_check(mpi, &fresh, &spec).map_err(|e| e.to_string())?;
            Ok((first, demo.verdict))
        });
        for (core, (first, verdict)) in results.into_iter().enumerate() {
            if core != 3 {
                assert_eq!(first, Err(Error::Aborted), "{algo} core {core}");
            }
            let want = if core == 0 {
                Verdict::Success {
                    last: Some(Value::I32(6)),
                }
            } else {
                Verdict::NothingToCheck
            };
            assert_eq!(verdict, want, "{algo} core {core}");
        }
    }
}

/// A 100 KB send is aborted after its first fragment (the receiver is not
/// receiving); the sender's next message replaces the half-sent one, which
/// the receiver drops and counts.
#[test]
fn an_aborted_fragmented_send_is_discarded_by_the_receiver() {
    let ctrl_c = Arc::new(AtomicBool::new(false));
    let aborted = Barrier::new(2);
    let fabric = Fabric::new(2, 1024, 1);
    let results = run_on(&fabric, |mpi| {
        abort_on(mpi, &ctrl_c);
        let world = mpi.world();
        if world.rank() == 0 {
            let watchdog = {
                let flag = Arc::clone(&ctrl_c);
                std::thread::spawn(move || {
                    std::thread::sleep(Duration::from_millis(30));
                    flag.store(true, Ordering::Relaxed);
                })
            };
            let first = mpi.send_bytes(&world, 1, 1, &[7u8; 100_000]);
            watchdog.join().unwrap();
            ctrl_c.store(false, Ordering::Relaxed);
            aborted.wait();
            mpi.send_bytes(&world, 1, 2, b"after")
                .map_err(|e| e.to_string())?;
            return Ok((first, 0, Vec::new()));
        }
        aborted.wait();
        let mut buf = vec![0u8; 100_000];
        let st = mpi
            .recv_bytes(&world, 0, TagMatch::Any, &mut buf)
            .map_err(|e| e.to_string())?;
        Ok((Ok(()), mpi.discarded(), buf[..st.count].to_vec()))
    });
    assert_eq!(results[0].0, Err(Error::Aborted));
    assert_eq!((results[1].1, results[1].2.as_slice()), (1, &b"after"[..]));
}

/// Ctrl-C is seen by a receive that never runs dry: the message is already
/// queued in fragments, so every turn takes one and none is idle. Waiting
/// turns check the flag too, so a long transfer still stops.
#[test]
fn abort_stops_a_receive_while_fragments_keep_arriving() {
    let ctrl_c = Arc::new(AtomicBool::new(false));
    let queued = Barrier::new(2);
    // 1024-byte frames, 4 frames per queue: 600 i32 (2,400 bytes) are 3 frames.
    let results = run_ranks(2, 1024, 4, |mpi| {
        abort_on(mpi, &ctrl_c);
        let world = mpi.world();
        if world.rank() == 1 {
            mpi.send(&world, 0, 7, &[1i32; 600])
                .map_err(|e| e.to_string())?;
            queued.wait();
            return Ok(None);
        }
        queued.wait();
        ctrl_c.store(true, Ordering::Relaxed);
        Ok(Some(mpi.recv(&world, 1, 7, &mut [0i32; 600])))
    });
    assert_eq!(results[0], Some(Err(Error::Aborted)));
}
