//! Lab 5, tracing: the student adds the `mpi.combine` event
//! (docs/labs/5-trace.md). The checks find it in the recorded stream, in
//! `trace-viewer stats` and in the Perfetto export, as the handout asks.

use trace_viewer::export::perfetto;
use trace_viewer::export::proto::EventType;
use trace_wire::{Kind, Level};

use crate::grade::lab::{Check, Lab, MachineSpec, Miss, Note, ensure, has_line};
use crate::grade::session::Session;
use crate::grade::trace::{Instant, named};

/// Lab 5.
pub static LAB: Lab = Lab {
    number: 5,
    name: "trace",
    title: "tracing: add an event, find it in the viewer and Perfetto",
    feature: "lab-trace",
    removes: "mpi/src/trace.rs: combine",
    needs: &["ring"],
    machine: MachineSpec {
        smp: 4,
        trace: true,
        host: false,
    },
    checks: &[
        Check {
            name: "`trace-viewer stats` lists `mpi.combine`: an mpi event at DEBUG",
            points: 2,
            run: described,
        },
        Check {
            name: "`reduce 8 sum` shows core 0 folding in cores 1, 2 and 3, in order",
            points: 2,
            run: folds_in_order,
        },
        Check {
            name: "each `mpi.combine` is inside core 0's `mpi.reduce` slice",
            points: 1,
            run: inside_the_reduce,
        },
        Check {
            name: "`trace on shell,mpi=info` leaves `mpi.combine` out",
            points: 1,
            run: filtered_out,
        },
        Check {
            name: "the Perfetto export has the three instants on core 0's track",
            points: 1,
            run: in_perfetto,
        },
    ],
};

/// The traced demo: a linear reduce, whose root folds in rank order.
const TRACED: &str = "reduce 8 sum";

/// The fields the handout asks the event to carry.
const FIELDS: [&str; 4] = ["rank", "peer", "count", "op"];

fn described(s: &mut Session) -> Result<Note, Miss> {
    let (out, trace) = s.traced("", TRACED)?;
    has_line(&out, "success! value: 6")?;
    let stats = trace.stats();
    let site = stats.sites.get("mpi.combine").ok_or_else(|| {
        Miss::new("the stream has no `mpi.combine` callsite").with_lines(trace.summary())
    })?;
    ensure(
        (site.kind, site.level, site.target.as_str()) == (Kind::Event, Level::Debug, "mpi"),
        || {
            format!(
                "`mpi.combine` is a {:?} of target {:?} at {:?}; expected an Event of \"mpi\" at Debug",
                site.kind, site.target, site.level
            )
        },
    )?;
    let fields = trace
        .callsite("mpi.combine")
        .map(|c| c.fields)
        .unwrap_or_default();
    let missing: Vec<&str> = FIELDS
        .into_iter()
        .filter(|f| !fields.iter().any(|have| have == f))
        .collect();
    ensure(missing.is_empty(), || {
        format!("`mpi.combine` lacks the fields {missing:?} (it has {fields:?})")
    })?;
    Ok(format!("{} events", site.count))
}

/// The `mpi.combine` events of the traced reduce.
fn combines(s: &mut Session) -> Result<Vec<Instant>, Miss> {
    let events = s.trace()?.command(TRACED)?;
    Ok(named(&events, "mpi.combine").into_iter().cloned().collect())
}

fn folds_in_order(s: &mut Session) -> Result<Note, Miss> {
    let combines = combines(s)?;
    let seen: Vec<String> = combines
        .iter()
        .map(|e| {
            let value = |f: &str| e.u64(f).map_or("?".into(), |v| v.to_string());
            format!(
                "core {}: rank={} peer={} count={} op={}",
                e.core,
                value("rank"),
                value("peer"),
                value("count"),
                e.str("op").unwrap_or("?")
            )
        })
        .collect();
    let expected: Vec<String> = (1..4)
        .map(|peer| format!("core 0: rank=0 peer={peer} count=8 op=sum"))
        .collect();
    ensure(seen == expected, || {
        format!(
            "expected three events on core 0, peers 1, 2, 3; got {}",
            seen.len()
        )
    })
    .map_err(|miss| miss.with_lines(seen.clone()))?;
    Ok(String::new())
}

fn inside_the_reduce(s: &mut Session) -> Result<Note, Miss> {
    let combines = combines(s)?;
    ensure(!combines.is_empty(), || "no `mpi.combine` events".into())?;
    for e in &combines {
        ensure(e.inside.iter().any(|slice| slice == "mpi.reduce"), || {
            format!("an `mpi.combine` fired inside {:?}", e.inside)
        })?;
    }
    Ok(String::new())
}

fn filtered_out(s: &mut Session) -> Result<Note, Miss> {
    ensure(!combines(s)?.is_empty(), || {
        "no `mpi.combine` events even with everything traced: nothing to filter".into()
    })?;
    let line = "reduce 8 max";
    let (out, trace) = s.traced("shell,mpi=info", line)?;
    has_line(&out, "success! value: 3")?;
    let events = trace.command(line)?;
    let combines = named(&events, "mpi.combine").len();
    ensure(combines == 0, || {
        format!("{combines} `mpi.combine` events passed the filter mpi=info: is it at DEBUG?")
    })?;
    Ok(String::new())
}

fn in_perfetto(s: &mut Session) -> Result<Note, Miss> {
    let trace = s.trace()?;
    let exported = perfetto::trace(&trace.timeline);
    let on_core_0 = exported
        .packet
        .iter()
        .filter_map(|packet| packet.track_event.as_ref())
        .filter(|e| e.name.as_deref() == Some("mpi.combine"))
        .filter(|e| e.r#type == Some(EventType::Instant as i32))
        .filter(|e| e.track_uuid == Some(perfetto::core_uuid(0)))
        .count();
    ensure(on_core_0 == 3, || {
        format!("the export has {on_core_0} `mpi.combine` instants on core 0's track, expected 3")
    })?;
    Ok(String::new())
}
