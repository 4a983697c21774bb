//! The recorded trace stream as the grader reads it: decoded by the
//! trace-viewer library into its timeline, and cut into the window of one
//! typed command (its `shell.command` slice on core 0).

use std::collections::BTreeMap;
use std::path::Path;

use trace_viewer::catalog::{CallsiteBuf, Catalog, ValueBuf};
use trace_viewer::export::timeline::{Args, Mark, Timeline};
use trace_viewer::item::{Item, decode_all};
use trace_viewer::stats::Stats;

use super::lab::Miss;

/// A decoded trace.
pub struct Trace {
    /// Every record and damage report, in stream order.
    pub items: Vec<Item>,
    /// The timeline both exports are written from.
    pub timeline: Timeline,
    /// Bytes read.
    pub bytes: u64,
}

/// An event, with where its core was when it fired.
#[derive(Clone, Debug, PartialEq)]
pub struct Instant {
    /// Trace time.
    pub ts_ns: u64,
    /// The core that emitted it.
    pub core: u16,
    /// Its name, e.g. `bus.send`.
    pub name: String,
    /// Its values.
    pub args: Args,
    /// The slices open on its core, outermost first.
    pub inside: Vec<String>,
}

impl Instant {
    /// The unsigned value `field`, if the event has one.
    pub fn u64(&self, field: &str) -> Option<u64> {
        match self.value(field)? {
            ValueBuf::U64(v) => Some(*v),
            ValueBuf::I64(v) => u64::try_from(*v).ok(),
            _ => None,
        }
    }

    /// The string value `field`, if the event has one.
    pub fn str(&self, field: &str) -> Option<&str> {
        match self.value(field)? {
            ValueBuf::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value `field`, if the event has one.
    fn value(&self, field: &str) -> Option<&ValueBuf> {
        self.args.iter().find(|(k, _)| k == field).map(|(_, v)| v)
    }
}

impl Trace {
    /// Reads and decodes the recording at `path`.
    pub fn read(path: &Path) -> Result<Self, Miss> {
        let bytes = std::fs::read(path)
            .map_err(|err| Miss::new(format!("cannot read {}: {err}", path.display())))?;
        let items = decode_all(&bytes);
        Ok(Self {
            timeline: Timeline::build(&items),
            bytes: bytes.len() as u64,
            items,
        })
    }

    /// What `trace-viewer stats` would count.
    pub fn stats(&self) -> Stats {
        Stats::from_items(&self.items, self.bytes)
    }

    /// The description of the callsite called `name`, if the stream has one.
    pub fn callsite(&self, name: &str) -> Option<CallsiteBuf> {
        let mut catalog = Catalog::default();
        for item in &self.items {
            if let Item::Record(record) = item {
                catalog.learn(record);
            }
        }
        catalog
            .sites()
            .into_iter()
            .find(|site| site.name == name)
            .cloned()
    }

    /// The events of the last `shell.command` slice whose line is `line`
    /// (every core's, from its begin to its end on core 0), in time order.
    pub fn command(&self, line: &str) -> Result<Vec<Instant>, Miss> {
        let mut stacks: BTreeMap<u16, Vec<String>> = BTreeMap::new();
        let mut window: Option<(usize, Vec<Instant>)> = None;
        let mut found = None;
        for entry in &self.timeline.entries {
            let Some(core) = entry.core else { continue };
            let stack = stacks.entry(core).or_default();
            match &entry.mark {
                Mark::Begin { name, args, .. } => {
                    if core == 0 && name == "shell.command" && is_line(args, line) {
                        window = Some((stack.len(), Vec::new()));
                    }
                    stack.push(name.clone());
                }
                Mark::End => {
                    stack.pop();
                    if core == 0
                        && window
                            .as_ref()
                            .is_some_and(|(depth, _)| stack.len() == *depth)
                    {
                        found = window.take().map(|(_, events)| events);
                    }
                }
                Mark::Instant { name, args, .. } => {
                    if let Some((_, events)) = window.as_mut() {
                        events.push(Instant {
                            ts_ns: entry.ts_ns,
                            core,
                            name: name.clone(),
                            args: args.clone(),
                            inside: stack.clone(),
                        });
                    }
                }
                Mark::Counter { .. } => {}
            }
        }
        found.ok_or_else(|| {
            Miss::new(format!(
                "the trace has no `shell.command` slice for `{line}` on core 0"
            ))
            .with_lines(self.summary())
        })
    }

    /// One line about the stream, for failure reports.
    pub fn summary(&self) -> Vec<String> {
        let stats = self.stats();
        vec![format!(
            "trace: {} bytes, {} records, {} dropped by the kernel, {} damaged bytes",
            self.bytes,
            stats.records,
            stats.dropped,
            stats.damaged_bytes()
        )]
    }
}

/// Whether a `shell.command` slice's values say it ran `line`.
fn is_line(args: &Args, line: &str) -> bool {
    args.iter()
        .any(|(k, v)| k == "line" && matches!(v, ValueBuf::Str(s) if s == line))
}

/// The events called `name`.
pub fn named<'a>(events: &'a [Instant], name: &str) -> Vec<&'a Instant> {
    events.iter().filter(|e| e.name == name).collect()
}
