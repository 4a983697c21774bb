//! Notification instead of polling: VIRTIO_F_EVENT_IDX (VIRTIO 1.2 §2.7.7,
//! §2.7.10). A side about to wait publishes its event index and re-checks its
//! ring; the other side notifies it only when an index move crosses that
//! event index. The bus only decides *whether* to notify; how (an IPI) is the
//! caller's [`Notifier`]. Polling (the default) skips all of this.
//!
//! # Who waits for what
//!
//! * The receiver (the spec's driver), finding its used ring empty, stores
//!   `used_event = last_used` ("tell me when you use position `last_used`").
//!   The sender, after each `used.idx` store moving `old → new`, notifies
//!   core `dst` if `need_event(used_event, new, old)` (§2.7.7.2).
//! * The sender (the spec's device), finding no room, stores
//!   `avail_event = avail.idx as it last saw it`. The receiver, after each
//!   `avail.idx` store moving `old → new` (a re-post), notifies core `src` if
//!   `need_event(avail_event, new, old)` (§2.7.10.2).
//!
//! # Why no wake-up is lost
//!
//! Each side does a store and then a load of a location the other side
//! stores:
//!
//! ```text
//! waiter (arm)                          other side (after its index store)
//!   event := seen         (store)         idx := new          (store, Release)
//!   fence(SeqCst)                         fence(SeqCst)
//!   idx == seen ?         (load)          event ?             (load)
//!   yes: sleep                            crossed: notify
//! ```
//!
//! This is the store-buffering pattern: with only Release/Acquire both loads
//! may return the old values (x86 really does this: a store waits in the
//! store buffer while the next load goes ahead), and then the waiter sleeps
//! on a ring that is not empty while the other side, seeing the old event
//! index, sends nothing. The two SeqCst fences are ordered one way or the
//! other in the single total order of SeqCst operations: if the waiter's
//! fence is first, the other side's load sees the new event index and the
//! move from `seen` crosses it; if the other side's fence is first, the
//! waiter's re-check sees the new `idx` and does not sleep. Either way the
//! waiter wakes. `tests/loom.rs` (`no_lost_wake_up_*`) fails if either fence
//! is weakened. On x86 each fence is one `mfence`; it is paid only in notify
//! mode, once per index store, not per message of a batch.

use core::fmt;

use crate::queue::Queue;
use crate::sync::Ordering::{Relaxed, SeqCst};
use crate::sync::{AtomicBool, AtomicU64, bump, fence};

/// How the bus wakes a core: called with the core to notify (an IPI in the
/// kernel). It may be called for a core that is not asleep (a spurious
/// notification costs one interrupt, nothing else).
pub type Notifier = fn(core: usize);

/// [`Bus::set_notify`](crate::Bus::set_notify) was asked for notification,
/// but the bus was made without a [`Notifier`] to deliver it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoNotifier;

impl fmt::Display for NoNotifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the bus has no notifier (Bus::with_notifier), so it can only poll")
    }
}

/// `vring_need_event`: whether moving an index from `old` to `new` crosses
/// the other side's `event` index, i.e. `event` is in `[old, new)` on the
/// 16-bit circle (VIRTIO 1.2 §2.7.7.2, §2.7.10.2). Right across the wrap
/// because every term is a wrapping difference.
///
/// ```
/// use bus::need_event;
/// assert!(need_event(5, 6, 5)); // the move 5 -> 6 uses position 5
/// assert!(!need_event(7, 6, 5)); // not yet at 7
/// assert!(need_event(0xffff, 1, 0xfffe)); // across the wrap
/// ```
#[cfg(not(feature = "lab-notify"))]
pub fn need_event(event: u16, new: u16, old: u16) -> bool {
    new.wrapping_sub(event).wrapping_sub(1) < new.wrapping_sub(old)
}

/// Lab 7's student version (docs/labs/7-notify.md): always notifies, which
/// is never wrong but suppresses nothing.
#[cfg(feature = "lab-notify")]
pub fn need_event(_event: u16, _new: u16, _old: u16) -> bool {
    // LAB 7: the index just moved from `old` to `new`. Did it pass `event`,
    // the position the waiting side asked to hear about? Mind the wrap.
    true
}

/// One queue's notification state, beside the rings. The mode flag and the
/// notifier are read by both sides; each side's counters have one writer.
pub(crate) struct Events {
    /// Notify mode. Written by `Bus::set_notify` (callers switch only while
    /// no core waits on the bus), read Relaxed by both sides: it orders
    /// nothing, the switch is ordered by whatever starts the next demo.
    on: AtomicBool,
    /// Set once, before the bus is shared (`Bus::with_notifier`).
    notifier: Option<Notifier>,
    /// Written by the sender only.
    sender: SideEvents,
    /// Written by the receiver only.
    receiver: SideEvents,
}

