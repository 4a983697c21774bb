//! What a reduction combines with: a built-in [`Op`] or a [`UserOp`]
//! (`MPI_Op_create`), and the MINLOC/MAXLOC pair operations built on it.

use alloc::vec::Vec;
use core::fmt;

use crate::collective::decode;
use crate::datatype::{Datatype, Type};
use crate::error::Error;
use crate::op::{Op, Side, combine};

/// A user-defined reduction operation (`MPI_Op_create`).
///
/// `f(input, inout)` sets `inout[i] = input[i] op inout[i]` for every item,
/// where `input` holds the lower ranks' fold: MPI's `MPI_User_function`.
/// An op that is not `commutative` is combined strictly in rank order by
/// every algorithm, `((x0 op x1) op x2) …` up to association.
/// Vectors are cut into items of `unit` elements (2 for a (value, index)
/// pair, 4 for a 2×2 matrix); a length that is not a multiple is refused.
pub struct UserOp<D: Datatype> {
    name: &'static str,
    f: fn(&[D], &mut [D]),
    commutative: bool,
    unit: usize,
}

impl<D: Datatype> UserOp<D> {
    /// An op named `name` (for traces) combining single elements with `f`.
    pub const fn new(name: &'static str, f: fn(&[D], &mut [D]), commutative: bool) -> Self {
        Self {
            name,
            f,
            commutative,
            unit: 1,
        }
    }

    /// The same op over items of `unit` elements each (`unit >= 1`).
    pub const fn with_unit(self, unit: usize) -> Self {
        let unit = if unit == 0 { 1 } else { unit };
        Self { unit, ..self }
    }

    /// `MPI_MINLOC` on interleaved (value, index) pairs, both of type `D`
    /// (as `MPI_2INT` or `MPI_2DOUBLE_PRECISION`): the smaller value and its
    /// index; on equal values, the lower index.
    pub const fn minloc() -> Self {
        Self::new("minloc", |input, inout| loc(input, inout, Op::Min), true).with_unit(2)
    }

    /// `MPI_MAXLOC`: the larger value and its index; on ties the lower index.
    pub const fn maxloc() -> Self {
        Self::new("maxloc", |input, inout| loc(input, inout, Op::Max), true).with_unit(2)
    }

    /// Whether the op is commutative (as declared).
    pub const fn is_commutative(&self) -> bool {
        self.commutative
    }
}

impl<D: Datatype> fmt::Debug for UserOp<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "UserOp({}, commutative: {})",
            self.name, self.commutative
        )
    }
}

/// MINLOC (`pick` = Min) or MAXLOC (Max) over interleaved pairs.
fn loc<D: Datatype>(input: &[D], inout: &mut [D], pick: Op) {
    for (a, b) in input.chunks_exact(2).zip(inout.chunks_exact_mut(2)) {
        let best = D::apply(pick, a[0], b[0]);
        b[1] = match (a[0] == b[0], best == a[0]) {
            (true, _) => D::apply(Op::Min, a[1], b[1]),
            (false, true) => a[1],
            (false, false) => b[1],
        };
        b[0] = best;
    }
}

/// The operation of one reduction call: `Op::Sum.into()` or `(&user).into()`.
pub enum Reduction<'a, D: Datatype> {
    /// A built-in op (`MPI_SUM` …).
    Builtin(Op),
    /// A user-defined op.
    User(&'a UserOp<D>),
}

impl<D: Datatype> Clone for Reduction<'_, D> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<D: Datatype> Copy for Reduction<'_, D> {}

impl<D: Datatype> From<Op> for Reduction<'_, D> {
    fn from(op: Op) -> Self {
        Reduction::Builtin(op)
    }
}

impl<'a, D: Datatype> From<&'a UserOp<D>> for Reduction<'a, D> {
    fn from(op: &'a UserOp<D>) -> Self {
        Reduction::User(op)
    }
}

impl<D: Datatype> Reduction<'_, D> {
    /// The op's name, for traces.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Reduction::Builtin(op) => op.name(),
            Reduction::User(user) => user.name,
        }
    }

    /// Whether the algorithms may reorder operands.
    pub(crate) fn is_commutative(&self) -> bool {
        match self {
            Reduction::Builtin(_) => true,
            Reduction::User(user) => user.commutative,
        }
    }

    /// A local check before any message: the op is defined for the type,
    /// and `len` is a whole number of items.
    pub(crate) fn check(&self, ty: Type, len: usize) -> Result<(), Error> {
        match self {
            Reduction::Builtin(op) => op.check(ty),
            Reduction::User(user) if len.is_multiple_of(user.unit) => Ok(()),
            Reduction::User(user) => Err(Error::LengthMismatch {
                expected: len.next_multiple_of(user.unit),
                got: len,
            }),
        }
    }

    /// Folds the little-endian vector `bytes` into `acc` on `side`.
    pub(crate) fn fold_in(&self, acc: &mut [D], bytes: &[u8], side: Side) {
        let user = match self {
            Reduction::Builtin(op) => return combine(*op, acc, bytes, side),
            Reduction::User(user) => user,
        };
        let mut other: Vec<D> = acc.to_vec();
        decode(bytes, &mut other);
        match side {
            Side::AccLeft => {
                (user.f)(acc, &mut other);
                acc.copy_from_slice(&other);
            }
            Side::AccRight => (user.f)(&other, acc),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minloc_and_maxloc_take_the_lower_index_on_ties() {
        let (min, max) = (UserOp::<i32>::minloc(), UserOp::<i32>::maxloc());
        let mut inout = [5, 9, 3, 2, 4, 4];
        (min.f)(&[5, 1, 7, 0, 2, 8], &mut inout);
        assert_eq!(inout, [5, 1, 3, 2, 2, 8]);
        let mut inout = [5, 9, 3, 2];
        (max.f)(&[5, 1, 7, 0], &mut inout);
        assert_eq!(inout, [5, 1, 7, 0]);
    }

    #[test]
    fn user_ops_check_their_unit() {
        let minloc = UserOp::<f64>::minloc();
        let op = Reduction::from(&minloc);
        assert_eq!(op.check(Type::F64, 4), Ok(()));
        assert_eq!(
            op.check(Type::F64, 3),
            Err(Error::LengthMismatch {
                expected: 4,
                got: 3
            })
        );
    }
}
