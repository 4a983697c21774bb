//! The bus's trace points: probes (the `probe` crate, target `bus`) for what
//! each core does to a queue, named and shaped as docs/tracing.md's contract
//! says, so trace-viewer can draw the ring and pair every send with its
//! receive. [`PROBES`] lists them for whoever records them. While a probe is
//! off its call is one load and branch, and its fields are not computed.
//! Each closure takes its arguments by value (`move`): one that borrowed
//! them made the compiler keep those locals on the stack, stored before
//! the probe's check on every message. Every field is narrow (`u32`), so
//! a record of seven fields fits one 64-byte slot: core numbers, ring
//! positions and lengths fit 32 bits, and `seq` is recorded mod 2³² (it
//! pairs a send with its receive, both cut alike).

use probe::{Group, Probe, probe};

use crate::queue::Queue;
use crate::sync::Ordering::Relaxed;

/// The sender's probes, tested at once on its hot paths ([`sender_traced`]).
static SENDING: Group = Group::new();
/// The receiver's probes, likewise ([`receiver_traced`]).
static RECEIVING: Group = Group::new();

probe!(static FILL = event "bus.fill", target: "bus", TRACE, in SENDING,
    ["src": u32, "dst": u32, "desc": u32, "len": u32, "used_idx": u32]);
probe!(static PUBLISH = event "bus.publish", target: "bus", TRACE, in SENDING,
    ["src": u32, "dst": u32, "used_idx": u32]);
probe!(static STALL = event "bus.stall", target: "bus", DEBUG, in SENDING,
    ["src": u32, "dst": u32, "avail_idx": u32, "used_idx": u32]);
probe!(static SEND = event "bus.send", target: "bus", DEBUG, in SENDING,
    ["src": u32, "dst": u32, "len": u32, "frags": u32, "desc": u32, "used_idx": u32, "seq": u32]);
probe!(static CONSUME = event "bus.consume", target: "bus", TRACE, in RECEIVING,
    ["src": u32, "dst": u32, "desc": u32, "len": u32, "used_idx": u32]);
probe!(static RECV = event "bus.recv", target: "bus", DEBUG, in RECEIVING,
    ["src": u32, "dst": u32, "len": u32, "frags": u32, "desc": u32, "used_idx": u32, "seq": u32]);
probe!(static POST = event "bus.post", target: "bus", TRACE, in RECEIVING,
    ["src": u32, "dst": u32, "desc": u32, "avail_idx": u32]);

/// Every trace point of the bus.
pub static PROBES: [&Probe; 7] = [&FILL, &PUBLISH, &STALL, &SEND, &CONSUME, &RECV, &POST];

/// Whether any sender probe is on. While none is, the sender's hot paths
/// run their copy without trace points (`TRACED = false` in send.rs).
#[inline(always)]
pub(crate) fn sender_traced() -> bool {
    SENDING.is_on()
}

/// Whether any receiver probe is on, as [`sender_traced`] for recv.rs.
#[inline(always)]
pub(crate) fn receiver_traced() -> bool {
    RECEIVING.is_on()
}

/// The queue's ends as the first two fields.
#[inline(always)]
fn ends(q: &Queue) -> [u64; 2] {
    [q.src as u64, q.dst as u64]
}

/// The sender filled buffer `desc` with `len` bytes at used position `pos`.
#[inline(always)]
pub(crate) fn fill(q: &Queue, desc: u16, len: usize, pos: u16) {
    FILL.fire(move || {
        let [src, dst] = ends(q);
        [src, dst, desc.into(), len as u64, pos.into()]
    });
}

/// The sender stored `used.idx = used_idx`.
#[inline(always)]
pub(crate) fn publish(q: &Queue, used_idx: u16) {
    PUBLISH.fire(move || {
        let [src, dst] = ends(q);
        [src, dst, used_idx.into()]
    });
}

/// The sender found no posted buffer.
#[inline(always)]
pub(crate) fn stall(q: &Queue) {
    STALL.fire(move || {
        let [src, dst] = ends(q);
        // Relaxed, both: sender-private values (this runs on the sender).
        let avail_idx = q.send.avail_cache.load(Relaxed);
        let used_idx = q.send.last_avail.load(Relaxed);
        [src, dst, avail_idx.into(), used_idx.into()]
    });
}

/// The sender has just published the last fragment of a `len`-byte message,
/// the first at used position `first`, in the buffer posted at that avail
/// position (`Queue::buffer_at`); `seq` is the sender's message count
/// before this message.
#[inline(always)]
pub(crate) fn send(q: &Queue, len: usize, first: u16, seq: u64) {
    SEND.fire(move || {
        let [src, dst] = ends(q);
        let frags = q.fragments(len);
        let desc = q.buffer_at(first);
        [
            src,
            dst,
            len as u64,
            frags as u64,
            desc.into(),
            first.into(),
            seq,
        ]
    });
}

/// The receiver took the used entry at `used_idx` (buffer `desc`, `len` bytes).
#[inline(always)]
pub(crate) fn consume(q: &Queue, desc: u16, len: usize, used_idx: u16) {
    CONSUME.fire(move || {
        let [src, dst] = ends(q);
        [src, dst, desc.into(), len as u64, used_idx.into()]
    });
}

/// A whole `len`-byte message starting with buffer `desc` at used position
/// `used_idx` was delivered to the caller (same key as its send); `seq` is
/// the receiver's message count before this message.
#[inline(always)]
pub(crate) fn recv(q: &Queue, len: usize, desc: u16, used_idx: u16, seq: u64) {
    RECV.fire(move || {
        let [src, dst] = ends(q);
        let frags = q.fragments(len) as u64;
        [
            src,
            dst,
            len as u64,
            frags,
            desc.into(),
            used_idx.into(),
            seq,
        ]
    });
}

/// The receiver posted buffers `avail` positions `from..to`: one event each.
#[inline(always)]
pub(crate) fn post(q: &Queue, from: u16, to: u16) {
    if !POST.is_on() {
        return;
    }
    let mut pos = from;
    while pos != to {
        POST.fire(move || {
            let [src, dst] = ends(q);
            [src, dst, q.buffer_at(pos).into(), pos.into()]
        });
        pos = pos.wrapping_add(1);
    }
}
