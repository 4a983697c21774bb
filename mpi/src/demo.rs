//! The shell's demos: Toro's program for one rank ("fill your vector with
//! your core id, reduce, check at the root") and the same shape for every
//! collective. They return what happened; the kernel does the printing.

use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

use crate::algorithm::Algorithm;
use crate::comm::Comm;
use crate::datatype::{Datatype, Type, UnknownName, Value};
use crate::engine::Mpi;
use crate::error::Error;
use crate::op::Op;
use crate::transport::Transport;

/// Which collective a demo runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Collective {
    /// [`barrier_check`]
    Barrier,
    /// [`bcast_check`]
    Bcast,
    /// [`reduce_check`]
    Reduce,
    /// [`allreduce_check`]
    Allreduce,
    /// [`gather_check`]
    Gather,
    /// [`scatter_check`]
    Scatter,
    /// [`allgather_check`]
    Allgather,
}

impl Collective {
    /// Every collective, in table order.
    pub const ALL: [Collective; 7] = [
        Collective::Barrier,
        Collective::Bcast,
        Collective::Reduce,
        Collective::Allreduce,
        Collective::Gather,
        Collective::Scatter,
        Collective::Allgather,
    ];

    /// The lower-case name the shell accepts (`"reduce"`).
    pub const fn name(self) -> &'static str {
        match self {
            Collective::Barrier => "barrier",
            Collective::Bcast => "bcast",
            Collective::Reduce => "reduce",
            Collective::Allreduce => "allreduce",
            Collective::Gather => "gather",
            Collective::Scatter => "scatter",
            Collective::Allgather => "allgather",
        }
    }
}

impl fmt::Display for Collective {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Collective {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Collective::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(s))
            .ok_or(UnknownName)
    }
}

/// A demo's arguments, as the shell parsed them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spec {
    /// Elements per vector (per block, for gather, scatter and allgather).
    pub len: usize,
    /// The reduction (reduce, allreduce only).
    pub op: Op,
    /// The element type.
    pub ty: Type,
    /// The root's *core id* (bcast, reduce, gather, scatter only).
    pub root: usize,
    /// The algorithm.
    pub algo: Algorithm,
}

/// What one rank's demo found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DemoOutcome {
    /// This rank's core id (the kernel prints `hello from core <id>`).
    pub core: usize,
    /// This rank in the demo's communicator.
    pub rank: usize,
    /// The check's result.
    pub verdict: Verdict,
}

/// The check of one rank's result.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Verdict {
    /// Every element was as expected; `last` is the last one
    /// (`success! value: <last>`), `None` for an empty vector.
    Success {
        /// The last element received.
        last: Option<Value>,
    },
    /// The first wrong element (`failed!, core: <id>`).
    Mismatch {
        /// Its index.
        index: usize,
        /// What arrived.
        got: Value,
        /// What should have.
        expected: Value,
    },
    /// This rank receives no result to check (a non-root of reduce or gather).
    NothingToCheck,
}

/// Runs demo `which` on this rank.
pub fn run<T: Transport>(
    mpi: &mut Mpi<T>,
    comm: &Comm,
    which: Collective,
    spec: &Spec,
) -> Result<DemoOutcome, Error> {
    match which {
        Collective::Barrier => barrier_check(mpi, comm, spec),
        Collective::Bcast => bcast_check(mpi, comm, spec),
        Collective::Reduce => reduce_check(mpi, comm, spec),
        Collective::Allreduce => allreduce_check(mpi, comm, spec),
        Collective::Gather => gather_check(mpi, comm, spec),
        Collective::Scatter => scatter_check(mpi, comm, spec),
        Collective::Allgather => allgather_check(mpi, comm, spec),
    }
}

/// Calls `$f::<T, D>(args)` with `D` the Rust type of runtime type `$ty`.
macro_rules! by_type {
    ($ty:expr, $f:ident($($arg:expr),*)) => {
        match $ty {
            Type::I32 => $f::<T, i32>($($arg),*),
            Type::I64 => $f::<T, i64>($($arg),*),
            Type::U32 => $f::<T, u32>($($arg),*),
            Type::U64 => $f::<T, u64>($($arg),*),
            Type::F32 => $f::<T, f32>($($arg),*),
            Type::F64 => $f::<T, f64>($($arg),*),
        }
    };
}

/// Toro's program: every rank fills `len` elements with its core id, reduces
/// with `op` to the root core, and the root checks every element against the
/// fold of the member core ids under `op` (in rank order, in the type).
/// `reduce 64 sum` on cores 0..4 gives 6; `max` on cores {1, 3} gives 3.
pub fn reduce_check<T: Transport>(
    mpi: &mut Mpi<T>,
    comm: &Comm,
    spec: &Spec,
) -> Result<DemoOutcome, Error> {
    let verdict = by_type!(spec.ty, reduce_typed(mpi, comm, spec))?;
    Ok(outcome(mpi, comm, verdict))
}

/// [`reduce_check`], but with allreduce: every rank checks its result.
pub fn allreduce_check<T: Transport>(
    mpi: &mut Mpi<T>,
    comm: &Comm,
    spec: &Spec,
) -> Result<DemoOutcome, Error> {
    let verdict = by_type!(spec.ty, allreduce_typed(mpi, comm, spec))?;
    Ok(outcome(mpi, comm, verdict))
}