/// One side's notification counters, on its own cache line.
#[repr(align(64))]
#[derive(Default)]
struct SideEvents {
    /// Notifications sent to the other core.
    sent: AtomicU64,
    /// Index stores after which the other side was not waiting (no need).
    suppressed: AtomicU64,
    /// Sender only, notify mode only: a send found too little room and has
    /// not published since, so `Endpoint::arm` asks for a notification on
    /// this queue (see `arm_if_stalled`).
    stalled: AtomicBool,
}

/// One queue's notification counters, as `vq dump` and `vq stats` show them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EventCounters {
    /// Notify mode on.
    pub on: bool,
    /// The receiver's `used_event`.
    pub used_event: u16,
    /// The sender's `avail_event`.
    pub avail_event: u16,
    /// Used-buffer notifications the sender sent (messages arrived).
    pub used_sent: u64,
    /// `used.idx` stores that needed no notification.
    pub used_suppressed: u64,
    /// Available-buffer notifications the receiver sent (buffers back).
    pub avail_sent: u64,
    /// `avail.idx` stores that needed no notification.
    pub avail_suppressed: u64,
}

impl Events {
    /// Polling, no notifier.
    pub(crate) fn new() -> Self {
        Self {
            on: AtomicBool::new(false),
            notifier: None,
            sender: SideEvents::default(),
            receiver: SideEvents::default(),
        }
    }

    /// Installs the notifier (before the bus is shared: `&mut`).
    pub(crate) fn set_notifier(&mut self, notifier: Notifier) {
        self.notifier = Some(notifier);
    }

    /// Switches notify mode.
    pub(crate) fn set_on(&self, on: bool) -> Result<(), NoNotifier> {
        if on && self.notifier.is_none() {
            return Err(NoNotifier);
        }
        // Relaxed: see the field.
        self.on.store(on, Relaxed);
        Ok(())
    }

    /// Notify mode on.
    #[inline]
    pub(crate) fn is_on(&self) -> bool {
        // Relaxed: see the field.
        self.on.load(Relaxed)
    }
}

/// Loads the counters of `q` (Relaxed, each: single-writer statistics).
pub(crate) fn counters(q: &Queue) -> EventCounters {
    let e = &q.events;
    EventCounters {
        on: e.is_on(),
        used_event: q.avail.used_event().load(Relaxed),
        avail_event: q.used.avail_event().load(Relaxed),
        used_sent: e.sender.sent.load(Relaxed),
        used_suppressed: e.sender.suppressed.load(Relaxed),
        avail_sent: e.receiver.sent.load(Relaxed),
        avail_suppressed: e.receiver.suppressed.load(Relaxed),
    }
}

/// Sender, right after its Release store of `used.idx` moved it `old → new`:
/// notifies the receiver if it asked to hear of this move. Inline, as it
/// runs on every message: in poll mode it is one load and a branch.
#[inline]
pub(crate) fn after_publish_used(q: &Queue, old: u16, new: u16) {
    if q.events.is_on() {
        after_publish_used_notifying(q, old, new);
    }
}

/// [`after_publish_used`] in notify mode.
#[inline(never)]
fn after_publish_used_notifying(q: &Queue, old: u16, new: u16) {
    let e = &q.events;
    // Relaxed, both: sender-private flag.
    if e.sender.stalled.load(Relaxed) {
        e.sender.stalled.store(false, Relaxed);
    }
    // SeqCst, partner: the fence in `arm_recv`. Orders our used.idx store
    // before the used_event load below (store-load: see the module doc).
    fence(SeqCst);
    // Relaxed: ordered by the fence; no data is read on its strength.
    let event = q.avail.used_event().load(Relaxed);
    notify_if(e, &e.sender, need_event(event, new, old), q.dst);
}

/// Receiver, right after its Release store of `avail.idx` moved it
/// `old → new` (a re-post): notifies the sender if it waits for room.
pub(crate) fn after_post(q: &Queue, old: u16, new: u16) {
    let e = &q.events;
    if !e.is_on() {
        return;
    }
    // SeqCst, partner: the fence in `arm_send`. Orders our avail.idx store
    // before the avail_event load below (store-load: see the module doc).
    fence(SeqCst);
    // Relaxed: ordered by the fence.
    let event = q.used.avail_event().load(Relaxed);
    notify_if(e, &e.receiver, need_event(event, new, old), q.src);
}

