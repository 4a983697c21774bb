//! Buffers whose size follows from the caller's data: allocated with
//! `try_reserve_exact`, so running out of memory is an [`Error::NoMemory`]
//! the caller can report, never a panic on the core that ran out.

use alloc::vec::Vec;

use crate::error::Error;

/// `len` copies of `value`, or [`Error::NoMemory`].
pub fn try_filled<T: Clone>(len: usize, value: T) -> Result<Vec<T>, Error> {
    let mut v = try_with_capacity(len)?;
    v.resize(len, value);
    Ok(v)
}

/// A copy of `src`, or [`Error::NoMemory`].
pub fn try_copy<T: Clone>(src: &[T]) -> Result<Vec<T>, Error> {
    let mut v = try_with_capacity(src.len())?;
    v.extend_from_slice(src);
    Ok(v)
}

/// An empty vector with room for `len` elements, or [`Error::NoMemory`].
pub fn try_with_capacity<T>(len: usize) -> Result<Vec<T>, Error> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| Error::NoMemory {
        bytes: len.saturating_mul(core::mem::size_of::<T>()),
    })?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_much_is_an_error_not_a_panic() {
        assert_eq!(
            try_filled(usize::MAX / 16, 0u64).unwrap_err(),
            Error::NoMemory {
                bytes: usize::MAX / 16 * 8
            }
        );
        assert_eq!(try_filled(3, 7u8).unwrap(), [7, 7, 7]);
        assert_eq!(try_copy(&[1, 2]).unwrap(), [1, 2]);
    }
}
