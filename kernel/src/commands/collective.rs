//! The MPI demos, one command per collective: Toro's program ("each core
//! fills its vector with its core id, reduce to the root, the root checks")
//! and the same shape for allreduce, bcast, gather, scatter, allgather and
//! barrier. Each core runs one rank; core 0's rank runs on the shell core.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt::Write;

use mpi::demo::{Collective, DemoOutcome, Spec, Verdict};
use mpi::{Algorithm, Mpi, Op, Type};
use shell::{Args, Command, CoreSet, Error};

use super::format::{Bytes, Micros};
use super::{Kernel, jobs};
use crate::cores::{self, JobContext, WaitOutcome, Work};
use crate::mpi_context;
use crate::{core_bus, time};

/// Most elements per vector (2 MiB of f64). Whether a demo of that size
/// fits this machine's memory is checked separately, by [`check_memory`].
pub const MAX_LEN: usize = 262_144;

/// Each rank's buffers of a demo, as a multiple of its largest one: its own
/// vector, the result, the encoded copy a send makes, and what arrives
/// (queued messages at a linear root, a reassembled fragment).
const BUFFERS_PER_RANK: usize = 4;

/// `reduce <len> <op>`: Toro's MPI_REDUCE demo.
pub const REDUCE: Command<Kernel> = Command {
    name: "reduce",
    summary: "MPI reduce: every core sends its vector, the root combines and checks them",
    usage: "reduce <len> <op> [--root R] [--cores LIST] [--type T] [--algo linear|tree]",
    help: "Each core in LIST (default: all) prints 'hello from core <id>', fills <len> elements \
           with its core id and reduces them with <op> (sum prod min max land lor lxor band bor \
           bxor; the bitwise ones on integer types only) to the root (default: the lowest core \
           in LIST). The root checks every element against the fold of the core ids and prints \
           'success! value: <last element>' or 'failed!, core: <id>'. Then the time taken. \
           --algo linear sends everything to the root; tree uses a binomial tree.",
    example: "reduce 64 max --cores 1,3 --root 3",
    run: demo_command::<{ slot(Collective::Reduce) }>,
};

/// `allreduce <len> <op>`.
pub const ALLREDUCE: Command<Kernel> = Command {
    name: "allreduce",
    summary: "MPI allreduce: like reduce, but every core gets and checks the result",
    usage: "allreduce <len> <op> [--cores LIST] [--type T] [--algo linear|tree]",
    help: "Like reduce, but every core ends with the combined vector and checks it (linear: \
           reduce to the first core then broadcast; tree: recursive doubling).",
    example: "allreduce 64 sum --algo tree",
    run: demo_command::<{ slot(Collective::Allreduce) }>,
};

/// `bcast <len>`.
pub const BCAST: Command<Kernel> = Command {
    name: "bcast",
    summary: "MPI broadcast: the root's vector reaches every core, which checks it",
    usage: "bcast <len> [--root R] [--cores LIST] [--type T] [--algo linear|tree]",
    help: "The root fills <len> elements with its core id and broadcasts them; every core checks \
           what it received.",
    example: "bcast 64 --root 2",
    run: demo_command::<{ slot(Collective::Bcast) }>,
};

/// `gather <len>`.
pub const GATHER: Command<Kernel> = Command {
    name: "gather",
    summary: "MPI gather: every core's block is collected at the root, which checks them",
    usage: "gather <len> [--root R] [--cores LIST] [--type T] [--algo linear|tree]",
    help: "Every core sends <len> elements holding its core id to the root, which checks that \
           block i holds the id of the core of rank i.",
    example: "gather 16 --cores 1-3",
    run: demo_command::<{ slot(Collective::Gather) }>,
};