/// Sends the notification to `core` if `needed`, counting it either way.
fn notify_if(e: &Events, side: &SideEvents, needed: bool, core: usize) {
    match (needed, e.notifier) {
        (true, Some(notify)) => {
            bump(&side.sent, 1);
            notify(core);
        }
        _ => bump(&side.suppressed, 1),
    }
}

/// Receiver, its used ring empty: asks to be notified of the next used
/// entry and re-checks. `true`: still empty, and a notification is now
/// certain when an entry arrives, so the caller may sleep until one.
/// Always `false` in poll mode (nobody would notify).
pub(crate) fn arm_recv(q: &Queue) -> bool {
    if !q.events.is_on() {
        return false;
    }
    // Relaxed: receiver-private.
    let last = q.recv.last_used.load(Relaxed);
    // Relaxed: ordered before the re-check by the fence.
    q.avail.used_event().store(last, Relaxed);
    // SeqCst, partner: the fence in `after_publish_used` (module doc).
    fence(SeqCst);
    // Relaxed: only compared; a receive that follows loads it with Acquire.
    q.used.idx().load(Relaxed) == last
}

/// Sender, short of room: asks to be notified of the next re-post past
/// the `avail.idx` it last saw, and re-checks. `true`: nothing was posted
/// since, and a notification is now certain when something is.
pub(crate) fn arm_send(q: &Queue) -> bool {
    if !q.events.is_on() {
        return false;
    }
    // Relaxed: sender-private cache of what the last room check saw.
    let seen = q.send.avail_cache.load(Relaxed);
    // Relaxed: ordered before the re-check by the fence.
    q.used.avail_event().store(seen, Relaxed);
    // SeqCst, partner: the fence in `after_post` (module doc).
    fence(SeqCst);
    // Relaxed: only compared; the next room check loads it with Acquire.
    q.avail.idx().load(Relaxed) == seen
}

/// Sender, in notify mode: a send found too little room (cleared by the
/// next publication, or by `arm_if_stalled` when room came back).
pub(crate) fn mark_stalled(q: &Queue) {
    if q.events.is_on() {
        // Relaxed: sender-private flag.
        q.events.sender.stalled.store(true, Relaxed);
    }
}

/// Sender, before sleeping in a loop of non-blocking calls: arms `q` if
/// its last send found too little room. `true`: the caller may sleep as
/// far as `q` is concerned (not stalled, or armed with nothing posted
/// since). `false`: room came back; the flag is cleared, so the caller
/// retries and a send still short of room marks the queue again (a stale
/// flag, say of an abandoned send, costs one extra turn, not a spin).
pub(crate) fn arm_if_stalled(q: &Queue) -> bool {
    // Relaxed: sender-private flag.
    if !q.events.sender.stalled.load(Relaxed) || arm_send(q) {
        return true;
    }
    // Relaxed: sender-private flag.
    q.events.sender.stalled.store(false, Relaxed);
    false
}

#[cfg(all(test, not(loom)))]
mod tests {
    //! Lab 7: `cargo test -p bus --features lab-notify need_event` runs
    //! these against your `need_event`.
    use super::need_event;

    #[test]
    fn a_move_crossing_the_event_index_needs_an_event() {
        assert!(need_event(5, 6, 5));
        assert!(need_event(5, 9, 3));
        assert!(need_event(3, 9, 3));
        assert!(need_event(8, 9, 3));
    }

    #[test]
    fn a_move_short_of_or_past_the_event_index_does_not() {
        assert!(!need_event(9, 9, 3)); // `new` itself is not yet used
        assert!(!need_event(10, 9, 3));
        assert!(!need_event(2, 9, 3)); // already passed before this move
        assert!(!need_event(5, 5, 5)); // no move at all
    }

    #[test]
    fn wrap_around_is_handled() {
        assert!(need_event(0xffff, 0, 0xffff));
        assert!(need_event(0xfffe, 2, 0xfff0));
        assert!(need_event(1, 2, 0xfff0));
        assert!(!need_event(2, 2, 0xfff0));
        assert!(!need_event(0xffef, 2, 0xfff0));
    }

    #[test]
    fn matches_the_definition_on_every_small_case() {
        // event in [old, new) on the circle, counted step by step.
        for old in [0u16, 1, 0x7fff, 0xfff0, 0xffff] {
            for step in 0..40u16 {
                let new = old.wrapping_add(step);
                for back in 0..50u16 {
                    let event = new.wrapping_sub(back);
                    let crossed = (0..step).any(|k| old.wrapping_add(k) == event);
                    assert_eq!(need_event(event, new, old), crossed, "{event} {new} {old}");
                }
            }
        }
    }
}