/// The root core broadcasts a vector of its core id; every rank checks it
/// got exactly that (each starts with its own id, so a missed copy shows).
pub fn bcast_check<T: Transport>(
    mpi: &mut Mpi<T>,
    comm: &Comm,
    spec: &Spec,
) -> Result<DemoOutcome, Error> {
    let verdict = by_type!(spec.ty, bcast_typed(mpi, comm, spec))?;
    Ok(outcome(mpi, comm, verdict))
}

/// Every rank sends a block of its core id to the root core, which checks
/// block r holds `cores[r]`.
pub fn gather_check<T: Transport>(
    mpi: &mut Mpi<T>,
    comm: &Comm,
    spec: &Spec,
) -> Result<DemoOutcome, Error> {
    let verdict = by_type!(spec.ty, gather_typed(mpi, comm, spec))?;
    Ok(outcome(mpi, comm, verdict))
}

/// The root core fills block r with `cores[r]` and scatters; every rank
/// checks its block holds its own core id.
pub fn scatter_check<T: Transport>(
    mpi: &mut Mpi<T>,
    comm: &Comm,
    spec: &Spec,
) -> Result<DemoOutcome, Error> {
    let verdict = by_type!(spec.ty, scatter_typed(mpi, comm, spec))?;
    Ok(outcome(mpi, comm, verdict))
}

/// [`gather_check`] with allgather: every rank checks every block.
pub fn allgather_check<T: Transport>(
    mpi: &mut Mpi<T>,
    comm: &Comm,
    spec: &Spec,
) -> Result<DemoOutcome, Error> {
    let verdict = by_type!(spec.ty, allgather_typed(mpi, comm, spec))?;
    Ok(outcome(mpi, comm, verdict))
}

/// A barrier, then a count of the ranks past it (an allreduce SUM of ones,
/// same algorithm) that every rank checks against the size; the value is
/// the count.
pub fn barrier_check<T: Transport>(
    mpi: &mut Mpi<T>,
    comm: &Comm,
    spec: &Spec,
) -> Result<DemoOutcome, Error> {
    mpi.barrier(comm, spec.algo)?;
    let mut count = [0u64];
    mpi.allreduce(comm, &[1u64], &mut count, Op::Sum, spec.algo)?;
    let verdict = verify(&count, |_| comm.size() as u64);
    Ok(outcome(mpi, comm, verdict))
}

/// The outcome of this rank.
fn outcome<T: Transport>(mpi: &Mpi<T>, comm: &Comm, verdict: Verdict) -> DemoOutcome {
    DemoOutcome {
        core: mpi.core(),
        rank: comm.rank(),
        verdict,
    }
}

/// The fold of the member core ids under `op`, in rank order.
fn fold_cores<D: Datatype>(comm: &Comm, op: Op) -> Result<D, Error> {
    let mut ids = comm.cores().iter().map(|&c| D::from_index(c));
    let first = ids.next().unwrap_or(D::from_index(0));
    ids.try_fold(first, |acc, x| op.apply(acc, x))
}

/// Success with the last element, or the first element unlike `want(i)`.
fn verify<D: Datatype>(got: &[D], want: impl Fn(usize) -> D) -> Verdict {
    match got.iter().enumerate().find(|&(i, &x)| x != want(i)) {
        Some((index, &x)) => Verdict::Mismatch {
            index,
            got: x.value(),
            expected: want(index).value(),
        },
        None => Verdict::Success {
            last: got.last().map(|x| x.value()),
        },
    }
}

/// [`verify`] for the result of reducing `ranks` vectors, where `expected`
/// is the left fold in rank order. Integers must match exactly. A float
/// result may come from another order of combination (a tree's), which
/// rounds differently: it passes within `ranks - 1` roundings of `expected`,
/// a relative error of `(ranks - 1) * EPSILON`. That bound holds for sums
/// and products of the non-negative core ids the demos reduce; min and max
/// round nothing and stay exact.
fn verify_reduction<D: Datatype>(got: &[D], expected: D, ranks: usize) -> Verdict {
    let steps = ranks.saturating_sub(1) as f64;
    let close = |x: D| match (x.value(), expected.value()) {
        (Value::F32(x), Value::F32(e)) => {
            f64::from((x - e).abs()) <= steps * f64::from(f32::EPSILON) * f64::from(e.abs())
        }
        (Value::F64(x), Value::F64(e)) => (x - e).abs() <= steps * f64::EPSILON * e.abs(),
        _ => x == expected,
    };
    match got.iter().position(|&x| !close(x)) {
        Some(index) => Verdict::Mismatch {
            index,
            got: got[index].value(),
            expected: expected.value(),
        },
        None => Verdict::Success {
            last: got.last().map(|x| x.value()),
        },
    }
}

/// A vector of this core's id.
fn own_ids<T: Transport, D: Datatype>(mpi: &Mpi<T>, len: usize) -> Result<Vec<D>, Error> {
    crate::try_filled(len, D::from_index(mpi.core()))
}

