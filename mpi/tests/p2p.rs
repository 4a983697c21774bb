//! Point-to-point: tag and source matching (any-source, any-tag), the
//! unexpected-message queue, fragmentation, sends to oneself, probes, and
//! contexts that keep communicators apart.

use std::collections::BTreeSet;

use mpi::{Algorithm, Error, Op, Source, Status, TagMatch};
use testkit::{Rng, run_ranks};

/// Messages received out of order: each waits in the unexpected queue
/// until the receive that matches it comes.
#[test]
fn tags_and_sources_match_out_of_order() {
    run_ranks(3, 1024, 4, |mpi| {
        let world = mpi.world();
        let me = world.rank();
        if me != 0 {
            for tag in [5u32, 6, 7] {
                mpi.send(&world, 0, tag, &[me as i32 * 100 + tag as i32])
                    .map_err(|e| e.to_string())?;
            }
            return Ok(());
        }
        let mut got = [0i32; 1];
        let order: [(Source, TagMatch, i32); 6] = [
            (Source::Rank(2), TagMatch::Tag(7), 207),
            (Source::Any, TagMatch::Tag(7), 107),
            (Source::Rank(1), TagMatch::Any, 105),
            (Source::Rank(2), TagMatch::Tag(5), 205),
            (Source::Rank(2), TagMatch::Any, 206),
            (Source::Any, TagMatch::Any, 106),
        ];
        for (k, (src, tag, want)) in order.into_iter().enumerate() {
            let st = mpi
                .recv(&world, src, tag, &mut got)
                .map_err(|e| format!("receive {k}: {e}"))?;
            let expect = Status {
                source: want as usize / 100,
                tag: want as u32 % 100,
                count: 1,
            };
            if got[0] != want || st != expect {
                return Err(format!(
                    "receive {k} ({src:?}, {tag:?}): got {} {st:?}, want {want} {expect:?}",
                    got[0]
                ));
            }
        }
        if mpi.unexpected_peak() < 2 || mpi.unexpected() != 0 {
            return Err(format!(
                "queue peak {}, left {}",
                mpi.unexpected_peak(),
                mpi.unexpected()
            ));
        }
        Ok(())
    });
}

/// Two tags from one source, received tag by tag: each tag's messages
/// keep their sending order (the non-overtaking rule).
#[test]
fn one_source_one_tag_never_overtakes() {
    run_ranks(2, 256, 3, |mpi| {
        let world = mpi.world();
        let n = 200u32;
        if world.rank() == 1 {
            for i in 0..n {
                mpi.send(&world, 0, 3 + i % 2, &[i as u64; 40])
                    .map_err(|e| e.to_string())?;
            }
            return Ok(());
        }
        let mut buf = [0u64; 40];
        for tag in [4u32, 3] {
            for i in (0..n).filter(|i| 3 + i % 2 == tag) {
                mpi.recv(&world, 1, tag, &mut buf)
                    .map_err(|e| e.to_string())?;
                if buf != [i as u64; 40] {
                    return Err(format!("tag {tag}: got message {}, want {i}", buf[0]));
                }
            }
        }
        Ok(())
    });
}

/// Any-source any-tag receives take every rank's message once.
#[test]
fn any_source_any_tag_takes_each_message_once() {
    let seen = run_ranks(6, 1024, 2, |mpi| {
        let world = mpi.world();
        let me = world.rank();
        if me != 0 {
            mpi.send(&world, 0, me as u32 + 10, &vec![me as u32; me])
                .map_err(|e| e.to_string())?;
            return Ok(BTreeSet::new());
        }
        let mut got = BTreeSet::new();
        let mut buf = [0u32; 8];
        for _ in 1..6 {
            let st = mpi
                .recv(&world, Source::Any, TagMatch::Any, &mut buf)
                .map_err(|e| e.to_string())?;
            if st.tag != st.source as u32 + 10
                || st.count != st.source
                || buf[..st.count].iter().any(|&x| x != st.source as u32)
            {
                return Err(format!("bad message {st:?} {buf:?}"));
            }
            got.insert(st.source);
        }
        Ok(got)
    });
    assert_eq!(seen[0], (1..6).collect());
}

