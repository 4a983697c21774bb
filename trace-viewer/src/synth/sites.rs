//! The callsites a ringlab kernel declares, as the synthetic generator
//! declares them: name, target, kind, level and field list for every name in
//! the contract (trace_wire::contract, docs/tracing.md).

use trace_wire::contract::{bus, mpi, shell};
use trace_wire::{Kind, Level};

/// One callsite's static description.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SiteDef {
    /// Callsite name.
    pub name: &'static str,
    /// `tracing` target.
    pub target: &'static str,
    /// Event or span.
    pub kind: Kind,
    /// Level.
    pub level: Level,
    /// Field names, in index order.
    pub fields: &'static [&'static str],
}

/// Fields of `bus.send` and `bus.recv`.
const MESSAGE: &[&str] = &["src", "dst", "len", "frags", "desc", "used_idx", "seq"];
/// Fields of every collective span.
const COLLECTIVE: &[&str] = &["comm", "rank", "size", "root", "algorithm", "count", "op"];
/// Fields of the point-to-point spans.
const P2P: &[&str] = &["comm", "rank", "peer", "tag", "len"];

/// A bus event.
const fn ev(name: &'static str, level: Level, fields: &'static [&'static str]) -> SiteDef {
    SiteDef {
        name,
        target: "bus",
        kind: Kind::Event,
        level,
        fields,
    }
}

/// A span.
const fn span(
    name: &'static str,
    target: &'static str,
    level: Level,
    fields: &'static [&'static str],
) -> SiteDef {
    SiteDef {
        name,
        target,
        kind: Kind::Span,
        level,
        fields,
    }
}

/// Every callsite of the contract.
pub const SITES: &[SiteDef] = &[
    ev(bus::INIT, Level::Debug, &["src", "dst", "size", "buf_size"]),
    ev(
        bus::POST,
        Level::Trace,
        &["src", "dst", "desc", "avail_idx"],
    ),
    ev(
        bus::FILL,
        Level::Trace,
        &["src", "dst", "desc", "len", "used_idx"],
    ),
    ev(bus::PUBLISH, Level::Trace, &["src", "dst", "used_idx"]),
    ev(
        bus::CONSUME,
        Level::Trace,
        &["src", "dst", "desc", "len", "used_idx"],
    ),
    ev(
        bus::STALL,
        Level::Debug,
        &["src", "dst", "avail_idx", "used_idx"],
    ),
    ev(bus::SEND, Level::Debug, MESSAGE),
    ev(bus::RECV, Level::Debug, MESSAGE),
    span(mpi::SEND, "mpi", Level::Debug, P2P),
    span(mpi::RECV, "mpi", Level::Debug, P2P),
    span(mpi::REDUCE, "mpi", Level::Info, COLLECTIVE),
    span(mpi::BCAST, "mpi", Level::Info, COLLECTIVE),
    span(mpi::BARRIER, "mpi", Level::Info, COLLECTIVE),
    span(shell::COMMAND, "shell", Level::Info, &["command", "line"]),
];

/// The definition named `name`.
pub fn site(name: &str) -> Option<&'static SiteDef> {
    SITES.iter().find(|s| s.name == name)
}
