//! Where the drain sends the stream: the virtio console when QEMU has one
//! (the default), else COM2, else nowhere. Frames are copied into staging
//! buffers; blocks of raw records are lent to the device where they lie in
//! the lane, and the lane's slots are released once the device is done.

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU8, AtomicU64, Ordering};

use spin::Mutex;
use trace_wire::{Block, MAX_FRAME, Record, encode_frame};

use super::lanes::Lane;
use crate::arch::serial::{COM2, Uart};
use crate::virtio_console::VirtioConsole;

static UART: Uart = Uart::new(COM2);

/// Which channel is in use (set once by `init`).
static KIND: AtomicU8 = AtomicU8::new(Kind::None as u8);
/// Bytes handed to the channel. Only the drain stores it.
static SENT: AtomicU64 = AtomicU64::new(0);
/// The virtio console and its buffers. Lock rule: only the shell core
/// (the drain) takes it.
static VIRTIO: Mutex<Option<Virtio>> = Mutex::new(None);

/// Bytes per staging buffer (frames are copied into these).
const STAGING_BYTES: usize = 4096;
/// Staging buffers.
const STAGING_BUFFERS: usize = 32;

/// The channels, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    /// Neither device is present.
    None = 0,
    /// The second 16550 serial port: one VM exit per byte under TCG.
    Com2 = 1,
    /// The virtio console on PCI.
    Virtio = 2,
}

impl Kind {
    /// How `trace status` names it.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::None => "no channel (QEMU has no virtio console and no COM2)",
            Kind::Com2 => "COM2 (no virtio console; slow fallback)",
            Kind::Virtio => "virtio console",
        }
    }
}

/// Finds the channel: the virtio console, else COM2. Returns which one,
/// and why there is no virtio console when there is none.
pub fn init() -> (Kind, Option<&'static str>) {
    let (kind, why) = match VirtioConsole::probe() {
        Ok(console) => {
            *VIRTIO.lock() = Some(Virtio::new(console));
            (Kind::Virtio, None)
        }
        Err(why) if UART.init(|_| {}) => (Kind::Com2, Some(why)),
        Err(why) => (Kind::None, Some(why)),
    };
    KIND.store(kind as u8, Ordering::Relaxed);
    send(&[0]); // ends whatever a previous boot left half-written
    flush();
    (kind, why)
}

/// The channel in use.
pub fn kind() -> Kind {
    match KIND.load(Ordering::Relaxed) {
        1 => Kind::Com2,
        2 => Kind::Virtio,
        _ => Kind::None,
    }
}

/// Where the virtio console is and the port the trace goes to, when it is
/// the channel.
pub fn virtio_address() -> Option<(crate::arch::pci::PciAddress, u32)> {
    VIRTIO
        .lock()
        .as_ref()
        .map(|virtio| (virtio.console.address, virtio.console.port))
}

/// Bytes sent so far.
pub fn bytes_sent() -> u64 {
    SENT.load(Ordering::Relaxed)
}

fn count_sent(bytes: usize) {
    SENT.store(
        SENT.load(Ordering::Relaxed) + bytes as u64,
        Ordering::Relaxed,
    );
}

/// Sends (or stages) `bytes`; false when they could not be taken now.
fn send(bytes: &[u8]) -> bool {
    match kind() {
        Kind::None => false,
        Kind::Com2 => {
            UART.write_all(bytes);
            count_sent(bytes.len());
            true
        }
        Kind::Virtio => VIRTIO
            .lock()
            .as_mut()
            .is_some_and(|virtio| virtio.stage(bytes)),
    }
}

/// Encodes and sends one record as a frame; false when the channel could
/// not take it now (the caller tries again at its next pass).
pub fn send_record(record: &trace_wire::RecordRef<'_>) -> bool {
    let mut frame = [0u8; MAX_FRAME];
    encode_frame(record, &mut frame).is_ok_and(send)
}

/// Sends positions `from..to` of `lane` (written by `core`) as one block;
/// the lane's slots are released once the channel is done with them.
/// Returns false (nothing sent) when the channel has no room now.
pub fn send_block(core: usize, lane: &'static Lane, from: u64, to: u64) -> bool {
    let runs = lane.ring.runs(from, to);
    let block: trace_wire::RecordRef<'_> = Record::Block(Block {
        core: core as u16,
        len: (runs[0].len() + runs[1].len()) as u32,
    });
    let mut buf = [0u8; 64];
    let Ok(frame) = encode_frame(&block, &mut buf) else {
        return false;
    };
    match kind() {
        Kind::None => false,
        Kind::Com2 => {
            for bytes in [frame, runs[0], runs[1]] {
                UART.write_all(bytes);
                count_sent(bytes.len());
            }
            lane.ring.release_to(to);
            true
        }
        Kind::Virtio => VIRTIO
            .lock()
            .as_mut()
            .is_some_and(|virtio| virtio.lend(frame, runs, lane, to)),
    }
}

