//! The element types MPI moves and reduces: the sealed [`Datatype`] trait
//! (little-endian encoding, per-element arithmetic) and its runtime twin [`Type`].

use core::fmt;
use core::str::FromStr;

use crate::op::Op;

/// An element type `mpi` can send and reduce: `i32`, `i64`, `u32`, `u64`,
/// `f32`, `f64`. Sealed: the wire format and the operation table
/// (docs/mpi.md) are defined for exactly these six.
///
/// On the wire every element is its little-endian bytes, `SIZE` per element,
/// whatever the host's byte order.
pub trait Datatype:
    Copy + PartialEq + fmt::Debug + Send + Sync + sealed::Element + 'static
{
    /// The runtime name of this type.
    const TYPE: Type;
    /// Bytes per element on the wire.
    const SIZE: usize;

    /// Writes the little-endian bytes of `self` to the start of `out`
    /// (as many as fit, `SIZE` when `out` is long enough).
    fn write_le(self, out: &mut [u8]);

    /// Reads an element from the first `SIZE` bytes of `bytes` (missing bytes
    /// read as zero).
    fn read_le(bytes: &[u8]) -> Self;

    /// The element as a printable [`Value`].
    fn value(self) -> Value;

    /// A small non-negative integer (a core id) in this type, the way C's
    /// cast would convert it.
    fn from_index(i: usize) -> Self;
}

/// The per-element arithmetic behind [`Datatype`], out of users' reach.
pub(crate) mod sealed {
    use crate::op::Op;

    /// One element's share of every [`Op`]; implemented for the six types only.
    pub trait Element: Sized {
        /// `a op b`. Bitwise ops on floats return `a`: they are refused by
        /// [`Op::check`] before any element is combined, so this never runs.
        fn apply(op: Op, a: Self, b: Self) -> Self;
    }
}

/// A runtime datatype name, for the shell: `i32 i64 u32 u64 f32 f64`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// 32-bit signed integer.
    I32,
    /// 64-bit signed integer.
    I64,
    /// 32-bit unsigned integer.
    U32,
    /// 64-bit unsigned integer.
    U64,
    /// 32-bit IEEE 754 float.
    F32,
    /// 64-bit IEEE 754 float.
    F64,
}

impl Type {
    /// Every type, in table order.
    pub const ALL: [Type; 6] = [
        Type::I32,
        Type::I64,
        Type::U32,
        Type::U64,
        Type::F32,
        Type::F64,
    ];

    /// The lower-case name the shell accepts (`"i32"`).
    pub const fn name(self) -> &'static str {
        match self {
            Type::I32 => "i32",
            Type::I64 => "i64",
            Type::U32 => "u32",
            Type::U64 => "u64",
            Type::F32 => "f32",
            Type::F64 => "f64",
        }
    }

    /// Bytes per element.
    pub const fn size(self) -> usize {
        match self {
            Type::I32 | Type::U32 | Type::F32 => 4,
            Type::I64 | Type::U64 | Type::F64 => 8,
        }
    }

    /// Whether this is an integer type (bitwise ops are defined only for these).
    pub const fn is_integer(self) -> bool {
        !matches!(self, Type::F32 | Type::F64)
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `"xyz"` is not a type name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownName;

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unknown name")
    }
}

impl FromStr for Type {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Type::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(s))
            .ok_or(UnknownName)
    }
}

/// One element of any [`Type`], for printing a demo's result.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// A `u32`.
    U32(u32),
    /// A `u64`.
    U64(u64),
    /// An `f32`.
    F32(f32),
    /// An `f64`.
    F64(f64),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Value::I32(v) => write!(f, "{v}"),
            Value::I64(v) => write!(f, "{v}"),
            Value::U32(v) => write!(f, "{v}"),
            Value::U64(v) => write!(f, "{v}"),
            Value::F32(v) => write!(f, "{v}"),
            Value::F64(v) => write!(f, "{v}"),
        }
    }
}

