//! The callsite table the stream builds up (self-description): header and
//! callsites as they arrive, and a view that names an event's values.
//! Unknown callsites are tolerated and shown by number. Also the cores'
//! clock offsets (`Clock` records), which put every record on core 0's
//! clock, and the queues' sizes (`Queue` records).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use trace_wire::{Callsite, Clock, Field, Header, Kind, Level, Queue, Record, RecordBuf, Value};

use crate::bus::QueueId;
use crate::clock::Clocks;

/// A decoded callsite.
pub type CallsiteBuf = Callsite<String, Vec<String>>;

/// A decoded value.
pub type ValueBuf = Value<String>;

/// Everything the stream has said about itself so far.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    /// The latest header.
    header: Option<Header<String>>,
    /// Callsites by id; a re-sent callsite replaces the old one.
    sites: HashMap<u32, CallsiteBuf>,
    /// Each core's clock offset against core 0.
    clocks: Clocks,
    /// The latest `Clock` record of each core.
    clock_records: BTreeMap<u16, Clock>,
    /// Each queue's announced geometry.
    queues: BTreeMap<QueueId, Queue>,
}

impl Catalog {
    /// Takes in a record that describes the stream (header, callsite,
    /// clock, queue); returns whether it was one.
    pub fn learn(&mut self, rec: &RecordBuf) -> bool {
        match rec {
            Record::Header(h) => self.header = Some(h.clone()),
            Record::Callsite(c) => {
                self.sites.insert(c.id, c.clone());
            }
            Record::Clock(c) => {
                self.clocks.set_offset_ns(c.core, applied_offset(c));
                self.clock_records.insert(c.core, *c);
            }
            Record::Queue(q) => {
                self.queues.insert(
                    QueueId {
                        src: q.src,
                        dst: q.dst,
                    },
                    *q,
                );
            }
            _ => return false,
        }
        true
    }

    /// The latest `Clock` record of every core that sent one.
    pub fn clock_records(&self) -> impl Iterator<Item = &Clock> {
        self.clock_records.values()
    }

    /// Every queue's announced geometry.
    pub fn queues(&self) -> &BTreeMap<QueueId, Queue> {
        &self.queues
    }

    /// The latest header, if one arrived.
    pub fn header(&self) -> Option<&Header<String>> {
        self.header.as_ref()
    }

    /// `rec` with its time on core 0's clock.
    pub fn align<'a>(&self, rec: &'a RecordBuf) -> Cow<'a, RecordBuf> {
        self.clocks.align(rec)
    }

    /// A callsite by id.
    pub fn site(&self, id: u32) -> Option<&CallsiteBuf> {
        self.sites.get(&id)
    }

    /// Every callsite, in id order.
    pub fn sites(&self) -> Vec<&CallsiteBuf> {
        let mut v: Vec<_> = self.sites.values().collect();
        v.sort_by_key(|s| s.id);
        v
    }

    /// Callsite `id`'s values, with names.
    pub fn view<'a>(&'a self, id: u32, values: &'a [Field<String>]) -> View<'a> {
        View {
            id,
            site: self.site(id),
            values,
        }
    }
}

/// The offset a `Clock` record moves its core's times by: its offset, or 0
/// when the offset is within the measurement's uncertainty (the clocks
/// cannot be told apart, and moving by noise could put a receive before
/// its send).
pub fn applied_offset(c: &Clock) -> i64 {
    if c.offset_ns.unsigned_abs() > c.uncertainty_ns {
        c.offset_ns
    } else {
        0
    }
}

/// An event's or span's values seen through its callsite.
#[derive(Clone, Copy, Debug)]
pub struct View<'a> {
    /// The callsite id.
    pub id: u32,
    /// The callsite, when it has been described.
    pub site: Option<&'a CallsiteBuf>,
    /// The values.
    pub values: &'a [Field<String>],
}

impl<'a> View<'a> {
    /// The callsite's name, or `#id` when it was never described.
    pub fn name(&self) -> Cow<'a, str> {
        match self.site {
            Some(s) => Cow::Borrowed(s.name.as_str()),
            None => Cow::Owned(format!("#{}", self.id)),
        }
    }

    /// The callsite's target ("" when unknown).
    pub fn target(&self) -> &'a str {
        self.site.map_or("", |s| s.target.as_str())
    }

    /// The callsite's level (TRACE when unknown).
    pub fn level(&self) -> Level {
        self.site.map_or(Level::Trace, |s| s.level)
    }

    /// The callsite's kind (event when unknown).
    pub fn kind(&self) -> Kind {
        self.site.map_or(Kind::Event, |s| s.kind)
    }

    /// The value of field `name`, if it was recorded.
    pub fn get(&self, name: &str) -> Option<&'a ValueBuf> {
        let site = self.site?;
        let idx = site.fields.iter().position(|f| f == name)?;
        self.values
            .iter()
            .rev()
            .find(|f| usize::from(f.idx) == idx)
            .map(|f| &f.value)
    }

    /// Field `name` as an unsigned integer.
    pub fn u64(&self, name: &str) -> Option<u64> {
        self.get(name).and_then(Value::as_u64)
    }

    /// Every value with its field name (`field<i>` when unknown).
    pub fn pairs(&self) -> Vec<(Cow<'a, str>, &'a ValueBuf)> {
        self.values
            .iter()
            .map(|f| (self.field_name(f.idx), &f.value))
            .collect()
    }

    /// Values as `name=value` words, separated by spaces.
    pub fn fields_text(&self) -> String {
        let words: Vec<String> = self
            .pairs()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        words.join(" ")
    }

    /// The name of field `idx`.
    fn field_name(&self, idx: u8) -> Cow<'a, str> {
        match self.site.and_then(|s| s.fields.get(usize::from(idx))) {
            Some(n) => Cow::Borrowed(n.as_str()),
            None => Cow::Owned(format!("field{idx}")),
        }
    }
}
