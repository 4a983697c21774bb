//! The scrolling event log: the last few thousand lines in time order
//! across cores (each core's buffer drains on its own, so a line may arrive
//! after later ones), and the filter the user has set (text, core, lowest
//! level). Formatting of a line happens once, when it arrives.

use std::collections::VecDeque;

use trace_wire::Level;

/// Lines kept.
pub const LOG_LINES: usize = 5000;

/// One line of the log.
#[derive(Clone, Debug, PartialEq)]
pub struct LogLine {
    /// Trace time.
    pub ts_ns: u64,
    /// The core, if the line belongs to one.
    pub core: Option<u16>,
    /// Its level.
    pub level: Level,
    /// Callsite name or what happened ("dropped", "damaged").
    pub name: String,
    /// The rest: fields, or a description.
    pub text: String,
}

/// What the user wants to see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    /// Lines whose name or text contain this (empty: all).
    pub text: String,
    /// Only this core's lines.
    pub core: Option<u16>,
    /// Only lines at this level or more severe.
    pub min_level: Level,
}

impl Default for Filter {
    fn default() -> Self {
        Self {
            text: String::new(),
            core: None,
            min_level: Level::Trace,
        }
    }
}

impl Filter {
    /// Whether `line` passes.
    pub fn accepts(&self, line: &LogLine) -> bool {
        line.level >= self.min_level
            && (self.core.is_none() || line.core == self.core)
            && (self.text.is_empty()
                || line.name.contains(&self.text)
                || line.text.contains(&self.text))
    }
}

/// The last [`LOG_LINES`] lines.
#[derive(Clone, Debug, Default)]
pub struct Log {
    /// Oldest first; lines of equal time in arrival order.
    lines: VecDeque<LogLine>,
}

impl Log {
    /// Adds a line in time order, forgetting the oldest when full. Lines
    /// mostly arrive near the end, so the place is searched from there.
    pub fn push(&mut self, line: LogLine) {
        if self.lines.len() == LOG_LINES {
            self.lines.pop_front();
        }
        let at = self.lines.len()
            - self
                .lines
                .iter()
                .rev()
                .take_while(|l| l.ts_ns > line.ts_ns)
                .count();
        self.lines.insert(at, line);
    }

    /// Up to `take` lines passing `filter`, newest last, after skipping the
    /// `skip` newest matching ones (scrolling back).
    pub fn tail(&self, filter: &Filter, skip: usize, take: usize) -> Vec<&LogLine> {
        let mut out: Vec<&LogLine> = self
            .lines
            .iter()
            .rev()
            .filter(|l| filter.accepts(l))
            .skip(skip)
            .take(take)
            .collect();
        out.reverse();
        out
    }

    /// Lines kept.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether no line arrived yet.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}
