//! Live spans and what each core is inside: built from SpanNew/Values/
//! Enter/Exit/Close records. Used by the live model (core activity) and the
//! exporter (slices). Knows nothing about how spans are drawn.

use std::collections::{BTreeMap, HashMap};

use trace_wire::{Field, SpanNew, SpanValues};

/// What is known about one live span.
#[derive(Clone, Debug, PartialEq)]
pub struct SpanInfo {
    /// Its callsite.
    pub callsite: u32,
    /// The core that created it.
    pub core: u16,
    /// The enclosing span.
    pub parent: Option<u64>,
    /// Its values so far (later `record`s replace earlier ones).
    pub values: Vec<Field<String>>,
}

/// Spans by id and each core's stack of entered spans.
#[derive(Clone, Debug, Default)]
pub struct Spans {
    /// Spans created and not yet closed.
    live: HashMap<u64, SpanInfo>,
    /// Entered spans per core, innermost last.
    stacks: BTreeMap<u16, Vec<u64>>,
}

impl Spans {
    /// A span was created.
    pub fn create(&mut self, s: &SpanNew<Vec<Field<String>>>) {
        let info = SpanInfo {
            callsite: s.callsite,
            core: s.core,
            parent: s.parent,
            values: s.values.clone(),
        };
        self.live.insert(s.span, info);
    }

    /// Values were recorded on a span.
    pub fn record(&mut self, s: &SpanValues<Vec<Field<String>>>) {
        let Some(info) = self.live.get_mut(&s.span) else {
            return;
        };
        for f in &s.values {
            match info.values.iter_mut().find(|old| old.idx == f.idx) {
                Some(old) => old.value = f.value.clone(),
                None => info.values.push(f.clone()),
            }
        }
    }

    /// `core` entered `span`.
    pub fn enter(&mut self, core: u16, span: u64) {
        self.stacks.entry(core).or_default().push(span);
    }

    /// `core` left `span`. Returns the spans that ended, innermost first:
    /// just `span` normally; also those entered after it, if they were not
    /// left first; nothing if `span` was never entered (the stream began
    /// inside it).
    pub fn exit(&mut self, core: u16, span: u64) -> Vec<u64> {
        let Some(stack) = self.stacks.get_mut(&core) else {
            return Vec::new();
        };
        let Some(at) = stack.iter().rposition(|&s| s == span) else {
            return Vec::new();
        };
        let mut ended = stack.split_off(at);
        ended.reverse();
        ended
    }

    /// `span` was closed; its id may come back for a new span.
    pub fn close(&mut self, span: u64) {
        self.live.remove(&span);
    }

    /// A live span.
    pub fn get(&self, span: u64) -> Option<&SpanInfo> {
        self.live.get(&span)
    }

    /// The spans `core` is inside, outermost first.
    pub fn stack(&self, core: u16) -> &[u64] {
        self.stacks.get(&core).map_or(&[], Vec::as_slice)
    }

    /// Every core's stack, for closing what is still open at the end.
    pub fn open(&self) -> impl Iterator<Item = (u16, &[u64])> {
        self.stacks.iter().map(|(&c, s)| (c, s.as_slice()))
    }
}
