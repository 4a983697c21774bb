//! What each lane's writer keeps for itself, touched by no one else: the
//! stack of spans it is inside, its next span id, and the strings it has
//! interned (a small direct-mapped cache of string hashes to ids).

use core::sync::atomic::{AtomicU32, Ordering};

use arrayvec::ArrayVec;

/// Deepest span nesting tracked per lane.
const MAX_DEPTH: usize = 32;
/// Entries of the string cache.
const STRINGS: usize = 64;
/// Span and string ids: `core << 25 | context << 24 | counter`.
const COUNTER_BITS: u32 = 24;

/// Bumped by the drain at every announcement (Release); a writer that finds
/// a string cached under an older epoch writes it again (Acquire), so a
/// viewer that connected late learns it within a second.
pub static STRING_EPOCH: AtomicU32 = AtomicU32::new(1);

/// One cached string: its hash, its id, the epoch it was last written in.
#[derive(Clone, Copy)]
struct Interned {
    hash: u64,
    id: u32,
    epoch: u32,
}

/// A lane writer's own state.
pub struct LaneState {
    /// Spans entered on this lane, innermost last.
    spans: ArrayVec<u32, MAX_DEPTH>,
    /// The last of `spans`, or 0: kept beside it so that an event reads its
    /// parent with one load and no branch. Always in sync.
    current: u32,
    /// The last span counter handed out.
    span_counter: u32,
    /// The last string counter handed out.
    string_counter: u32,
    /// Strings written, by hash.
    strings: [Interned; STRINGS],
}

impl LaneState {
    /// Nothing entered, nothing interned.
    pub const fn new() -> Self {
        LaneState {
            spans: ArrayVec::new_const(),
            current: 0,
            span_counter: 0,
            string_counter: 0,
            strings: [Interned {
                hash: 0,
                id: 0,
                epoch: 0,
            }; STRINGS],
        }
    }

    /// The innermost span entered, or 0.
    #[inline(always)]
    pub fn current_span(&self) -> u32 {
        self.current
    }

    /// Enters `span` (deeper than 32 levels: not tracked as a parent).
    pub fn enter(&mut self, span: u32) {
        if self.spans.try_push(span).is_ok() {
            self.current = span;
        }
    }

    /// Leaves `span` (the innermost occurrence).
    pub fn exit(&mut self, span: u32) {
        if let Some(at) = self.spans.iter().rposition(|&s| s == span) {
            self.spans.remove(at);
            self.current = self.spans.last().copied().unwrap_or(0);
        }
    }

    /// A new span id, unique per core and context (never 0).
    pub fn next_span(&mut self, core: usize, context: usize) -> u32 {
        self.span_counter = next_counter(self.span_counter);
        make_id(core, context, self.span_counter)
    }

    /// The id `text` (hashed `hash`) is cached under, if it was written in
    /// the current epoch.
    #[inline]
    pub fn cached(&self, hash: u64) -> Option<u32> {
        let entry = &self.strings[hash as usize % STRINGS];
        // Acquire pairs with the drain's Release bump of the epoch.
        let epoch = STRING_EPOCH.load(Ordering::Acquire);
        (entry.hash == hash && entry.epoch == epoch && entry.id != 0).then_some(entry.id)
    }

    /// The id for a string of hash `hash`: the cached one when it is
    /// cached (of an older epoch), else a new one. The caller writes the
    /// string record, then calls [`LaneState::remember`].
    pub fn id_for(&mut self, hash: u64, core: usize, context: usize) -> u32 {
        let entry = &self.strings[hash as usize % STRINGS];
        if entry.hash == hash && entry.id != 0 {
            return entry.id;
        }
        self.string_counter = next_counter(self.string_counter);
        make_id(core, context, self.string_counter)
    }

    /// Caches `id` for `hash`, written in the current epoch.
    pub fn remember(&mut self, hash: u64, id: u32) {
        self.strings[hash as usize % STRINGS] = Interned {
            hash,
            id,
            epoch: STRING_EPOCH.load(Ordering::Acquire), // Release: the drain's bump
        };
    }
}

fn next_counter(counter: u32) -> u32 {
    let next = (counter + 1) & ((1 << COUNTER_BITS) - 1);
    next.max(1)
}

fn make_id(core: usize, context: usize, counter: u32) -> u32 {
    (core as u32) << (COUNTER_BITS + 1) | (context as u32) << COUNTER_BITS | counter
}

/// FNV-1a over the bytes of a string (the cache key; 64 bits make a
/// collision between a lane's strings practically impossible).
#[inline]
pub fn hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
