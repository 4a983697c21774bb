//! Core numbers as arguments: one core (`parse_core`), one core or `all`
//! (`CoreOrAll`), or a list like `0,2-5,7` (`CoreSet`, a bitmask over at most
//! `MAX_CORES` cores). Each checks against the machine's core count.

use alloc::format;
use core::fmt;
use core::ops::RangeInclusive;

use crate::error::Error;
use crate::number::{FromArg, check_range};

/// The most cores a [`CoreSet`] can hold.
pub const MAX_CORES: usize = 64;

/// Parses one core number and checks it is below `cores` (taken as at least 1).
pub fn parse_core(text: &str, cores: usize) -> Result<usize, Error> {
    check_range("core", usize::from_arg(text)?, 0..=cores.max(1) - 1)
}

/// A set of cores, numbered `0..MAX_CORES`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CoreSet {
    bits: u64,
}

impl CoreSet {
    /// Cores `0..cores` (at most [`MAX_CORES`]).
    pub fn all(cores: usize) -> Self {
        (0..cores.min(MAX_CORES)).fold(Self::default(), |set, core| set.with(core))
    }

    /// The set whose bit `n` says whether core `n` is in it.
    pub const fn from_bits(bits: u64) -> Self {
        Self { bits }
    }

    /// Bit `n` says whether core `n` is in the set.
    pub const fn bits(self) -> u64 {
        self.bits
    }

    /// Parses `all` or a comma-separated list of cores and ranges (`1,3`,
    /// `1-3`, `0,2-5,7`) on a machine with `cores` cores.
    ///
    /// Errors: an empty list or entry, a reversed range, a core listed twice,
    /// a core that does not exist, or a word that is not a number.
    pub fn parse(text: &str, cores: usize) -> Result<Self, Error> {
        if text == "all" {
            return Ok(Self::all(cores));
        }
        if text.is_empty() {
            return Err(Error::invalid("the core list is empty"));
        }
        let mut set = Self::default();
        for entry in text.split(',') {
            for core in parse_entry(entry, text, cores.min(MAX_CORES))? {
                if set.contains(core) {
                    return Err(Error::invalid(format!("core {core} is listed twice")));
                }
                set = set.with(core);
            }
        }
        Ok(set)
    }

    /// This set plus `core`.
    ///
    /// # Panics
    /// If `core` is not below [`MAX_CORES`].
    #[must_use]
    pub fn with(self, core: usize) -> Self {
        assert!(core < MAX_CORES, "core {core} does not fit in a CoreSet");
        Self {
            bits: self.bits | 1 << core,
        }
    }

    /// This set without `core` (the same set if `core` is not in it).
    #[must_use]
    pub fn without(self, core: usize) -> Self {
        Self {
            bits: self.bits & !(1u64.checked_shl(core as u32).unwrap_or(0)),
        }
    }

    /// Whether `core` is in the set.
    pub fn contains(self, core: usize) -> bool {
        core < MAX_CORES && self.bits & 1 << core != 0
    }

    /// How many cores are in the set.
    pub fn len(self) -> usize {
        self.bits.count_ones() as usize
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.bits == 0
    }

    /// The cores in the set, lowest first.
    pub fn iter(self) -> impl Iterator<Item = usize> {
        (0..MAX_CORES).filter(move |&core| self.contains(core))
    }
}

/// Lists the set the way [`CoreSet::parse`] reads it (`0,2-5,7`), or `none`.
impl fmt::Display for CoreSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        let mut cores = self.iter().peekable();
        let mut first = true;
        while let Some(start) = cores.next() {
            let mut end = start;
            while cores.next_if_eq(&(end + 1)).is_some() {
                end += 1;
            }
            f.write_str(if first { "" } else { "," })?;
            if start == end {
                write!(f, "{start}")?
            } else {
                write!(f, "{start}-{end}")?
            }
            first = false;
        }
        Ok(())
    }
}

/// Parses one entry of a core list: a core, or a range `a-b`. `list` is the
/// whole list, for messages.
fn parse_entry(entry: &str, list: &str, cores: usize) -> Result<RangeInclusive<usize>, Error> {
    if entry.is_empty() {
        return Err(Error::invalid(format!("empty entry in core list '{list}'")));
    }
    let Some((first, last)) = entry.split_once('-') else {
        let core = parse_core(entry, cores)?;
        return Ok(core..=core);
    };
    if last.contains('-') {
        return Err(Error::invalid(format!(
            "core range '{entry}' has more than one '-' (a range is FIRST-LAST)"
        )));
    }
    if first.is_empty() || last.is_empty() {
        return Err(Error::invalid(format!(
            "core range '{entry}' needs a number on each side of '-'"
        )));
    }
    let (first, last) = (parse_core(first, cores)?, parse_core(last, cores)?);
    if first > last {
        return Err(Error::invalid(format!(
            "core range {entry} is reversed (did you mean {last}-{first}?)"
        )));
    }
    Ok(first..=last)
}

/// One core, or `all` of them: e.g. the target of `ping 0 all`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoreOrAll {
    /// This core.
    Core(usize),
    /// Every core.
    All,
}

impl CoreOrAll {
    /// Parses `all` or a core number below `cores`.
    pub fn parse(text: &str, cores: usize) -> Result<Self, Error> {
        if text == "all" {
            Ok(Self::All)
        } else {
            parse_core(text, cores).map(Self::Core)
        }
    }

    /// The cores meant, on a machine with `cores` cores.
    pub fn to_set(self, cores: usize) -> CoreSet {
        match self {
            Self::Core(core) => CoreSet::default().with(core),
            Self::All => CoreSet::all(cores),
        }
    }
}
