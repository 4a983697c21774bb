//! The bus's trace points (`tracing` events, target `bus`): what each core
//! does to a queue, named and shaped as docs/tracing.md's contract says, so
//! trace-viewer can draw the ring and pair every send with its receive.
//! Until a subscriber is first installed each call is one load and branch
//! (`emit`); with one installed and tracing off, a call and a callsite check.

use tracing::Level;

use crate::sync::Ordering::Relaxed;

use crate::queue::Queue;

/// Runs `event` (one `tracing::event!`) unless no subscriber, global or
/// scoped, was ever installed, in which case none can be enabled; `tracing`'s
/// own macros make the same check before their `log` fallback. The check is
/// inline, the event an out-of-line call, so a trace point costs the send
/// and receive paths a load and a branch and no stack frame for the event.
#[inline(always)]
fn emit(event: impl FnOnce()) {
    if tracing::dispatcher::has_been_set() {
        out_of_line(event);
    }
}

/// Calls `event` out of the hot path.
#[cold]
#[inline(never)]
fn out_of_line(event: impl FnOnce()) {
    event();
}

/// The sender filled buffer `desc` with `len` bytes at used position `pos`.
#[inline(always)]
pub(crate) fn fill(q: &Queue, desc: u16, len: usize, pos: u16) {
    emit(
        || tracing::event!(name: "bus.fill", target: "bus", Level::TRACE, src = q.src, dst = q.dst, desc = desc, len = len, used_idx = pos),
    );
}

/// The sender stored `used.idx = used_idx`.
#[inline(always)]
pub(crate) fn publish(q: &Queue, used_idx: u16) {
    emit(
        || tracing::event!(name: "bus.publish", target: "bus", Level::TRACE, src = q.src, dst = q.dst, used_idx = used_idx),
    );
}

/// The sender found no posted buffer. Fields are read only when the event
/// is enabled, like every derived field in this file: with tracing off the
/// send and receive paths do no extra work.
#[inline(always)]
pub(crate) fn stall(q: &Queue) {
    // Relaxed, both: sender-private values (this runs on the sender).
    emit(|| {
        tracing::event!(name: "bus.stall", target: "bus", Level::DEBUG, src = q.src, dst = q.dst,
        avail_idx = q.send.avail_cache.load(Relaxed), used_idx = q.send.last_avail.load(Relaxed))
    });
}

/// The sender has just published the last fragment of a `len`-byte message
/// in `frags` fragments, the first at used position `first`, in the buffer
/// posted at that avail position (buffers are re-posted in order, so the
/// avail slot still names it); `seq` is the message count before this
/// message is counted.
#[inline(always)]
pub(crate) fn send(q: &Queue, len: usize, frags: usize, first: u16) {
    // Relaxed, all: sender-private values (this runs on the sender).
    emit(|| {
        tracing::event!(name: "bus.send", target: "bus", Level::DEBUG, src = q.src, dst = q.dst, len = len, frags = frags,
        desc = q.avail.slot(q.slot(first)).load(Relaxed), used_idx = first,
        seq = q.send.messages.load(Relaxed))
    });
}

/// The receiver took the used entry at `used_idx` (buffer `desc`, `len` bytes).
#[inline(always)]
pub(crate) fn consume(q: &Queue, desc: u16, len: usize, used_idx: u16) {
    emit(
        || tracing::event!(name: "bus.consume", target: "bus", Level::TRACE, src = q.src, dst = q.dst, desc = desc, len = len, used_idx = used_idx),
    );
}

/// A whole `len`-byte message starting with buffer `desc` at used position
/// `used_idx` was delivered to the caller (same key as its send); `seq` is
/// the receive count before this message is counted.
#[inline(always)]
pub(crate) fn recv(q: &Queue, len: usize, desc: u16, used_idx: u16) {
    // Relaxed: the receiver's own counter (this runs on the receiver).
    emit(|| {
        tracing::event!(name: "bus.recv", target: "bus", Level::DEBUG, src = q.src, dst = q.dst, len = len,
        frags = q.fragments(len), desc = desc, used_idx = used_idx, seq = q.recv.received.load(Relaxed))
    });
}

/// The receiver posted buffers `avail` positions `from..to`: one event each.
#[inline(always)]
pub(crate) fn post(q: &Queue, from: u16, to: u16) {
    emit(|| {
        if tracing::enabled!(target: "bus", Level::TRACE) {
            let mut pos = from;
            while pos != to {
                // Relaxed: the receiver's own entries (this runs on the receiver).
                let desc = q.avail.slot(q.slot(pos)).load(Relaxed);
                tracing::event!(name: "bus.post", target: "bus", Level::TRACE, src = q.src, dst = q.dst, desc = desc, avail_idx = pos);
                pos = pos.wrapping_add(1);
            }
        }
    });
}
