//! The callsite table: a small id for each `tracing` callsite the kernel has
//! met and each probe it turned on, a lock-free lookup from a `tracing`
//! callsite's metadata on the hot path (a probe carries its id itself), and
//! the record that describes it on the wire (sent before its first event).

use core::sync::atomic::{AtomicU16, AtomicUsize, Ordering};

use arrayvec::ArrayVec;
use probe::Probe;
use spin::Mutex;
use trace_wire::{Callsite, Kind, Record};
use tracing_core::Metadata;

use super::filter::wire_level;

/// Most callsites the kernel describes (it has a few dozen; raw records
/// carry 16-bit ids).
pub const MAX_CALLSITES: usize = 256;
const SLOTS: usize = 2 * MAX_CALLSITES;

/// What a callsite id stands for.
#[derive(Clone, Copy)]
enum Site {
    /// A `tracing` event or span.
    Tracing(&'static Metadata<'static>),
    /// A probe.
    Probe(&'static Probe),
}

/// Registered callsites by id. Lock rule: taken by `register` (rare) and the
/// drainer; never on the event path.
static TABLE: Mutex<ArrayVec<Site, MAX_CALLSITES>> = Mutex::new(ArrayVec::new_const());
/// Open-addressed map from metadata address to id + 1 (0 = empty slot).
/// Writers (under TABLE's lock) store the id first, then the key with
/// Release; readers load the key with Acquire, then the id.
static KEYS: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];
static IDS: [AtomicU16; SLOTS] = [const { AtomicU16::new(0) }; SLOTS];

fn slot_of(key: usize) -> usize {
    (key >> 3).wrapping_mul(0x9E37_79B9) % SLOTS
}

/// The id of `metadata`, if registered. Lock-free.
#[inline]
pub fn id_of(metadata: &'static Metadata<'static>) -> Option<u16> {
    let key = metadata as *const Metadata<'static> as usize;
    let mut slot = slot_of(key);
    loop {
        // Acquire pairs with the Release store of the key in `register`.
        match KEYS[slot].load(Ordering::Acquire) {
            0 => return None,
            k if k == key => return Some(IDS[slot].load(Ordering::Relaxed)),
            _ => slot = (slot + 1) % SLOTS,
        }
    }
}

/// Gives `metadata` an id (the same one when called again); None when the
/// table is full, and then the callsite is never recorded.
pub fn register(metadata: &'static Metadata<'static>) -> Option<u16> {
    let mut table = TABLE.lock();
    if let Some(id) = id_of(metadata) {
        return Some(id);
    }
    let id = table.len() as u16;
    table.try_push(Site::Tracing(metadata)).ok()?;
    let key = metadata as *const Metadata<'static> as usize;
    let mut slot = slot_of(key);
    while KEYS[slot].load(Ordering::Relaxed) != 0 {
        slot = (slot + 1) % SLOTS;
    }
    IDS[slot].store(id, Ordering::Relaxed);
    KEYS[slot].store(key, Ordering::Release); // Acquire: id_of
    Some(id)
}

/// Gives `probe` an id (the same one when called again); None when the
/// table is full, and then the probe stays off.
pub fn register_probe(probe: &'static Probe) -> Option<u16> {
    let mut table = TABLE.lock();
    let known = table
        .iter()
        .position(|site| matches!(site, Site::Probe(p) if core::ptr::eq(*p, probe)));
    if let Some(id) = known {
        return Some(id as u16);
    }
    let id = table.len() as u16;
    table.try_push(Site::Probe(probe)).ok()?;
    Some(id)
}

/// Number of registered callsites.
pub fn count() -> usize {
    TABLE.lock().len()
}

/// Calls `f` with the wire record describing callsite `id`.
pub fn describe<R>(id: usize, f: impl FnOnce(&trace_wire::RecordRef<'_>) -> R) -> Option<R> {
    let site = *TABLE.lock().get(id)?;
    let mut names: ArrayVec<&str, 32> = ArrayVec::new();
    let no_fields: &[&str] = &[]; // filled from `names` below
    let callsite = match site {
        Site::Tracing(metadata) => {
            names.extend(metadata.fields().iter().map(|field| field.name()).take(32));
            Callsite {
                id: id as u32,
                kind: if metadata.is_span() {
                    Kind::Span
                } else {
                    Kind::Event
                },
                level: wire_level(metadata.level()),
                name: metadata.name(),
                target: metadata.target(),
                file: metadata.file(),
                line: metadata.line(),
                fields: no_fields,
            }
        }
        Site::Probe(probe) => {
            names.extend(probe.fields.iter().map(|field| field.name).take(32));
            Callsite {
                id: id as u32,
                kind: if probe.is_span {
                    Kind::Span
                } else {
                    Kind::Event
                },
                level: wire_level(&probe.level),
                name: probe.name,
                target: probe.target,
                file: Some(probe.file),
                line: Some(probe.line),
                fields: no_fields,
            }
        }
    };
    let record = Record::Callsite(Callsite {
        fields: names.as_slice(),
        ..callsite
    });
    Some(f(&record))
}