/// `scatter <len>`.
pub const SCATTER: Command<Kernel> = Command {
    name: "scatter",
    summary: "MPI scatter: the root sends each core its own block, which the core checks",
    usage: "scatter <len> [--root R] [--cores LIST] [--type T] [--algo linear|tree]",
    help: "The root sends block i (<len> elements holding the core id of rank i) to rank i; every \
           core checks that its block holds its own core id.",
    example: "scatter 16",
    run: demo_command::<{ slot(Collective::Scatter) }>,
};

/// `allgather <len>`.
pub const ALLGATHER: Command<Kernel> = Command {
    name: "allgather",
    summary: "MPI allgather: every core gets every core's block and checks them",
    usage: "allgather <len> [--cores LIST] [--type T] [--algo linear|tree]",
    help: "Like gather, but every core ends with all the blocks and checks them.",
    example: "allgather 8 --algo tree",
    run: demo_command::<{ slot(Collective::Allgather) }>,
};

/// `barrier`.
pub const BARRIER: Command<Kernel> = Command {
    name: "barrier",
    summary: "MPI barrier: no core leaves before every core has arrived",
    usage: "barrier [--cores LIST] [--algo linear|tree]",
    help: "Every core in LIST waits at a barrier (linear: through the first core; tree: a \
           dissemination barrier) and reports when all have passed it.",
    example: "barrier --cores 0-3",
    run: demo_command::<{ slot(Collective::Barrier) }>,
};

/// Every collective command's `run`: the demo of `Collective::ALL[SLOT]`.
fn demo_command<const SLOT: usize>(
    _: &mut Kernel,
    args: &mut Args<'_>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    run_demo(Collective::ALL[SLOT], args, out)
}

/// `which`'s position in `Collective::ALL`, for `demo_command::<{ slot(..) }>`.
const fn slot(which: Collective) -> usize {
    let mut slot = 0;
    while Collective::ALL[slot] as usize != which as usize {
        slot += 1;
    }
    slot
}

fn takes_root(which: Collective) -> bool {
    matches!(
        which,
        Collective::Reduce | Collective::Bcast | Collective::Gather | Collective::Scatter
    )
}

fn takes_op(which: Collective) -> bool {
    matches!(which, Collective::Reduce | Collective::Allreduce)
}

/// A demo's arguments: the spec every rank gets, and the cores.
pub struct Demo {
    /// What each rank runs.
    pub spec: Spec,
    /// The cores taking part.
    pub cores: CoreSet,
}

/// Refuses a demo whose buffers would not fit in the free heap, before any
/// core allocates: running out of memory mid-collective would panic on
/// every core at once. The estimate is generous on purpose
/// ([`BUFFERS_PER_RANK`] times each rank's largest buffer, for every rank).
fn check_memory(which: Collective, len: usize, ty: Type, ranks: usize) -> Result<(), Error> {
    let per_block = len * ty.size();
    let largest = match which {
        Collective::Gather | Collective::Scatter | Collective::Allgather => per_block * ranks,
        _ => per_block,
    };
    let needed = largest * BUFFERS_PER_RANK * ranks;
    let free = crate::heap::stats().free_bytes();
    if needed > free {
        return Err(Error::invalid(alloc::format!(
            "{which} {len} x {ty} on {ranks} cores needs about {} of memory, but only {} is free; \
             use fewer elements or fewer cores",
            Bytes(needed),
            Bytes(free)
        )));
    }
    Ok(())
}

