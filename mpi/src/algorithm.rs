//! The choice of algorithm a collective call makes: Toro's linear one, or a
//! logarithmic one (binomial tree, recursive doubling, dissemination).

use core::fmt;
use core::str::FromStr;

use crate::datatype::UnknownName;

/// How a collective moves its messages; chosen per call, and every rank of
/// the call must choose the same. docs/mpi.md draws both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// What Toro does: every rank talks to the root (rank 0 for the
    /// root-less collectives, whose second half the root sends to everyone).
    /// `size - 1` messages through one rank; results of float reductions are
    /// the left fold in rank order.
    Linear,
    /// Logarithmic: binomial tree rooted at the root (bcast, reduce, gather,
    /// scatter); recursive doubling (allreduce, allgather; non-powers of two
    /// fold the extra ranks in first); dissemination (barrier).
    Tree,
}

impl Algorithm {
    /// Both algorithms.
    pub const ALL: [Algorithm; 2] = [Algorithm::Linear, Algorithm::Tree];

    /// The lower-case name the shell accepts (`"linear"`, `"tree"`).
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::Linear => "linear",
            Algorithm::Tree => "tree",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Algorithm {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Algorithm::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(s))
            .ok_or(UnknownName)
    }
}