/// Takes back what the device is done with (releasing lane slots), and
/// hands over frames still staged. The drain calls it at the end of each pass.
pub fn flush() {
    if let Some(virtio) = VIRTIO.lock().as_mut() {
        virtio.reclaim();
        virtio.post_staged();
        virtio.kick();
    }
}

/// Whether everything handed to the channel has been sent.
pub fn idle() -> bool {
    VIRTIO.lock().as_mut().is_none_or(|virtio| {
        virtio.reclaim();
        virtio.in_flight.is_empty() && virtio.staged == 0
    })
}

/// One chain lent to the device.
struct InFlight {
    /// Its head descriptor.
    head: u16,
    /// The staging buffer it carries, if any.
    staging: Option<usize>,
    /// The lane whose slots it carries, released up to this position.
    release: Option<(&'static Lane, u64)>,
    /// Whether the device has returned it.
    done: bool,
}

/// The virtio console with the drain's bookkeeping.
struct Virtio {
    console: VirtioConsole,
    /// Staging buffers; `free` lists those not lent.
    staging: Vec<[u8; STAGING_BYTES]>,
    free: Vec<usize>,
    /// The buffer frames are being copied into, and its fill.
    current: Option<usize>,
    staged: usize,
    /// Chains lent, oldest first.
    in_flight: VecDeque<InFlight>,
    /// Whether chains were posted since the last notification.
    posted: bool,
}

impl Virtio {
    fn new(console: VirtioConsole) -> Self {
        Virtio {
            console,
            staging: alloc::vec![[0; STAGING_BYTES]; STAGING_BUFFERS],
            free: (0..STAGING_BUFFERS).collect(),
            current: None,
            staged: 0,
            in_flight: VecDeque::with_capacity(usize::from(crate::virtio_console::MAX_QUEUE)),
            posted: false,
        }
    }

    /// Copies a frame into the current staging buffer (posting the full one
    /// first). False when no buffer came free even after waiting.
    fn stage(&mut self, bytes: &[u8]) -> bool {
        if self.staged + bytes.len() > STAGING_BYTES {
            self.post_staged();
        }
        if self.current.is_none() {
            self.current = self.take_staging();
            self.staged = 0;
        }
        let Some(current) = self.current else {
            return false;
        };
        self.staging[current][self.staged..self.staged + bytes.len()].copy_from_slice(bytes);
        self.staged += bytes.len();
        true
    }

    /// A free staging buffer, waiting a little for the device to return one.
    fn take_staging(&mut self) -> Option<usize> {
        if self.free.is_empty() {
            self.kick();
            let deadline = crate::time::now() + crate::time::tsc_hz() / 10;
            while self.free.is_empty() && crate::time::now() < deadline {
                self.reclaim();
            }
        }
        self.free.pop()
    }

    /// Lends the staged frames (ending with a block's frame) and the
    /// block's runs as one chain.
    fn lend(&mut self, frame: &[u8], runs: [&[u8]; 2], lane: &'static Lane, to: u64) -> bool {
        if self.console.free_descriptors() < 3 {
            self.reclaim();
            if self.console.free_descriptors() < 3 {
                return false;
            }
        }
        if !self.stage(frame) {
            return false;
        }
        let Some(current) = self.current.take() else {
            return false;
        };
        let staged = &self.staging[current][..self.staged];
        let head = self
            .console
            .post(&[staged, runs[0], runs[1]])
            .expect("3 descriptors are free");
        count_sent(self.staged + runs[0].len() + runs[1].len());
        self.staged = 0;
        self.in_flight.push_back(InFlight {
            head,
            staging: Some(current),
            release: Some((lane, to)),
            done: false,
        });
        self.posted = true;
        true
    }

    /// Lends the current staging buffer alone, if it holds frames.
    fn post_staged(&mut self) {
        let Some(current) = self.current.filter(|_| self.staged > 0) else {
            return;
        };
        let Some(head) = self.console.post(&[&self.staging[current][..self.staged]]) else {
            return; // stays staged; the next pass tries again
        };
        count_sent(self.staged);
        self.current = None;
        self.staged = 0;
        self.in_flight.push_back(InFlight {
            head,
            staging: Some(current),
            release: None,
            done: false,
        });
        self.posted = true;
    }

    fn kick(&mut self) {
        if core::mem::take(&mut self.posted) {
            self.console.notify();
        }
    }

    /// Marks returned chains done and, oldest first, gives their staging
    /// buffers and lane slots back.
    fn reclaim(&mut self) {
        while let Some(head) = self.console.take_used() {
            if let Some(chain) = self
                .in_flight
                .iter_mut()
                .find(|c| c.head == head && !c.done)
            {
                chain.done = true;
            }
        }
        while self.in_flight.front().is_some_and(|c| c.done) {
            let chain = self.in_flight.pop_front().expect("checked");
            if let Some(buffer) = chain.staging {
                self.free.push(buffer);
            }
            if let Some((lane, to)) = chain.release {
                lane.ring.release_to(to);
            }
        }
    }
}