/// Parses and checks everything before any core starts, so a bad argument
/// never leaves a rank waiting. Options first (the parser's rule).
pub fn parse_demo(which: Collective, args: &Args<'_>) -> Result<Demo, Error> {
    let root: Option<usize> = if takes_root(which) {
        args.option("--root")?
    } else {
        None
    };
    let cores_text: Option<&str> = args.option("--cores")?;
    let ty = parse_name::<Type>(
        "type",
        args.option("--type")?,
        Type::ALL.map(Type::name).as_slice(),
    )?;
    let algo = parse_name::<Algorithm>(
        "algorithm",
        args.option("--algo")?,
        Algorithm::ALL.map(Algorithm::name).as_slice(),
    )?;
    let len = if which == Collective::Barrier {
        0
    } else {
        args.positional_in("len", 1..=MAX_LEN)?
    };
    let op = if takes_op(which) {
        parse_op(args.positional("op")?, ty)?
    } else {
        Op::Sum
    };
    let cores = match cores_text {
        Some(text) => CoreSet::parse(text, cores::count())?,
        None => CoreSet::all(cores::count()),
    };
    let root = check_root(root, cores)?;
    check_memory(which, len, ty.unwrap_or(Type::I32), cores.len())?;
    Ok(Demo {
        spec: Spec {
            len,
            op,
            ty: ty.unwrap_or(Type::I32),
            root,
            algo: algo.unwrap_or(Algorithm::Linear),
        },
        cores,
    })
}

fn parse_name<T: core::str::FromStr>(
    what: &str,
    text: Option<&str>,
    valid: &[&str],
) -> Result<Option<T>, Error> {
    text.map(|text| {
        text.parse().map_err(|_| {
            Error::invalid(alloc::format!(
                "unknown {what} '{text}' (valid: {})",
                valid.join(", ")
            ))
        })
    })
    .transpose()
}

fn parse_op(text: &str, ty: Option<Type>) -> Result<Op, Error> {
    let op: Op = parse_name("op", Some(text), Op::ALL.map(Op::name).as_slice())?.unwrap_or(Op::Sum);
    let ty = ty.unwrap_or(Type::I32);
    if !op.is_defined_for(ty) {
        return Err(Error::invalid(alloc::format!(
            "{op} is not defined for {ty}: bitwise ops take integer types (i32, i64, u32, u64)"
        )));
    }
    Ok(op)
}

fn check_root(root: Option<usize>, cores: CoreSet) -> Result<usize, Error> {
    let lowest = cores.iter().next().unwrap_or(0);
    match root {
        None => Ok(lowest),
        Some(root) if cores.contains(root) => Ok(root),
        Some(root) => Err(Error::invalid(alloc::format!(
            "root {root} is not one of the cores {cores}"
        ))),
    }
}

/// One rank's result, or why it failed.
type RankResult = (usize, Result<DemoOutcome, mpi::Error>);

fn run_demo(which: Collective, args: &Args<'_>, out: &mut dyn Write) -> Result<(), Error> {
    let demo = parse_demo(which, args)?;
    args.finish()?;
    let results: Arc<spin::Mutex<Vec<RankResult>>> = Arc::default();
    let (spec, members, context) = (
        demo.spec,
        demo.cores.iter().collect::<Vec<_>>(),
        mpi_context::fresh_context(),
    );
    let failed = Arc::new(jobs::FailFlag::default());
    let work = |core: usize| -> Work {
        let (results, members, failed) =
            (Arc::clone(&results), members.clone(), Arc::clone(&failed));
        Box::new(move |job: &JobContext| {
            crate::println!("hello from core {core}");
            let outcome = run_rank(job, &members, context, which, &spec, &failed);
            if matches!(outcome, Err(ref why) if *why != mpi::Error::Aborted) {
                failed.raise(&members); // the others stop at once instead of waiting for this rank
            }
            results.lock().push((core, outcome));
        })
    };
    let Some((outcome, cycles)) = jobs::run_demo(demo.cores, which.name(), false, out, work)?
    else {
        return Ok(());
    };
    let stopped = report(which, &demo, &results.lock(), out)?;
    let by_ctrl_c = outcome != (WaitOutcome::Finished { aborted: false });
    match (by_ctrl_c, stopped.is_empty()) {
        (true, true) => writeln!(out, "{which} stopped by Ctrl-C")?,
        (true, false) => writeln!(out, "{which} stopped by Ctrl-C on cores {stopped}")?,
        // No Ctrl-C: the ranks stopped because a peer of theirs failed.
        (false, false) => writeln!(out, "{which} stopped on cores {stopped}: a peer failed")?,
        (false, true) => {}
    }
    writeln!(
        out,
        "{}: {cycles} cycles = {}",
        describe(which, &demo),
        Micros(time::cycles_to_ns(cycles))
    )?;
    Ok(())
}

