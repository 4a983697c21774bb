//! What a lab is to the grader: its name, the machine it boots, the cargo
//! feature of its student version, the labs it builds on, and its checks.
//! Only descriptions and the failure type; running them is `session.rs`.

use std::fmt;

use super::session::Session;

/// One lab of docs/labs/.
#[derive(Debug)]
pub struct Lab {
    /// Its place in the course, from 1.
    pub number: u32,
    /// The name `cargo xtask grade <name>` takes, e.g. `ring`.
    pub name: &'static str,
    /// A few words, e.g. "virtqueues: the used ring".
    pub title: &'static str,
    /// The feature that builds the student version, e.g. `lab-ring`: a
    /// kernel feature, or for a host lab a feature of `programs`.
    pub feature: &'static str,
    /// The code the student version removes, as `file: function`.
    pub removes: &'static str,
    /// Labs whose code this lab's checks run: their student versions fail
    /// this lab too (every lab after 2 sends messages over the ring).
    pub needs: &'static [&'static str],
    /// The machine the checks run on.
    pub machine: MachineSpec,
    /// The checks, run in this order on one boot.
    pub checks: &'static [Check],
}

impl Lab {
    /// The lab's handout, relative to the workspace root.
    pub fn doc(&self) -> String {
        format!("docs/labs/{}-{}.md", self.number, self.name)
    }

    /// The most points the lab gives.
    pub fn max_points(&self) -> u32 {
        self.checks.iter().map(|check| check.points).sum()
    }

    /// Whether this lab's checks run `other`'s code (see [`Lab::needs`]).
    pub fn builds_on(&self, other: &Lab) -> bool {
        self.needs.contains(&other.name)
    }
}

/// The QEMU machine a lab boots.
#[derive(Clone, Copy, Debug)]
pub struct MachineSpec {
    /// Number of cores.
    pub smp: u32,
    /// Whether COM2, the trace stream, is recorded to a file.
    pub trace: bool,
    /// Whether the checks run programs on the host (as threads, through
    /// `programs-threads`) instead of booting QEMU: the programming labs.
    pub host: bool,
}

/// What a check does when it passes: an optional note for the report, such
/// as a measured value.
pub type Note = String;

/// One graded check: a name the lab's doc repeats in its grading table,
/// its points, and the function that runs it.
pub struct Check {
    /// What is checked, as the report and the doc's table say it.
    pub name: &'static str,
    /// Points for passing.
    pub points: u32,
    /// Runs the check on the lab's machine.
    pub run: fn(&mut Session) -> Result<Note, Miss>,
}

impl fmt::Debug for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Check({:?}, {} points)", self.name, self.points)
    }
}

/// Why a check failed, with the lines that show it (console output or
/// trace facts). Without lines, the report shows the check's last command.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Miss {
    /// One sentence saying what was wrong.
    pub why: String,
    /// The lines that matter, as they were printed.
    pub lines: Vec<String>,
}

impl Miss {
    /// A failure explained by `why`.
    pub fn new(why: impl Into<String>) -> Self {
        Self {
            why: why.into(),
            lines: Vec::new(),
        }
    }

    /// The same failure, showing `lines`.
    pub fn with_lines<S: Into<String>>(mut self, lines: impl IntoIterator<Item = S>) -> Self {
        self.lines.extend(lines.into_iter().map(Into::into));
        self
    }
}

/// `Err(Miss::new(why))` unless `ok`.
pub fn ensure(ok: bool, why: impl FnOnce() -> String) -> Result<(), Miss> {
    if ok { Ok(()) } else { Err(Miss::new(why())) }
}

/// The line of `output` that starts with `prefix`.
pub fn line_starting<'a>(output: &'a str, prefix: &str) -> Result<&'a str, Miss> {
    output
        .lines()
        .find(|line| line.starts_with(prefix))
        .ok_or_else(|| Miss::new(format!("no line starts with {prefix:?}")))
}

/// Fails unless `output` has the line `expected`, exactly.
pub fn has_line(output: &str, expected: &str) -> Result<(), Miss> {
    ensure(output.lines().any(|line| line == expected), || {
        format!("expected the line {expected:?}")
    })
}