/// [`reduce_check`] for element type `D`.
fn reduce_typed<T: Transport, D: Datatype>(
    mpi: &mut Mpi<T>,
    comm: &Comm,
    spec: &Spec,
) -> Result<Verdict, Error> {
    let root = comm.rank_of(spec.root)?;
    let expected = fold_cores::<D>(comm, spec.op)?;
    let mine = own_ids::<T, D>(mpi, spec.len)?;
    let mut out = if comm.rank() == root {
        mine.clone()
    } else {
        Vec::new()
    };
    mpi.reduce(comm, &mine, &mut out, spec.op, root, spec.algo)?;
    Ok(if comm.rank() == root {
        verify_reduction(&out, expected, comm.size())
    } else {
        Verdict::NothingToCheck
    })
}

/// [`allreduce_check`] for element type `D`.
fn allreduce_typed<T: Transport, D: Datatype>(
    mpi: &mut Mpi<T>,
    comm: &Comm,
    spec: &Spec,
) -> Result<Verdict, Error> {
    let expected = fold_cores::<D>(comm, spec.op)?;
    let mine = own_ids::<T, D>(mpi, spec.len)?;
    let mut out = mine.clone();
    mpi.allreduce(comm, &mine, &mut out, spec.op, spec.algo)?;
    Ok(verify_reduction(&out, expected, comm.size()))
}

/// [`bcast_check`] for element type `D`.
fn bcast_typed<T: Transport, D: Datatype>(
    mpi: &mut Mpi<T>,
    comm: &Comm,
    spec: &Spec,
) -> Result<Verdict, Error> {
    let root = comm.rank_of(spec.root)?;
    let mut buf = own_ids::<T, D>(mpi, spec.len)?;
    mpi.bcast(comm, &mut buf, root, spec.algo)?;
    Ok(verify(&buf, |_| D::from_index(spec.root)))
}

/// [`gather_check`] for element type `D`.
fn gather_typed<T: Transport, D: Datatype>(
    mpi: &mut Mpi<T>,
    comm: &Comm,
    spec: &Spec,
) -> Result<Verdict, Error> {
    let root = comm.rank_of(spec.root)?;
    let mine = own_ids::<T, D>(mpi, spec.len)?;
    let is_root = comm.rank() == root;
    let mut all = crate::try_filled(
        if is_root { spec.len * comm.size() } else { 0 },
        D::from_index(0),
    )?;
    mpi.gather(comm, &mine, &mut all, root, spec.algo)?;
    Ok(if is_root {
        verify(&all, |i| block_owner(comm, spec.len, i))
    } else {
        Verdict::NothingToCheck
    })
}

/// [`scatter_check`] for element type `D`.
fn scatter_typed<T: Transport, D: Datatype>(
    mpi: &mut Mpi<T>,
    comm: &Comm,
    spec: &Spec,
) -> Result<Verdict, Error> {
    let root = comm.rank_of(spec.root)?;
    let count = match comm.rank() == root {
        true => spec.len * comm.size(),
        false => 0,
    };
    let mut all: Vec<D> = crate::try_with_capacity(count)?;
    all.extend((0..count).map(|i| block_owner::<D>(comm, spec.len, i)));
    let mut mine = crate::try_filled(spec.len, D::from_index(0))?;
    mpi.scatter(comm, &all, &mut mine, root, spec.algo)?;
    Ok(verify(&mine, |_| D::from_index(mpi.core())))
}

/// [`allgather_check`] for element type `D`.
fn allgather_typed<T: Transport, D: Datatype>(
    mpi: &mut Mpi<T>,
    comm: &Comm,
    spec: &Spec,
) -> Result<Verdict, Error> {
    let mine = own_ids::<T, D>(mpi, spec.len)?;
    let mut all = crate::try_filled(spec.len * comm.size(), D::from_index(0))?;
    mpi.allgather(comm, &mine, &mut all, spec.algo)?;
    Ok(verify(&all, |i| block_owner(comm, spec.len, i)))
}

/// The core id owning element `i` of a buffer of `len`-element blocks in
/// rank order, as a `D`.
fn block_owner<D: Datatype>(comm: &Comm, len: usize, i: usize) -> D {
    D::from_index(comm.cores()[i / len.max(1)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_float_reduction_passes_within_its_rounding_and_no_further() {
        let exact = 1_307_674_368_000.0f32;
        let one_ulp_off = f32::from_bits(exact.to_bits() + 1);
        assert!(matches!(
            verify_reduction(&[one_ulp_off], exact, 15),
            Verdict::Success { .. }
        ));
        assert!(matches!(
            verify_reduction(&[exact * 1.001], exact, 15),
            Verdict::Mismatch { index: 0, .. }
        ));
        assert!(matches!(
            verify_reduction(&[1.0f64, 2.0], 1.0, 4),
            Verdict::Mismatch { index: 1, .. }
        ));
    }

    #[test]
    fn integer_reductions_must_match_exactly() {
        assert!(matches!(
            verify_reduction(&[7i64, 8], 7, 16),
            Verdict::Mismatch { index: 1, .. }
        ));
    }
}
