//! Probes: trace points for the hot paths (every bus message, every MPI
//! point-to-point message), thinner than `tracing`'s. Why they exist beside
//! `tracing` is in docs/tracing.md (*Probes and `tracing`*): a `tracing`
//! event hands each field to the subscriber through its own indirect call
//! (`Visit`), which cost a 7-field `bus.send` about 1,200 cycles under TCG;
//! a probe hands them all over in one call, as integers.
//!
//! The contract:
//! - A [`Probe`] is a `static` describing one event or span: name, target,
//!   level, typed integer fields, source location. The crate that owns the
//!   trace points lists them (e.g. `bus::PROBES`) for whoever records them.
//! - A probe that is off costs one load and one branch where it fires; its
//!   field values are not computed. An event probe that is on lays its
//!   values out where it fires and calls the sink from there: one indirect
//!   call and its return, no call in between (under TCG each call or
//!   return into another page costs a translation-block lookup).
//! - A probe has at most [`MAX_FIELDS`] fields, either all narrow
//!   ([`Kind::U32`], [`Kind::I32`]) or none ([`Probe::narrow`]); only an
//!   event is narrow. A narrow event's values reach the sink packed two to
//!   a word ([`Packed`], [`Sink::narrow_event`]), in registers rather than
//!   through memory: what it records of each value is the low 32 bits.
//! - The recorder installs its [`Sink`] once ([`install`]), then turns
//!   probes on ([`Probe::enable`], with a tag of its choosing: a nonzero
//!   word the sink is given back at each firing, such as the probe's id
//!   with whatever else it needs to write the record) and off. A probe
//!   reaches the sink only while on, give or take firings already past
//!   their check when [`Probe::disable`] is called.
//! - A probe may belong to a [`Group`]: a word that is nonzero while any
//!   member is on, so a hot path with several trace points tests them all
//!   with one load and, while the group is off, skips every probe's own
//!   check. The group only filters: each probe's tag still decides.
//! - A span ([`Probe::enter`]) is reported to the sink when it is entered
//!   and when its [`Entered`] guard is dropped, even if the probe was turned
//!   off in between, so the sink's span stack stays balanced.

#![no_std]

use core::num::NonZeroU64;
use core::sync::atomic::{AtomicPtr, AtomicU32, AtomicU64, Ordering};

pub use tracing_core::Level;

/// How a field's `u64` value is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Unsigned.
    U64,
    /// Two's complement signed.
    I64,
    /// Unsigned, recorded in 32 bits (its low half): a narrow field.
    U32,
    /// Two's complement signed, recorded in 32 bits (its low half, read
    /// back sign-extended): a narrow field.
    I32,
    /// Unsigned, or no value when [`ABSENT`] (an `Option`, e.g. a root).
    MaybeU64,
    /// One of these names, by index; no value when the index is out of
    /// range (e.g. [`ABSENT`]). The recorder interns each name once, so a
    /// record carries a small id, not the text.
    Str(&'static [&'static str]),
}

/// The value of a [`Kind::MaybeU64`] or [`Kind::Str`] field that has none.
pub const ABSENT: u64 = u64::MAX;

/// `value` as a [`Kind::MaybeU64`] field's value.
#[inline(always)]
pub fn maybe(value: Option<usize>) -> u64 {
    value.map_or(ABSENT, |value| value as u64)
}

/// One field of a probe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    /// Its name, e.g. `len`.
    pub name: &'static str,
    /// How its value is read.
    pub kind: Kind,
}

/// Most fields a probe has; the values a sink is given are always this many.
pub const MAX_FIELDS: usize = 8;

/// A probe's values as a sink is given them: one per field, in order, then
/// zeros up to [`MAX_FIELDS`]. A fixed length lets the sink copy them with
/// straight-line stores, without a branch per field.
pub type Values = [u64; MAX_FIELDS];

/// A narrow probe's values as a sink is given them: value 2i in the low
/// half of word i, value 2i + 1 in the high half, zeros past the last.
pub type Packed = [u64; MAX_FIELDS / 2];

/// `values` (of a narrow probe) packed as [`Packed`] says.
#[inline(always)]
pub fn pack(values: &Values) -> Packed {
    core::array::from_fn(|i| (values[2 * i] & 0xFFFF_FFFF) | values[2 * i + 1] << 32)
}

/// The values of narrow probe `probe` that `words` packs, each widened as
/// its field's kind says (an [`Kind::I32`] one sign-extended).
pub fn unpack(probe: &Probe, words: Packed) -> Values {
    core::array::from_fn(|i| {
        let half = (words[i / 2] >> (32 * (i % 2))) as u32;
        if probe.signed >> i & 1 == 1 {
            i64::from(half as i32) as u64
        } else {
            u64::from(half)
        }
    })
}