/// Lengths around the fragment size (a 256-byte transport carries 232
/// payload bytes per fragment) and far past it arrive intact.
#[test]
fn long_messages_are_fragmented_and_reassembled() {
    let lens = [0usize, 1, 231, 232, 233, 464, 465, 100_000];
    run_ranks(2, 256, 2, |mpi| {
        let world = mpi.world();
        let message = |len: usize| -> Vec<u8> { (0..len).map(|i| (i * 7 + len) as u8).collect() };
        if world.rank() == 0 {
            for &len in &lens {
                mpi.send_bytes(&world, 1, len as u32 % 1000, &message(len))
                    .map_err(|e| e.to_string())?;
            }
            return mpi
                .send(&world, 1, 1, &[0.5f64; 20_000])
                .map_err(|e| e.to_string());
        }
        let mut buf = vec![0u8; 100_000];
        for &len in &lens {
            let st = mpi
                .recv_bytes(&world, 0, len as u32 % 1000, &mut buf)
                .map_err(|e| e.to_string())?;
            if st.count != len || buf[..len] != message(len)[..] {
                return Err(format!(
                    "{len}-byte message came back as {} bytes",
                    st.count
                ));
            }
        }
        let mut floats = vec![0.0f64; 20_000];
        let st = mpi
            .recv(&world, 0, 1u32, &mut floats)
            .map_err(|e| e.to_string())?;
        if st.count != 20_000 || floats.iter().any(|&x| x != 0.5) {
            return Err("f64 vector damaged".into());
        }
        Ok(())
    });
}

/// Both ranks send 200 KB to each other before receiving, through queues
/// of two 512-byte frames: senders receive while they wait, so no deadlock.
#[test]
fn crossing_large_sends_do_not_deadlock() {
    run_ranks(2, 512, 2, |mpi| {
        let world = mpi.world();
        let (me, other) = (world.rank(), 1 - world.rank());
        let out = vec![me as u32 + 1; 50_000];
        mpi.send(&world, other, 0, &out)
            .map_err(|e| e.to_string())?;
        let mut back = vec![0u32; 50_000];
        mpi.recv(&world, other, 0u32, &mut back)
            .map_err(|e| e.to_string())?;
        if back.iter().any(|&x| x != other as u32 + 1) {
            return Err("wrong data".into());
        }
        Ok(())
    });
}

/// A rank can send to itself; the message waits in its own queue.
#[test]
fn send_to_self() {
    run_ranks(2, 1024, 2, |mpi| {
        let world = mpi.world();
        let me = world.rank();
        mpi.send(&world, me, 9, &[me as i64, -1])
            .map_err(|e| e.to_string())?;
        let mut got = [0i64; 2];
        let st = mpi
            .recv(&world, me, 9u32, &mut got)
            .map_err(|e| e.to_string())?;
        (got == [me as i64, -1] && st.source == me)
            .then_some(())
            .ok_or(format!("got {got:?} {st:?}"))
    });
}

/// A too-small buffer is an error and leaves the message queued; probes
/// see it without taking it.
#[test]
fn too_small_buffer_keeps_the_message_and_probes_see_it() {
    run_ranks(2, 1024, 2, |mpi| {
        let world = mpi.world();
        if world.rank() == 1 {
            return mpi
                .send(&world, 0, 4, &[1u32, 2, 3])
                .map_err(|e| e.to_string());
        }
        let st = mpi
            .probe(&world, Source::Any, TagMatch::Any)
            .map_err(|e| e.to_string())?;
        let mut small = [0u32; 2];
        let err = mpi.recv(&world, 1, 4u32, &mut small);
        let again = mpi.iprobe(&world, 1, 4u32).map_err(|e| e.to_string())?;
        let mut odd = [0u8; 5];
        let bytes = mpi.recv_bytes(&world, 1, 4u32, &mut odd);
        let mut i64s = [0i64; 4];
        let mismatch = mpi.recv(&world, 1, 4u32, &mut i64s);
        let mut right = [0u32; 3];
        let ok = mpi
            .recv(&world, 1, 4u32, &mut right)
            .map_err(|e| e.to_string())?;
        let none = mpi
            .iprobe(&world, Source::Any, TagMatch::Any)
            .map_err(|e| e.to_string())?;
        let want = Status {
            source: 1,
            tag: 4,
            count: 12,
        };
        let checks = [
            st == want,
            err == Err(Error::BufferTooSmall { needed: 3, got: 2 }),
            again == Some(want),
            bytes == Err(Error::BufferTooSmall { needed: 12, got: 5 }),
            matches!(mismatch, Err(Error::LengthMismatch { .. })),
            ok == Status { count: 3, ..want } && right == [1, 2, 3],
            none.is_none(),
        ];
        checks
            .iter()
            .all(|&c| c)
            .then_some(())
            .ok_or(format!("checks {checks:?}"))
    });
}

