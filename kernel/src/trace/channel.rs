//! Where the drain sends the stream: the virtio console when QEMU has one
//! (the default), else COM2, else nowhere. Frames are copied; blocks of raw
//! records are handed over in place and their slots released once sent.

use core::sync::atomic::{AtomicU8, AtomicU64, Ordering};

use trace_wire::{Block, Record, encode_frame};

use super::lanes::Lane;
use crate::arch::serial::{COM2, Uart};

static UART: Uart = Uart::new(COM2);

/// Which channel is in use (set once by `init`).
static KIND: AtomicU8 = AtomicU8::new(Kind::None as u8);
/// Bytes handed to the channel.
static SENT: AtomicU64 = AtomicU64::new(0);

/// The channels, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    /// Neither device is present.
    None = 0,
    /// The second 16550 serial port: one VM exit per byte under TCG.
    Com2 = 1,
}

impl Kind {
    /// How `trace status` names it.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::None => "no channel (QEMU has no virtio console and no COM2)",
            Kind::Com2 => "COM2 (no virtio console; slow fallback)",
        }
    }
}

/// Finds the channel. Returns which one.
pub fn init() -> Kind {
    let kind = if UART.init(|_| {}) {
        send(&[0]); // ends whatever a previous boot left half-written
        Kind::Com2
    } else {
        Kind::None
    };
    KIND.store(kind as u8, Ordering::Relaxed);
    kind
}

/// The channel in use.
pub fn kind() -> Kind {
    match KIND.load(Ordering::Relaxed) {
        1 => Kind::Com2,
        _ => Kind::None,
    }
}

/// Bytes sent so far.
pub fn bytes_sent() -> u64 {
    SENT.load(Ordering::Relaxed)
}

fn send(bytes: &[u8]) {
    if kind() == Kind::None && bytes != [0] {
        return;
    }
    UART.write_all(bytes);
    SENT.store(
        SENT.load(Ordering::Relaxed) + bytes.len() as u64,
        Ordering::Relaxed,
    ); // only the drain sends
}

/// Encodes and sends one record as a frame.
pub fn send_record(record: &trace_wire::RecordRef<'_>) {
    let mut frame = [0u8; trace_wire::MAX_FRAME];
    if let Ok(frame) = encode_frame(record, &mut frame) {
        send(frame);
    }
}

/// Sends positions `from..to` of `lane` (written by `core`) as one block,
/// and releases them to the writer once the channel is done with them.
pub fn send_block(core: usize, lane: &Lane, from: u64, to: u64) {
    let runs = lane.runs(from, to);
    let len = (runs[0].len() + runs[1].len()) as u32;
    send_record(&Record::Block(Block {
        core: core as u16,
        len,
    }));
    for run in runs {
        send(run);
    }
    lane.release_to(to);
}
