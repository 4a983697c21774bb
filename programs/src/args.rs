//! Argument parsing shared by the programs: a fixed number of positive
//! integers, each with its name for the usage error.

use alloc::format;

use crate::failure::Failure;

/// Parses `args` as exactly `names.len()` integers, each at least 1 and at
/// most `max`, named `names` in errors ("N must be a whole number from 1 to ...").
pub fn counts<const K: usize>(
    args: &[&str],
    names: [&str; K],
    max: usize,
) -> Result<[usize; K], Failure> {
    bounded(args, names.map(|name| (name, max)))
}

/// The same with a maximum per argument: `[("N", 1000), ("BINS", 100)]`.
pub fn bounded<const K: usize>(
    args: &[&str],
    limits: [(&str, usize); K],
) -> Result<[usize; K], Failure> {
    if args.len() != K {
        return Err(Failure::Usage(format!(
            "expected {K} argument{}, got {}",
            if K == 1 { "" } else { "s" },
            args.len()
        )));
    }
    let mut out = [0; K];
    for ((slot, text), (name, max)) in out.iter_mut().zip(args).zip(limits) {
        *slot = count(text, name, max)?;
    }
    Ok(out)
}

/// No arguments at all.
pub fn none(args: &[&str]) -> Result<(), Failure> {
    counts(args, [], 0).map(|[]| ())
}

/// One integer in `1..=max`.
fn count(text: &str, name: &str, max: usize) -> Result<usize, Failure> {
    match text.parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(Failure::Usage(format!(
            "{name} must be a whole number from 1 to {max}, not '{text}'"
        ))),
    }
}
