//! The bus's trace points (`tracing` events, target `bus`): what each core
//! does to a queue, named and shaped as docs/tracing.md's contract says, so
//! trace-viewer can draw the ring and pair every send with its receive.
//! With no subscriber, or tracing off, each call is one load and compare.

use tracing::Level;

use crate::queue::Queue;

/// The sender filled buffer `desc` with `len` bytes at used position `pos`.
#[inline]
pub(crate) fn fill(q: &Queue, desc: u16, len: usize, pos: u16) {
    tracing::event!(name: "bus.fill", target: "bus", Level::TRACE, src = q.src, dst = q.dst, desc = desc, len = len, used_idx = pos);
}

/// The sender stored `used.idx = used_idx`.
#[inline]
pub(crate) fn publish(q: &Queue, used_idx: u16) {
    tracing::event!(name: "bus.publish", target: "bus", Level::TRACE, src = q.src, dst = q.dst, used_idx = used_idx);
}

/// The sender found no posted buffer: it saw `avail_idx`, its next used
/// position is `used_idx`.
#[inline]
pub(crate) fn stall(q: &Queue, avail_idx: u16, used_idx: u16) {
    tracing::event!(name: "bus.stall", target: "bus", Level::DEBUG, src = q.src, dst = q.dst, avail_idx = avail_idx, used_idx = used_idx);
}

/// A whole message is published; `desc` and `used_idx` are its first
/// fragment's, `seq` the queue's message number.
#[inline]
pub(crate) fn send(q: &Queue, len: usize, frags: usize, desc: u16, used_idx: u16, seq: u64) {
    tracing::event!(name: "bus.send", target: "bus", Level::DEBUG,
        src = q.src, dst = q.dst, len = len, frags = frags, desc = desc, used_idx = used_idx, seq = seq);
}

/// The receiver took the used entry at `used_idx` (buffer `desc`, `len` bytes).
#[inline]
pub(crate) fn consume(q: &Queue, desc: u16, len: usize, used_idx: u16) {
    tracing::event!(name: "bus.consume", target: "bus", Level::TRACE, src = q.src, dst = q.dst, desc = desc, len = len, used_idx = used_idx);
}

/// A whole message was delivered to the caller (same key as its send).
#[inline]
pub(crate) fn recv(q: &Queue, len: usize, frags: usize, desc: u16, used_idx: u16, seq: u64) {
    tracing::event!(name: "bus.recv", target: "bus", Level::DEBUG,
        src = q.src, dst = q.dst, len = len, frags = frags, desc = desc, used_idx = used_idx, seq = seq);
}

/// The receiver posted buffers `avail` positions `from..to`: one event each.
#[inline]
pub(crate) fn post(q: &Queue, from: u16, to: u16) {
    if tracing::enabled!(target: "bus", Level::TRACE) {
        let mut pos = from;
        while pos != to {
            let desc = q
                .avail
                .slot(q.slot(pos))
                .load(crate::sync::Ordering::Relaxed);
            tracing::event!(name: "bus.post", target: "bus", Level::TRACE, src = q.src, dst = q.dst, desc = desc, avail_idx = pos);
            pos = pos.wrapping_add(1);
        }
    }
}
