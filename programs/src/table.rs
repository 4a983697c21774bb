//! The program table: every shipped program by name, and the lookups the
//! `run` and `programs` commands make in it.

use alloc::vec;
use alloc::vec::Vec;

use crate::failure::Failure;
use crate::instance::Instance;

/// One shipped program: one file in programs/src/ plus one line in [`PROGRAMS`].
pub struct Program {
    /// The name `run` takes (`"pi"`).
    pub name: &'static str,
    /// One line, for `programs`.
    pub summary: &'static str,
    /// How to call it (`"pi N"`), shown on wrong arguments.
    pub usage: &'static str,
    /// Its source file in the repository.
    pub source: &'static str,
    /// Checks the arguments once before any core starts (the same parser
    /// `main` uses): [`Failure::Usage`] when they are wrong.
    pub check: fn(&[&str]) -> Result<(), Failure>,
    /// One instance's body; runs on every rank.
    pub main: fn(&mut Instance<'_, '_>) -> Result<(), Failure>,
}

/// Every shipped program, in the order `programs` lists them.
pub static PROGRAMS: &[Program] = &[
    crate::toro_reduce::PROGRAM,
    crate::pingpong::PROGRAM,
    crate::pi::PROGRAM,
    crate::ring::PROGRAM,
    crate::avg::PROGRAM,
    crate::matvec::PROGRAM,
    crate::sort::PROGRAM,
    crate::heat::PROGRAM,
    crate::deadlock::PROGRAM,
    crate::histogram::PROGRAM,
];

/// The program called `name`.
pub fn find(name: &str) -> Option<&'static Program> {
    PROGRAMS.iter().find(|p| p.name == name)
}

/// The program name `name` most likely meant, for "unknown program 'pj'
/// (did you mean 'pi'?)": the only name it starts, or else the name fewest
/// edits away, allowing one edit per three characters (at least one).
pub fn nearest(name: &str) -> Option<&'static str> {
    let mut starting = PROGRAMS
        .iter()
        .filter(|p| !name.is_empty() && p.name.starts_with(name));
    if let (Some(only), None) = (starting.next(), starting.next()) {
        return Some(only.name);
    }
    let limit = name.chars().count().div_ceil(3).max(1);
    PROGRAMS
        .iter()
        .map(|p| (edits(name, p.name), p.name))
        .filter(|&(n, _)| n <= limit)
        .min_by_key(|&(n, _)| n)
        .map(|(_, found)| found)
}

/// Levenshtein distance between `a` and `b`, one row at a time.
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut next = vec![i + 1];
        for (j, &cb) in b.iter().enumerate() {
            let replace = row[j] + usize::from(ca != cb);
            next.push(replace.min(row[j + 1] + 1).min(next[j] + 1));
        }
        row = next;
    }
    row[b.len()]
}