/// The same cores, the same tag, two communicators: each receive gets its
/// own communicator's message, whatever arrived first.
#[test]
fn contexts_keep_communicators_apart() {
    run_ranks(3, 1024, 4, |mpi| {
        let world = mpi.world();
        if mpi.core() == 1 {
            return Ok(());
        }
        let group = mpi.group(&[2, 0], 5).map_err(|e| e.to_string())?;
        match mpi.core() {
            2 => {
                mpi.send(&group, 1, 1, &[50i32])
                    .map_err(|e| e.to_string())?;
                mpi.send(&world, 0, 1, &[10i32]).map_err(|e| e.to_string())
            }
            0 => {
                let mut got = [0i32];
                let w = mpi
                    .recv(&world, Source::Any, 1u32, &mut got)
                    .map_err(|e| e.to_string())?;
                let from_world = got[0];
                let g = mpi
                    .recv(&group, Source::Any, 1u32, &mut got)
                    .map_err(|e| e.to_string())?;
                let ok = from_world == 10 && w.source == 2 && got[0] == 50 && g.source == 0;
                ok.then_some(())
                    .ok_or(format!("world {from_world} {w:?}, group {} {g:?}", got[0]))
            }
            _ => Ok(()),
        }
    });
}

/// A collective's message that is already queued never satisfies a user
/// any-tag receive.
#[test]
fn collective_messages_never_match_user_receives() {
    run_ranks(2, 1024, 4, |mpi| {
        let world = mpi.world();
        let mut data = [world.rank() as u64 + 40];
        if world.rank() == 0 {
            mpi.bcast(&world, &mut data, 0, Algorithm::Linear)
                .map_err(|e| e.to_string())?;
            return mpi.send(&world, 1, 0, &[99u64]).map_err(|e| e.to_string());
        }
        let mut user = [0u64];
        mpi.recv(&world, Source::Any, TagMatch::Any, &mut user)
            .map_err(|e| e.to_string())?;
        mpi.bcast(&world, &mut data, 0, Algorithm::Linear)
            .map_err(|e| e.to_string())?;
        (user == [99] && data == [40])
            .then_some(())
            .ok_or(format!("user {user:?}, bcast {data:?}"))
    });
}

/// `create` agrees on a context among the new group's cores only; groups
/// sharing a core get different contexts, and work.
#[test]
fn create_agrees_on_fresh_contexts() {
    let contexts = run_ranks(4, 1024, 3, |mpi| {
        let world = mpi.world();
        let mut mine = Vec::new();
        for cores in [&[0usize, 1, 2][..], &[3, 2, 1], &[0, 3]] {
            if !cores.contains(&mpi.core()) {
                continue;
            }
            let comm = mpi
                .create(&world, cores)
                .map_err(|e| format!("create {cores:?}: {e}"))?;
            let mut sum = [0u32];
            mpi.allreduce(
                &comm,
                &[mpi.core() as u32],
                &mut sum,
                Op::Sum,
                Algorithm::Tree,
            )
            .map_err(|e| e.to_string())?;
            if sum[0] != cores.iter().sum::<usize>() as u32 {
                return Err(format!("{cores:?}: sum {}", sum[0]));
            }
            mine.push(comm.context());
        }
        Ok(mine)
    });
    for (core, ctx) in contexts.iter().enumerate() {
        let distinct: BTreeSet<_> = ctx.iter().collect();
        assert_eq!(
            distinct.len(),
            ctx.len(),
            "core {core} got contexts {ctx:?}"
        );
        assert!(ctx.iter().all(|&c| c >= 0x8000));
    }
}

/// Random traffic: every rank sends a random number of messages with
/// random tags to random ranks, then receives them by (source, tag) in an
/// order unrelated to arrival; every byte is checked.
#[test]
fn random_traffic_matches_every_message() {
    run_ranks(5, 300, 3, |mpi| {
        let world = mpi.world();
        let plan = |src: usize| -> Vec<(usize, u32, usize)> {
            let mut rng = Rng::new(1000 + src as u64);
            (0..30)
                .map(|_| (rng.below(5), rng.below(3) as u32, rng.below(900)))
                .collect()
        };
        let me = world.rank();
        for (k, (dst, tag, len)) in plan(me).into_iter().enumerate() {
            mpi.send(&world, dst, tag, &vec![(me * 1000 + k) as u32; len])
                .map_err(|e| e.to_string())?;
        }
        let mut buf = vec![0u32; 900];
        for tag in [2u32, 0, 1] {
            for src in (0..5).rev() {
                for (k, (_, _, len)) in plan(src)
                    .into_iter()
                    .enumerate()
                    .filter(|(_, (d, t, _))| *d == me && *t == tag)
                {
                    let st = mpi
                        .recv(&world, src, tag, &mut buf)
                        .map_err(|e| e.to_string())?;
                    if st.count != len || buf[..len].iter().any(|&x| x != (src * 1000 + k) as u32) {
                        return Err(format!("from {src} tag {tag}: message {k} wrong ({st:?})"));
                    }
                }
            }
        }
        mpi.barrier(&world, Algorithm::Tree)
            .map_err(|e| e.to_string())?;
        (mpi.unexpected() == 0)
            .then_some(())
            .ok_or("messages left over".into())
    });
}
