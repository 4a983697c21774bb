//! Moving the trace to the channel, on the shell core. Each pass first
//! notes how far every lane has been written, then sends what is due (the
//! header, clocks and queues every second; every callsite registered so
//! far), then each lane's new records up to the noted position, then the
//! drops counted. A record's callsite was registered before the record was
//! written, so it is always described before the record reaches the host.

use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use arrayvec::ArrayVec;
use trace_wire::{Dropped, Header, Queue, Record};

use super::channel;
use super::clocks;
use super::lanes::{self, LANES_PER_CORE};
use super::owned::STRING_EPOCH;
use crate::cores::MAX_CORES;
use crate::{core_bus, cores, time};

/// Callsites described since the last announcement.
static ANNOUNCED: AtomicUsize = AtomicUsize::new(0);
/// TSC of the last full announcement (0 = never).
static LAST_ANNOUNCE: AtomicU64 = AtomicU64::new(0);
/// Per core and lane: positions handed to the channel.
static SENT: [[AtomicU64; LANES_PER_CORE]; MAX_CORES] =
    [const { [const { AtomicU64::new(0) }; LANES_PER_CORE] }; MAX_CORES];
/// Per core: drops already reported in the stream.
static REPORTED: [AtomicU64; MAX_CORES] = [const { AtomicU64::new(0) }; MAX_CORES];

const ANNOUNCE_EVERY_MS: u64 = 1000;

/// Sends what is due. Only the shell core calls this (it is every lane's
/// one reader), so every static here has one writer; Relaxed throughout.
pub fn drain() {
    let heads: ArrayVec<[u64; LANES_PER_CORE], MAX_CORES> = (0..cores::count())
        .map(|core| lanes::of(core).each_ref().map(|lane| lane.ring.head()))
        .collect();
    announce_if_due();
    if !describe_new_callsites() {
        // No record may overtake its callsite: the blocks wait a pass.
        channel::flush();
        return;
    }
    for (core, heads) in heads.iter().enumerate() {
        for (lane, &head) in lanes::of(core).iter().zip(heads) {
            let sent = &SENT[core][lane_index(core, lane)];
            let from = sent.load(Ordering::Relaxed);
            if from < head && channel::send_block(core, lane, from, head) {
                sent.store(head, Ordering::Relaxed);
            }
        }
    }
    report_drops();
    channel::flush();
}

fn lane_index(core: usize, lane: &lanes::Lane) -> usize {
    usize::from(!core::ptr::eq(lane, &lanes::of(core)[0]))
}

/// Writes `Dropped` for every core whose lanes refused records since the
/// last report.
fn report_drops() {
    for (core, reported) in REPORTED.iter().enumerate().take(cores::count()) {
        let total: u64 = lanes::of(core)
            .iter()
            .map(|lane| lane.counts.dropped.load(Ordering::Relaxed))
            .sum();
        let before = reported.load(Ordering::Relaxed);
        let report = Record::Dropped(Dropped {
            core: core as u16,
            ts_ns: time::cycles_to_ns(time::uptime_cycles()),
            count: total - before,
        });
        // Counted as reported only once the channel took the report.
        if total > before && channel::send_record(&report) {
            reported.store(total, Ordering::Relaxed);
        }
    }
}

/// Every second: the header, each core's clock, each queue, and (by
/// resetting ANNOUNCED) every callsite again; strings follow on next use.
fn announce_if_due() {
    let now = time::now();
    let every = time::tsc_hz() / 1000 * ANNOUNCE_EVERY_MS;
    let last = LAST_ANNOUNCE.load(Ordering::Relaxed);
    if last != 0 && now - last < every {
        return;
    }
    LAST_ANNOUNCE.store(now, Ordering::Relaxed);
    ANNOUNCED.store(0, Ordering::Relaxed);
    // Release pairs with the Acquire loads in owned.rs: writers re-send
    // their strings after this. Only the drain stores the epoch.
    STRING_EPOCH.store(STRING_EPOCH.load(Ordering::Relaxed) + 1, Ordering::Release);
    channel::send_record(&Record::Header(Header::new(
        time::tsc_hz(),
        cores::count() as u16,
        concat!("ringlab ", env!("CARGO_PKG_VERSION")),
    )));
    for core in 0..cores::count() {
        channel::send_record(&Record::Clock(clocks::of(core)));
    }
    announce_queues();
}

fn announce_queues() {
    let bus = core_bus::get();
    let config = bus.config();
    for src in 0..bus.cores() {
        for dst in (0..bus.cores()).filter(|&dst| dst != src) {
            channel::send_record(&Record::Queue(Queue {
                src: src as u16,
                dst: dst as u16,
                size: config.queue_size,
                buf_size: config.buf_size,
            }));
        }
    }
}

/// Describes the callsites registered since the last pass; false when the
/// channel could not take them all (the rest go next pass).
fn describe_new_callsites() -> bool {
    let registered = super::callsites::count();
    for id in ANNOUNCED.load(Ordering::Relaxed)..registered {
        if super::callsites::describe(id, channel::send_record) != Some(true) {
            return false;
        }
        ANNOUNCED.store(id + 1, Ordering::Relaxed);
    }
    true
}
