//! Reduction operations: the [`Op`] names, which types each is defined for,
//! and how two vectors are combined element by element (in a fixed order).

use core::fmt;
use core::str::FromStr;

use crate::datatype::{Datatype, Type, UnknownName};
use crate::error::Error;

/// A reduction operation, as MPI names them (`MPI_SUM` … `MPI_BXOR`).
///
/// Integer SUM and PROD wrap around (two's complement), as C's unsigned
/// arithmetic does. Logical ops treat nonzero as true and give 1 or 0.
/// Bitwise ops are defined for integer types only ([`Op::check`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// Sum (wrapping for integers).
    Sum,
    /// Product (wrapping for integers).
    Prod,
    /// Minimum.
    Min,
    /// Maximum.
    Max,
    /// Logical and: 1 if both are nonzero, else 0.
    Land,
    /// Logical or: 1 if either is nonzero, else 0.
    Lor,
    /// Logical exclusive or: 1 if exactly one is nonzero, else 0.
    Lxor,
    /// Bitwise and (integers only).
    Band,
    /// Bitwise or (integers only).
    Bor,
    /// Bitwise exclusive or (integers only).
    Bxor,
}

impl Op {
    /// Every operation, in table order.
    pub const ALL: [Op; 10] = [
        Op::Sum,
        Op::Prod,
        Op::Min,
        Op::Max,
        Op::Land,
        Op::Lor,
        Op::Lxor,
        Op::Band,
        Op::Bor,
        Op::Bxor,
    ];

    /// The lower-case name the shell accepts (`"sum"`).
    pub const fn name(self) -> &'static str {
        match self {
            Op::Sum => "sum",
            Op::Prod => "prod",
            Op::Min => "min",
            Op::Max => "max",
            Op::Land => "land",
            Op::Lor => "lor",
            Op::Lxor => "lxor",
            Op::Band => "band",
            Op::Bor => "bor",
            Op::Bxor => "bxor",
        }
    }

    /// Whether this is a bitwise operation.
    pub const fn is_bitwise(self) -> bool {
        matches!(self, Op::Band | Op::Bor | Op::Bxor)
    }

    /// Whether the operation is defined for `ty`.
    pub const fn is_defined_for(self, ty: Type) -> bool {
        ty.is_integer() || !self.is_bitwise()
    }

    /// [`Error::OpNotDefined`] unless the operation is defined for `ty`.
    /// Every reduction calls this before its first message.
    pub const fn check(self, ty: Type) -> Result<(), Error> {
        if self.is_defined_for(ty) {
            Ok(())
        } else {
            Err(Error::OpNotDefined { op: self, ty })
        }
    }

    /// `a op b` for one element; `Err` for a bitwise op on a float.
    pub fn apply<D: Datatype>(self, a: D, b: D) -> Result<D, Error> {
        self.check(D::TYPE)?;
        Ok(D::apply(self, a, b))
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Op {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Op::ALL
            .into_iter()
            .find(|o| o.name().eq_ignore_ascii_case(s))
            .ok_or(UnknownName)
    }
}

/// Which operand the accumulator is when a received vector is folded in.
/// Reductions keep lower ranks on the left, so the order is fixed per algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    /// `acc = acc op other`: the other vector comes from higher ranks.
    AccLeft,
    /// `acc = other op acc`: the other vector comes from lower ranks.
    AccRight,
}

/// Folds the little-endian vector `bytes` into `acc` element by element.
/// The caller has checked the op ([`Op::check`]) and that
/// `bytes.len() == acc.len() * D::SIZE`.
///
/// The op is matched once, outside the loop, so each arm's loop is
/// specialised for one operation (and can be vectorised).
pub(crate) fn combine<D: Datatype>(op: Op, acc: &mut [D], bytes: &[u8], side: Side) {
    match op {
        Op::Sum => fold(acc, bytes, side, |a, b| D::apply(Op::Sum, a, b)),
        Op::Prod => fold(acc, bytes, side, |a, b| D::apply(Op::Prod, a, b)),
        Op::Min => fold(acc, bytes, side, |a, b| D::apply(Op::Min, a, b)),
        Op::Max => fold(acc, bytes, side, |a, b| D::apply(Op::Max, a, b)),
        Op::Land => fold(acc, bytes, side, |a, b| D::apply(Op::Land, a, b)),
        Op::Lor => fold(acc, bytes, side, |a, b| D::apply(Op::Lor, a, b)),
        Op::Lxor => fold(acc, bytes, side, |a, b| D::apply(Op::Lxor, a, b)),
        Op::Band => fold(acc, bytes, side, |a, b| D::apply(Op::Band, a, b)),
        Op::Bor => fold(acc, bytes, side, |a, b| D::apply(Op::Bor, a, b)),
        Op::Bxor => fold(acc, bytes, side, |a, b| D::apply(Op::Bxor, a, b)),
    }
}

/// `acc[i] = f(acc[i], other[i])` (or `f(other[i], acc[i])`) for one `f`.
#[inline(always)]
fn fold<D: Datatype>(acc: &mut [D], bytes: &[u8], side: Side, f: impl Fn(D, D) -> D) {
    for (a, chunk) in acc.iter_mut().zip(bytes.chunks_exact(D::SIZE)) {
        let other = D::read_le(chunk);
        *a = match side {
            Side::AccLeft => f(*a, other),
            Side::AccRight => f(other, *a),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_the_docs() {
        for op in Op::ALL {
            for ty in Type::ALL {
                let defined = op.check(ty).is_ok();
                assert_eq!(defined, ty.is_integer() || !op.is_bitwise(), "{op} {ty}");
            }
        }
        assert_eq!(
            Op::Bxor.check(Type::F32),
            Err(Error::OpNotDefined {
                op: Op::Bxor,
                ty: Type::F32
            })
        );
    }

    #[test]
    fn integer_ops_wrap_and_logicals_give_one_or_zero() {
        assert_eq!(Op::Sum.apply(i32::MAX, 1), Ok(i32::MIN));
        assert_eq!(Op::Prod.apply(u32::MAX, 2), Ok(u32::MAX - 1));
        assert_eq!(Op::Land.apply(5i64, -3), Ok(1));
        assert_eq!(Op::Lxor.apply(5u64, 7), Ok(0));
        assert_eq!(Op::Lor.apply(0.0f64, -0.5), Ok(1.0));
        assert_eq!(Op::Band.apply(0b1100u32, 0b1010), Ok(0b1000));
        assert!(Op::Bor.apply(1.0f32, 2.0).is_err());
    }

    #[test]
    fn combine_keeps_the_side() {
        let mut acc = [1.0f64, 2.0];
        let mut bytes = [0u8; 16];
        10.0f64.write_le(&mut bytes[..8]);
        20.0f64.write_le(&mut bytes[8..]);
        combine(Op::Sum, &mut acc, &bytes, Side::AccRight);
        assert_eq!(acc, [11.0, 22.0]);
        assert_eq!("MAX".parse::<Op>(), Ok(Op::Max));
    }
}
