//! Lab 4, collectives: the student writes the binomial-tree reduce
//! (docs/labs/4-reduce.md). The checks want the right results, and the
//! trace to show the tree's messages: 1→0 and 3→2, then 2→0.

use crate::grade::lab::{Check, Lab, MachineSpec, Miss, Note, ensure, has_line};
use crate::grade::session::Session;
use crate::grade::trace::{Instant, named};

/// Lab 4.
pub static LAB: Lab = Lab {
    number: 4,
    name: "reduce",
    title: "collectives: the binomial-tree reduce",
    feature: "lab-tree-reduce",
    removes: "mpi/src/collective/reduce.rs: binomial",
    needs: &["ring"],
    machine: MachineSpec {
        smp: 4,
        trace: true,
        host: false,
    },
    checks: &[
        Check {
            name: "`reduce 64 sum --algo tree` gives 6",
            points: 2,
            run: sum,
        },
        Check {
            name: "`reduce 64 max --algo tree --root 2` gives 3",
            points: 1,
            run: other_root,
        },
        Check {
            name: "`reduce 16 prod --algo tree --type i64 --cores 1-3 --root 3` gives 6",
            points: 2,
            run: three_cores,
        },
        Check {
            name: "`reduce 4000 sum --algo tree` (16 KB per message) gives 6",
            points: 1,
            run: long_vectors,
        },
        Check {
            name: "the trace shows the tree's messages: 1->0, 3->2, 2->0",
            points: 2,
            run: tree_messages,
        },
        Check {
            name: "core 2 sends to 0 only after core 3's vector arrived",
            points: 1,
            run: forwards_after_folding,
        },
    ],
};

/// The traced reduce; the trace checks look at its `shell.command` window.
const TRACED: &str = "reduce 64 sum --algo tree";

/// Runs `command` and fails unless it prints `success! value: <value>`.
fn success(s: &mut Session, command: &str, value: &str) -> Result<Note, Miss> {
    let out = s.run(command)?;
    has_line(&out, &format!("success! value: {value}"))
        .map_err(|miss| miss.with_lines(out.lines().filter(|l| !l.starts_with("hello from"))))?;
    Ok(String::new())
}

fn sum(s: &mut Session) -> Result<Note, Miss> {
    success(s, "reduce 64 sum --algo tree", "6")
}

fn other_root(s: &mut Session) -> Result<Note, Miss> {
    success(s, "reduce 64 max --algo tree --root 2", "3")
}

fn three_cores(s: &mut Session) -> Result<Note, Miss> {
    success(
        s,
        "reduce 16 prod --algo tree --type i64 --cores 1-3 --root 3",
        "6",
    )
}

fn long_vectors(s: &mut Session) -> Result<Note, Miss> {
    success(s, "reduce 4000 sum --algo tree", "6")
}

/// The `name` events (`bus.send` or `bus.recv`) among `events`, as
/// (src, dst, time).
fn messages(events: &[Instant], name: &str) -> Vec<(u64, u64, u64)> {
    named(events, name)
        .into_iter()
        .filter_map(|e| Some((e.u64("src")?, e.u64("dst")?, e.ts_ns)))
        .collect()
}

fn tree_messages(s: &mut Session) -> Result<Note, Miss> {
    let (_, trace) = s.traced("bus=debug,shell", TRACED)?;
    let events = trace.command(TRACED)?;
    let mut pairs: Vec<(u64, u64)> = messages(&events, "bus.send")
        .into_iter()
        .map(|(src, dst, _)| (src, dst))
        .collect();
    pairs.sort_unstable();
    let shown: Vec<String> = pairs.iter().map(|(s, d)| format!("{s}->{d}")).collect();
    ensure(pairs == [(1, 0), (2, 0), (3, 2)], || {
        format!(
            "the tree reduce sent [{}]; the binomial tree sends 1->0, 2->0 and 3->2",
            shown.join(", ")
        )
    })
    .map_err(|miss| miss.with_lines(trace.summary()))?;
    Ok(String::new())
}

fn forwards_after_folding(s: &mut Session) -> Result<Note, Miss> {
    let trace = s.trace()?;
    let events = trace.command(TRACED)?;
    let received = messages(&events, "bus.recv")
        .into_iter()
        .find(|&(src, dst, _)| (src, dst) == (3, 2));
    let forwarded = messages(&events, "bus.send")
        .into_iter()
        .find(|&(src, dst, _)| (src, dst) == (2, 0));
    match (received, forwarded) {
        (Some((.., got)), Some((.., sent))) if got < sent => {
            Ok(format!("{} ns between them", sent - got))
        }
        (Some(_), Some(_)) => Err(Miss::new(
            "core 2 sent to core 0 before it received core 3's vector",
        )),
        _ => Err(
            Miss::new("the trace lacks core 2's receive from 3 or its send to 0")
                .with_lines(trace.summary()),
        ),
    }
}
