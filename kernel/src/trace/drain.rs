//! Moving trace records to COM2, on the shell core: first the stream header
//! and the description of every callsite not yet announced, then each core's
//! buffer. Header and callsites are sent again every second, because QEMU
//! throws COM2 output away while no viewer is connected.

use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use trace_wire::{Header, MAX_FRAME, Record, encode_frame};

use super::buffers::BUFFERS;
use super::callsites;
use crate::arch::serial::{COM2, Uart};
use crate::{cores, time};

static UART: Uart = Uart::new(COM2);
/// Callsites described on the wire so far (since the last re-announcement).
static ANNOUNCED: AtomicUsize = AtomicUsize::new(0);
/// TSC of the last full announcement (0 = never).
static LAST_ANNOUNCE: AtomicU64 = AtomicU64::new(0);
/// Bytes written to COM2.
pub static SENT: AtomicU64 = AtomicU64::new(0);

const ANNOUNCE_EVERY_MS: u64 = 1000;

/// Programs COM2. Returns false when there is no second serial port.
pub fn init() -> bool {
    let present = UART.init(|_| {});
    if present {
        send(&[0]); // ends whatever a previous boot left half-written
    }
    present
}

fn send(bytes: &[u8]) {
    UART.write_all(bytes);
    SENT.fetch_add(bytes.len() as u64, Ordering::Relaxed);
}

fn send_record(record: &trace_wire::RecordRef<'_>) {
    let mut frame = [0u8; MAX_FRAME];
    if let Ok(frame) = encode_frame(record, &mut frame) {
        send(frame);
    }
}

/// Sends what is due: announcements, then every core's buffer. Only the
/// shell core calls this (it is every ring's one consumer).
pub fn drain() {
    announce_if_due();
    let mut chunk = [0u8; 1024];
    for buffer in BUFFERS.iter().take(cores::count()) {
        loop {
            let n = buffer.ring.pop_into(&mut chunk);
            if n == 0 {
                break;
            }
            send(&chunk[..n]);
        }
    }
}

fn announce_if_due() {
    let now = time::now();
    let every = time::tsc_hz() / 1000 * ANNOUNCE_EVERY_MS;
    let last = LAST_ANNOUNCE.load(Ordering::Relaxed);
    if last == 0 || now - last >= every {
        LAST_ANNOUNCE.store(now, Ordering::Relaxed);
        ANNOUNCED.store(0, Ordering::Relaxed);
        let header: trace_wire::RecordRef<'_> = Record::Header(Header::new(
            time::tsc_hz(),
            cores::count() as u16,
            concat!("ringlab ", env!("CARGO_PKG_VERSION")),
        ));
        send_record(&header);
    }
    let registered = callsites::count();
    for id in ANNOUNCED.load(Ordering::Relaxed)..registered {
        callsites::describe(id, send_record);
    }
    ANNOUNCED.store(registered, Ordering::Relaxed);
}