/// Implements [`Datatype`] for a primitive with `to_le_bytes`/`from_le_bytes`.
macro_rules! datatype {
    ($t:ty, $name:ident, $size:literal) => {
        impl Datatype for $t {
            const TYPE: Type = Type::$name;
            const SIZE: usize = $size;

            #[inline]
            fn write_le(self, out: &mut [u8]) {
                for (o, b) in out.iter_mut().zip(self.to_le_bytes()) {
                    *o = b;
                }
            }

            #[inline]
            fn read_le(bytes: &[u8]) -> Self {
                let mut raw = [0u8; $size];
                for (r, b) in raw.iter_mut().zip(bytes) {
                    *r = *b;
                }
                <$t>::from_le_bytes(raw)
            }

            #[inline]
            fn value(self) -> Value {
                Value::$name(self)
            }

            #[inline]
            fn from_index(i: usize) -> Self {
                i as $t
            }
        }
    };
}

datatype!(i32, I32, 4);
datatype!(i64, I64, 8);
datatype!(u32, U32, 4);
datatype!(u64, U64, 8);
datatype!(f32, F32, 4);
datatype!(f64, F64, 8);

/// Integer arithmetic: SUM and PROD wrap (two's complement), logical ops
/// give 1 or 0, bitwise ops act on the bits.
macro_rules! integer_ops {
    ($t:ty) => {
        impl sealed::Element for $t {
            #[inline]
            fn apply(op: Op, a: Self, b: Self) -> Self {
                match op {
                    Op::Sum => a.wrapping_add(b),
                    Op::Prod => a.wrapping_mul(b),
                    Op::Min => a.min(b),
                    Op::Max => a.max(b),
                    Op::Land => <$t>::from(a != 0 && b != 0),
                    Op::Lor => <$t>::from(a != 0 || b != 0),
                    Op::Lxor => <$t>::from((a != 0) != (b != 0)),
                    Op::Band => a & b,
                    Op::Bor => a | b,
                    Op::Bxor => a ^ b,
                }
            }
        }
    };
}

integer_ops!(i32);
integer_ops!(i64);
integer_ops!(u32);
integer_ops!(u64);

/// Float arithmetic: IEEE `+` and `*`, `min`/`max` that ignore a NaN
/// operand, logical ops giving 1.0 or 0.0 (nonzero, NaN included, is true).
macro_rules! float_ops {
    ($t:ty) => {
        impl sealed::Element for $t {
            #[inline]
            fn apply(op: Op, a: Self, b: Self) -> Self {
                let truth = |x: bool| if x { 1.0 } else { 0.0 };
                match op {
                    Op::Sum => a + b,
                    Op::Prod => a * b,
                    Op::Min => a.min(b),
                    Op::Max => a.max(b),
                    Op::Land => truth(a != 0.0 && b != 0.0),
                    Op::Lor => truth(a != 0.0 || b != 0.0),
                    Op::Lxor => truth((a != 0.0) != (b != 0.0)),
                    // Refused by `Op::check` before any combining.
                    Op::Band | Op::Bor | Op::Bxor => a,
                }
            }
        }
    };
}

float_ops!(f32);
float_ops!(f64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_is_little_endian() {
        let mut out = [0u8; 8];
        0x0102_0304u32.write_le(&mut out);
        assert_eq!(out[..4], [4, 3, 2, 1]);
        assert_eq!(u32::read_le(&out), 0x0102_0304);
        (-2.5f64).write_le(&mut out);
        assert_eq!(f64::read_le(&out), -2.5);
        assert_eq!(i64::read_le(&[0xff; 3]), 0xff_ffff);
    }

    #[test]
    fn names_round_trip() {
        for t in Type::ALL {
            assert_eq!(t.name().parse::<Type>(), Ok(t));
        }
        assert_eq!("F64".parse::<Type>(), Ok(Type::F64));
        assert_eq!("i8".parse::<Type>(), Err(UnknownName));
    }
}
