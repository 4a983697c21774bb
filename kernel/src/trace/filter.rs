//! Which callsites `trace on [FILTER]` records. FILTER is a comma-separated
//! list of directives: `LEVEL` (every target), `TARGET` (every level) or
//! `TARGET=LEVEL`; a callsite is recorded when any directive matches it.

use arrayvec::{ArrayString, ArrayVec};
use probe::Probe;
use tracing_core::{Level, LevelFilter, Metadata};

/// Most directives in one filter.
const MAX_DIRECTIVES: usize = 8;

/// One directive: callsites whose target starts with `target` (any target
/// when empty) at `level` or more severe.
#[derive(Clone, Copy, Debug)]
struct Directive {
    target: ArrayString<16>,
    level: LevelFilter,
}

/// A parsed filter.
#[derive(Clone, Debug)]
pub struct Filter {
    directives: ArrayVec<Directive, MAX_DIRECTIVES>,
    text: ArrayString<64>,
}

/// The levels, most verbose first, as typed.
pub const LEVELS: [(&str, LevelFilter); 5] = [
    ("trace", LevelFilter::TRACE),
    ("debug", LevelFilter::DEBUG),
    ("info", LevelFilter::INFO),
    ("warn", LevelFilter::WARN),
    ("error", LevelFilter::ERROR),
];

/// The targets the kernel's callsites use.
pub const TARGETS: [&str; 4] = ["bus", "mpi", "shell", "core"];

fn parse_level(text: &str) -> Option<LevelFilter> {
    LEVELS
        .iter()
        .find(|(name, _)| *name == text)
        .map(|&(_, level)| level)
}

impl Filter {
    /// What `trace on` records without a filter: every message and span
    /// (`debug`). `trace on trace` adds each fragment's fill, publish,
    /// consume and post, which cost several times more to record.
    pub fn default_filter() -> Self {
        Self::parse("debug").expect("'debug' is a valid filter")
    }

    /// Parses FILTER; the error says what is wrong and what is valid.
    pub fn parse(text: &str) -> Result<Self, alloc::string::String> {
        let mut filter = Filter {
            directives: ArrayVec::new(),
            text: ArrayString::new(),
        };
        filter
            .text
            .try_push_str(text)
            .map_err(|_| alloc::format!("filter '{text}' is longer than 64 characters"))?;
        for directive in text.split(',') {
            let parsed = parse_directive(directive.trim())?;
            filter
                .directives
                .try_push(parsed)
                .map_err(|_| alloc::format!("more than {MAX_DIRECTIVES} directives"))?;
        }
        Ok(filter)
    }

    /// Whether a callsite with `metadata` is recorded.
    pub fn matches(&self, metadata: &Metadata<'_>) -> bool {
        self.matches_site(metadata.target(), metadata.level())
    }

    /// Whether `probe` is recorded.
    pub fn matches_probe(&self, probe: &Probe) -> bool {
        self.matches_site(probe.target, &probe.level)
    }

    fn matches_site(&self, target: &str, level: &Level) -> bool {
        self.directives
            .iter()
            .any(|d| target.starts_with(d.target.as_str()) && d.level >= *level)
    }

    /// The most verbose level any directive lets through.
    pub fn max_level(&self) -> LevelFilter {
        self.directives
            .iter()
            .map(|d| d.level)
            .max()
            .unwrap_or(LevelFilter::OFF)
    }

    /// The filter as typed.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

fn parse_directive(text: &str) -> Result<Directive, alloc::string::String> {
    let invalid = || {
        alloc::format!(
            "bad filter directive '{text}' (valid: LEVEL, TARGET or TARGET=LEVEL; levels: trace, debug, info, warn, error; targets: bus, mpi, shell, core)"
        )
    };
    let (target, level) = match text.split_once('=') {
        Some((target, level)) => (target, parse_level(level).ok_or_else(invalid)?),
        None => match parse_level(text) {
            Some(level) => ("", level),
            None => (text, LevelFilter::TRACE),
        },
    };
    let valid_target = target
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
    if (target.is_empty() && text.contains('=')) || !valid_target {
        return Err(invalid());
    }
    let known = TARGETS.iter().any(|t| {
        target == *t
            || target
                .strip_prefix(t)
                .is_some_and(|rest| rest.starts_with("::"))
    });
    if !target.is_empty() && !known {
        return Err(alloc::format!(
            "unknown trace target '{target}' (valid targets: bus, mpi, shell, core; levels: trace, debug, info, warn, error)"
        ));
    }
    let target = ArrayString::from(target).map_err(|_| invalid())?;
    Ok(Directive { target, level })
}

/// A `tracing` level as the wire's level.
pub fn wire_level(level: &Level) -> trace_wire::Level {
    match *level {
        Level::TRACE => trace_wire::Level::Trace,
        Level::DEBUG => trace_wire::Level::Debug,
        Level::INFO => trace_wire::Level::Info,
        Level::WARN => trace_wire::Level::Warn,
        _ => trace_wire::Level::Error,
    }
}