/// What records the probes that fire: the kernel's trace lanes, or a
/// test's capture. Each method runs on the firing core (or thread).
pub trait Sink: Sync {
    /// Event probe `probe`, on with `tag`, fired with `values`.
    fn event(&self, probe: &'static Probe, tag: NonZeroU64, values: &Values);
    /// Narrow event probe `probe`, on with `tag`, fired with its values
    /// packed into `w0`..`w3` ([`Packed`]; four words rather than an array
    /// so that they are passed in registers). By default, [`Sink::event`]
    /// with them unpacked.
    fn narrow_event(
        &self,
        probe: &'static Probe,
        tag: NonZeroU64,
        w0: u64,
        w1: u64,
        w2: u64,
        w3: u64,
    ) {
        self.event(probe, tag, &unpack(probe, [w0, w1, w2, w3]));
    }
    /// Span probe `probe`, on with `tag`, was entered with `values`.
    /// Returns the new span's id, or 0 if it is not recorded.
    fn enter(&self, probe: &'static Probe, tag: NonZeroU64, values: &Values) -> u32;
    /// Field `field` of span `span` (from `enter` of `probe`) got `value` late.
    fn record(&self, probe: &'static Probe, span: u32, field: usize, value: u64);
    /// Span `span` (from `enter`) was left and closed.
    fn exit(&self, span: u32);
}

/// One trace point. Make it with [`probe!`] (or [`Probe::new`]) in a
/// `static`.
pub struct Probe {
    /// Name, e.g. `bus.send`.
    pub name: &'static str,
    /// Target, e.g. `bus` (what `trace on bus=debug` matches).
    pub target: &'static str,
    /// Level.
    pub level: Level,
    /// Whether it is a span (entered and left) rather than an event.
    pub is_span: bool,
    /// Fields, in the order values are given.
    pub fields: &'static [Field],
    /// Source file of the trace point.
    pub file: &'static str,
    /// Source line of the trace point.
    pub line: u32,
    /// Bit i set: field i is [`Kind::I64`] or [`Kind::I32`].
    pub signed: u32,
    /// Whether its fields are narrow ([`Kind::U32`], [`Kind::I32`]): a sink
    /// may record each in 32 bits.
    pub narrow: bool,
    /// Whether every field is an integer ([`Kind::U64`], [`Kind::I64`],
    /// [`Kind::U32`], [`Kind::I32`]), so a sink may store the values as
    /// they are (else some need a look at their kind).
    pub plain: bool,
    /// 0 while off, else the tag given to `enable`.
    tag: AtomicU64,
    /// The group it counts itself in while on, if any.
    group: Option<&'static Group>,
}

/// Probes tested together: on while any member is on. A hot path that
/// fires several probes tests the group once and, while it is off, takes a
/// copy of itself without the probes' checks.
pub struct Group {
    /// How many members are on (mod 2³²). Exact whenever no member is being
    /// turned on or off; while one is, it may for a moment be off by one
    /// either way (the recorder turns probes on and off from one core, so
    /// in practice it is not).
    members_on: AtomicU32,
}

impl Group {
    /// A group with no member on.
    #[allow(clippy::new_without_default)] // a `static`'s initialiser: const
    pub const fn new() -> Self {
        Group {
            members_on: AtomicU32::new(0),
        }
    }

    /// Whether any member is on, give or take members being turned on or
    /// off now (the same give or take as a probe's own check).
    #[inline(always)]
    pub fn is_on(&self) -> bool {
        // Relaxed: a filter in front of each member's own Relaxed check
        // (`Probe::tag`), which alone decides and needs no more.
        self.members_on.load(Ordering::Relaxed) != 0
    }
}

/// The sink before [`install`]: drops every firing.
struct Nowhere;

impl Sink for Nowhere {
    fn event(&self, _: &'static Probe, _: NonZeroU64, _: &Values) {}
    fn enter(&self, _: &'static Probe, _: NonZeroU64, _: &Values) -> u32 {
        0 // not recorded, so its guard tells nothing more
    }
    fn record(&self, _: &'static Probe, _: u32, _: usize, _: u64) {}
    fn exit(&self, _: u32) {}
}

/// [`Nowhere`], as [`SINK`] points at a sink.
static NOWHERE: &dyn Sink = &Nowhere;

/// The installed sink: a thin pointer to a `&'static dyn Sink`, so that it
/// fits an atomic. [`Nowhere`] until [`install`], so never null: a probe
/// that is on calls it without a check.
static SINK: AtomicPtr<&'static dyn Sink> = AtomicPtr::new((&raw const NOWHERE).cast_mut());

/// Makes `sink` the one probes fire into. Call it before enabling any
/// probe (until then they fire into nothing); calling it again replaces
/// the sink.
pub fn install(sink: &'static &'static dyn Sink) {
    // Release pairs with the Acquire load in `sink`: whoever sees this
    // pointer sees what it points to.
    SINK.store(core::ptr::from_ref(sink).cast_mut(), Ordering::Release);
}

/// The installed sink.
#[inline(always)]
fn sink() -> &'static dyn Sink {
    // Acquire pairs with the Release store in `install`.
    let sink = SINK.load(Ordering::Acquire);
    // SAFETY: SINK points at NOWHERE or came from `install`, which only
    // takes a `&'static &'static dyn Sink`: valid and immutable for ever.
    unsafe { *sink }
}

impl Probe {
    /// A probe that is off.
    pub const fn new(
        name: &'static str,
        target: &'static str,
        level: Level,
        is_span: bool,
        fields: &'static [Field],
        file: &'static str,
        line: u32,
    ) -> Self {
        assert!(
            fields.len() <= MAX_FIELDS,
            "a probe has at most MAX_FIELDS fields"
        );
        let (mut signed, mut plain, mut narrow) = (0, true, 0);
        let mut i = 0;
        while i < fields.len() {
            match fields[i].kind {
                Kind::U64 => {}
                Kind::U32 => narrow += 1,
                Kind::I64 => signed |= 1 << i,
                Kind::I32 => {
                    signed |= 1 << i;
                    narrow += 1;
                }
                Kind::MaybeU64 | Kind::Str(_) => plain = false,
            }
            i += 1;
        }
        assert!(
            narrow == 0 || narrow == fields.len(),
            "a probe's fields are all narrow (u32, i32) or none"
        );
        assert!(narrow == 0 || !is_span, "only an event is narrow");
        Probe {
            name,
            target,
            level,
            is_span,
            fields,
            file,
            line,
            signed,
            plain,
            narrow: narrow != 0,
            tag: AtomicU64::new(0),
            group: None,
        }
    }

    /// The same probe as a member of `group`.
    pub const fn in_group(self, group: &'static Group) -> Self {
        Probe {
            group: Some(group),
            ..self
        }
    }

    /// The tag the probe is on with, if it is on.
    #[inline(always)]
    pub fn tag(&self) -> Option<NonZeroU64> {
        // Relaxed: the tag alone decides; the sink is reached through its
        // own Acquire load. What the recorder derived the tag from it made
        // visible before it turned the probe on (e.g. a callsite's
        // description), or reaches through its own synchronisation.
        NonZeroU64::new(self.tag.load(Ordering::Relaxed))
    }

    /// Whether the probe is on.
    #[inline(always)]
    pub fn is_on(&self) -> bool {
        self.tag().is_some()
    }

    /// Turns the probe on with `tag`, which the sink is given with it (or
    /// gives an on probe a new tag).
    pub fn enable(&self, tag: NonZeroU64) {
        // Relaxed: see `tag`; the sink was published (Release) by `install`.
        let was_off = self.tag.swap(tag.get(), Ordering::Relaxed) == 0;
        if let (true, Some(group)) = (was_off, self.group) {
            // Relaxed: see `Group::is_on`. The swap above makes each
            // off-to-on change count once, however enable and disable race.
            group.members_on.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Turns the probe off.
    pub fn disable(&self) {
        let was_on = self.tag.swap(0, Ordering::Relaxed) != 0; // Relaxed: see `tag`
        if let (true, Some(group)) = (was_on, self.group) {
            // Relaxed: as in `enable`, whose increment this one undoes.
            group.members_on.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// Fires an event probe: while it is on, hands `values()` to the sink
    /// (packed, if the probe is narrow); while it is off, only looks
    /// (`values` is not run).
    #[inline(always)]
    pub fn fire<const N: usize>(&'static self, values: impl FnOnce() -> [u64; N]) {
        if let Some(tag) = self.tag() {
            core::hint::cold_path();
            let values = padded(values());
            if self.narrow {
                let [w0, w1, w2, w3] = pack(&values);
                sink().narrow_event(self, tag, w0, w1, w2, w3);
            } else {
                sink().event(self, tag, &values);
            }
        }
    }

    /// Enters a span probe: while it is on, hands `values()` to the sink
    /// and returns a guard that leaves the span when dropped; while it is
    /// off, only looks.
    #[inline(always)]
    pub fn enter<const N: usize>(&'static self, values: impl FnOnce() -> [u64; N]) -> Entered {
        match self.tag() {
            Some(tag) => enter_cold(self, tag, values),
            None => Entered {
                probe: self,
                span: 0,
            },
        }
    }
}

/// `values` padded with zeros to [`MAX_FIELDS`] (more is a compile error).
#[inline(always)]
fn padded<const N: usize>(values: [u64; N]) -> Values {
    const { assert!(N <= MAX_FIELDS, "a probe has at most MAX_FIELDS fields") };
    let mut all = [0; MAX_FIELDS];
    all[..N].copy_from_slice(&values);
    all
}

/// The out-of-line part of [`Probe::enter`].
#[cold]
#[inline(never)]
fn enter_cold<const N: usize>(
    probe: &'static Probe,
    tag: NonZeroU64,
    values: impl FnOnce() -> [u64; N],
) -> Entered {
    let span = sink().enter(probe, tag, &padded(values()));
    Entered { probe, span }
}

/// A span being inside; dropping it leaves and closes the span.
#[must_use = "dropping the guard leaves the span at once"]
pub struct Entered {
    /// The span's probe.
    probe: &'static Probe,
    /// The sink's span id, 0 when nothing was recorded.
    span: u32,
}

impl Entered {
    /// Records field `field`'s value now (one known only later, such as a
    /// receive's length).
    #[inline]
    pub fn record(&self, field: usize, value: u64) {
        if self.span != 0 {
            sink().record(self.probe, self.span, field, value);
        }
    }
}

impl Drop for Entered {
    #[inline]
    fn drop(&mut self) {
        if self.span != 0 {
            sink().exit(self.span);
        }
    }
}

/// Declares a `static` [`Probe`] at the calling line: an `event` or a
/// `span`, with fields `"name"` (unsigned), `"name": i64` (signed),
/// `"name": maybe` ([`Kind::MaybeU64`]) or `"name": str(NAMES)`
/// ([`Kind::Str`]); or else (an event's) all narrow, `"name": u32` and
/// `"name": i32`.
/// `in GROUP,` before the fields makes it a member of the [`Group`]
/// `GROUP`.
///
/// ```
/// probe::probe!(pub static SEND = event "bus.send", target: "bus", DEBUG, ["src", "dst", "len"]);
/// probe::probe!(static RECV = span "mpi.recv", target: "mpi", DEBUG, ["peer": i64, "len"]);
/// probe::probe!(static CALL = span "mpi.bcast", target: "mpi", INFO,
///     ["root": maybe, "algorithm": str(&["linear", "tree"])]);
/// SEND.fire(|| [1, 2, 64]); // off: nothing happens
/// let _inside = RECV.enter(|| [(-1i64) as u64, 0]);
/// let _call = CALL.enter(|| [probe::maybe(None), 1]);
///
/// static SENDING: probe::Group = probe::Group::new();
/// probe::probe!(static FILL = event "bus.fill", target: "bus", TRACE, in SENDING, ["len"]);
/// if SENDING.is_on() {
///     FILL.fire(|| [64]);
/// }
///
/// probe::probe!(static SLOT = event "bus.slot", target: "bus", TRACE, ["desc": u32, "delta": i32]);
/// assert!(SLOT.narrow);
/// ```
///
/// Narrow and wide fields do not mix:
///
/// ```compile_fail
/// probe::probe!(static MIXED = event "x.mixed", target: "x", TRACE, ["a": u32, "b"]);
/// ```
///
/// and a span is not narrow:
///
/// ```compile_fail
/// probe::probe!(static SPAN = span "x.span", target: "x", TRACE, ["a": u32]);
/// ```
#[macro_export]
macro_rules! probe {
    ($vis:vis static $ident:ident = $what:ident $name:literal, target: $target:literal, $level:ident,
     $(in $group:path,)?
     [$($field:literal $(: $kind:ident $(($names:expr))?)?),* $(,)?]) => {
        $vis static $ident: $crate::Probe = $crate::Probe::new(
            $name,
            $target,
            $crate::Level::$level,
            $crate::probe!(@span $what),
            &[$($crate::Field { name: $field, kind: $crate::probe!(@kind $($kind $(($names))?)?) }),*],
            file!(),
            line!(),
        )$(.in_group(&$group))?;
    };
    (@span event) => { false };
    (@span span) => { true };
    (@kind) => { $crate::Kind::U64 };
    (@kind u64) => { $crate::Kind::U64 };
    (@kind i64) => { $crate::Kind::I64 };
    (@kind u32) => { $crate::Kind::U32 };
    (@kind i32) => { $crate::Kind::I32 };
    (@kind maybe) => { $crate::Kind::MaybeU64 };
    (@kind str($names:expr)) => { $crate::Kind::Str($names) };
}