/// Runs one rank of the demo on the calling core.
pub fn run_rank(
    job: &JobContext,
    members: &[usize],
    context: u16,
    which: Collective,
    spec: &Spec,
    failed: &Arc<jobs::FailFlag>,
) -> Result<DemoOutcome, mpi::Error> {
    let (core, peers, failed) = (job.core(), job.peers(), Arc::clone(failed));
    core_bus::with_endpoint(core, |endpoint| {
        let mut mpi = Mpi::new(core_bus::mpi_port(endpoint))?
            .with_abort(move || cores::stop_requested(core, peers) || failed.raised());
        let comm = mpi.group(members, context)?;
        mpi::demo::run(&mut mpi, &comm, which, spec)
    })
}

/// The seed's output lines: `success! value: <v>` once if every rank that
/// checked a result found it right, else `failed!, core: <id>` per rank
/// that got a wrong result or an error. A rank that was asked to stop
/// (Ctrl-C, or a failed peer) is not a failure: it is returned, in the set
/// of stopped cores, for the caller's one line.
fn report(
    which: Collective,
    demo: &Demo,
    results: &[RankResult],
    out: &mut dyn Write,
) -> Result<CoreSet, Error> {
    let mut stopped = CoreSet::default();
    let mut value = None;
    let mut all_good = results.len() == demo.cores.len();
    let mut sorted: Vec<&RankResult> = results.iter().collect();
    sorted.sort_by_key(|(core, _)| *core);
    for (core, result) in sorted {
        match result {
            Ok(DemoOutcome {
                verdict: Verdict::Success { last },
                ..
            }) => {
                if value.is_none() || *core == demo.spec.root {
                    value = Some(*last);
                }
            }
            Ok(DemoOutcome {
                verdict: Verdict::NothingToCheck,
                ..
            }) => {}
            Ok(DemoOutcome {
                verdict:
                    Verdict::Mismatch {
                        index,
                        got,
                        expected,
                    },
                ..
            }) => {
                all_good = false;
                writeln!(
                    out,
                    "failed!, core: {core} (element {index} is {got}, expected {expected})"
                )?;
            }
            Err(mpi::Error::Aborted) => {
                all_good = false;
                stopped = stopped.with(*core);
            }
            Err(why) => {
                all_good = false;
                writeln!(out, "failed!, core: {core} ({which}: {why})")?;
            }
        }
    }
    match (all_good, value) {
        (true, _) if which == Collective::Barrier => {
            writeln!(
                out,
                "success! {} passed the barrier",
                match demo.cores.len() {
                    1 => alloc::string::String::from("the 1 core"),
                    n => alloc::format!("all {n} cores"),
                }
            )?;
        }
        (true, Some(Some(last))) => writeln!(out, "success! value: {last}")?,
        (true, _) => writeln!(out, "success! all {} cores agree", demo.cores.len())?,
        (false, _) => {}
    }
    Ok(stopped)
}

/// E.g. `reduce 64 x i32 (sum, linear) on cores 0-3, root 0`.
fn describe(which: Collective, demo: &Demo) -> String {
    let Spec {
        len,
        op,
        ty,
        root,
        algo,
    } = demo.spec;
    let mut text = match which {
        Collective::Barrier => alloc::format!("barrier ({algo})"),
        _ if takes_op(which) => alloc::format!("{which} {len} x {ty} ({op}, {algo})"),
        _ => alloc::format!("{which} {len} x {ty} ({algo})"),
    };
    let _ = write!(text, " on cores {}", demo.cores);
    if takes_root(which) {
        let _ = write!(text, ", root {root}");
    }
    text
}
