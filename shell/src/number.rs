//! `FromArg`: how an argument's text becomes a typed value (text or an
//! integer: decimal, `0x` hex, `_` separators), and `check_range` for
//! limits a command puts on a number.

use alloc::string::String;
use core::ops::RangeInclusive;

use crate::error::Error;

/// A type an argument can be parsed into.
///
/// `'a` is how long the text lives, so `&'a str` can borrow it.
pub trait FromArg<'a>: Sized {
    /// Parses one argument's text.
    fn from_arg(text: &'a str) -> Result<Self, Error>;
}

impl<'a> FromArg<'a> for &'a str {
    fn from_arg(text: &'a str) -> Result<Self, Error> {
        Ok(text)
    }
}

impl FromArg<'_> for String {
    fn from_arg(text: &str) -> Result<Self, Error> {
        Ok(text.into())
    }
}

/// Implements `FromArg` for unsigned integers: no sign allowed.
macro_rules! unsigned_from_arg {
    ($($ty:ty),*) => {$(
        impl FromArg<'_> for $ty {
            fn from_arg(text: &str) -> Result<Self, Error> {
                if let Some(digits) = text.strip_prefix('-') {
                    magnitude(digits, text)?; // a number, just not one of ours
                    return Err(Error::Negative { text: text.into(), name: None });
                }
                let fits = (0, i128::from(Self::MAX as u64));
                Self::try_from(magnitude(text, text)?).map_err(|_| too_large(text, fits))
            }
        }
    )*};
}

/// Implements `FromArg` for signed integers: an optional leading `-`.
macro_rules! signed_from_arg {
    ($($ty:ty),*) => {$(
        impl FromArg<'_> for $ty {
            fn from_arg(text: &str) -> Result<Self, Error> {
                let (negative, digits) = match text.strip_prefix('-') {
                    Some(digits) => (true, digits),
                    None => (false, text),
                };
                let fits = (i128::from(Self::MIN), i128::from(Self::MAX));
                let size = i128::from(magnitude(digits, text)?);
                Self::try_from(if negative { -size } else { size })
                    .map_err(|_| too_large(text, fits))
            }
        }
    )*};
}

unsigned_from_arg!(u8, u16, u32, u64, usize);
signed_from_arg!(i32, i64);

/// Parses unsigned `digits` (decimal, or hex after `0x`, `_` allowed between
/// digits); errors quote `text`, the whole argument.
fn magnitude(digits: &str, text: &str) -> Result<u64, Error> {
    let (digits, radix) = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => (hex, 16),
        None => (digits, 10),
    };
    let mut all = digits.chars().filter(|&c| c != '_');
    if all.clone().next().is_none() || !all.all(|c| c.is_digit(radix)) {
        return Err(Error::NotANumber {
            text: text.into(),
            name: None,
        });
    }
    digits
        .chars()
        .filter_map(|c| c.to_digit(radix))
        .try_fold(0u64, |sum, digit| {
            sum.checked_mul(u64::from(radix))?
                .checked_add(u64::from(digit))
        })
        .ok_or_else(|| too_large(text, (0, i128::from(u64::MAX))))
}

/// The error for a number outside `fits`, what its type holds.
fn too_large(text: &str, fits: (i128, i128)) -> Error {
    Error::TooLarge {
        text: text.into(),
        name: None,
        fits,
    }
}

/// Returns `value` if it lies in `range`, else an error naming it, like
/// `core 9 is out of range (valid: 0-3)`.
pub fn check_range<T>(name: &'static str, value: T, range: RangeInclusive<T>) -> Result<T, Error>
where
    T: Copy + PartialOrd + TryInto<i128>,
{
    if range.contains(&value) {
        return Ok(value);
    }
    let wide = |n: T| n.try_into().unwrap_or(i128::MAX);
    Err(Error::OutOfRange {
        name,
        value: wide(value),
        min: wide(*range.start()),
        max: wide(*range.end()),
    })
}
