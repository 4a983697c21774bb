//! The virtio console on PCI (VIRTIO 1.2 §4.1 "Virtio Over PCI Bus", §5.3
//! "Console Device"), transmit only: the driver lends the device buffers
//! (chains of them) on one port's transmit queue and takes them back from
//! the used ring. With the multiport feature that is port 1 (a QEMU
//! `virtserialport`, which holds the guest back when the host reads slowly
//! instead of dropping), else port 0. It knows nothing of what is sent.
//!
//! Roles are the spec's: the kernel is the driver (it writes the descriptor
//! table and the available ring), QEMU the device (it writes the used ring).
//! The split-ring structures are the `bus` crate's (`bus::spec`).

use alloc::alloc::{Layout, alloc_zeroed};
use core::ptr::{read_volatile, write_volatile};
use core::sync::atomic::{AtomicU16, Ordering, fence};

use arrayvec::ArrayVec;
use bus::spec::{
    VIRTQ_AVAIL_F_NO_INTERRUPT, VIRTQ_DESC_F_NEXT, VIRTQ_DESC_F_WRITE, VirtqDesc, VirtqUsedElem,
};

use crate::arch::pci::{PciAddress, read_u32, write_u32};
use crate::arch::{PhysAddr, paging};
use crate::pci::{self, Bar};

/// Red Hat's vendor id, which virtio devices use.
const VENDOR: u16 = 0x1af4;
/// The console: transitional (0x1003) and modern-only (0x1040 + 3).
const DEVICES: [u16; 2] = [0x1003, 0x1043];
/// Port 0's transmit queue (§5.3.2: receiveq 0, transmitq 1).
const PORT0_TRANSMIT: u16 = 1;
/// With multiport: the control receive and transmit queues, and port 1's
/// transmit queue (§5.3.2: port N > 0 uses queues 2N + 2 and 2N + 3).
const CONTROL_RECEIVE: u16 = 2;
const CONTROL_TRANSMIT: u16 = 3;
const PORT1_TRANSMIT: u16 = 5;
/// VIRTIO_CONSOLE_F_MULTIPORT (§5.3.3), feature word 0.
const FEATURE_MULTIPORT: u32 = 1 << 1;
/// Control events (§5.3.6.2).
mod event {
    pub const DEVICE_READY: u16 = 0;
    pub const DEVICE_ADD: u16 = 1;
    pub const PORT_READY: u16 = 3;
    pub const PORT_OPEN: u16 = 6;
}
/// The port the trace uses with multiport (`virtserialport,nr=1`).
const TRACE_PORT: u32 = 1;
/// How long start-up waits for the device's answers.
const CONTROL_TIMEOUT_US: u64 = 1_000_000;
/// Most entries used per queue (the device may offer more).
pub const MAX_QUEUE: u16 = 256;

/// Device status bits (§2.1).
mod status {
    pub const ACKNOWLEDGE: u8 = 1;
    pub const DRIVER: u8 = 2;
    pub const DRIVER_OK: u8 = 4;
    pub const FEATURES_OK: u8 = 8;
}
/// VIRTIO_F_VERSION_1 (§6): bit 32, i.e. bit 0 of feature word 1.
const FEATURE_VERSION_1_WORD1: u32 = 1;

/// Offsets in the common configuration structure (§4.1.4.3).
mod common {
    pub const DEVICE_FEATURE_SELECT: usize = 0x00;
    pub const DEVICE_FEATURE: usize = 0x04;
    pub const DRIVER_FEATURE_SELECT: usize = 0x08;
    pub const DRIVER_FEATURE: usize = 0x0C;
    pub const DEVICE_STATUS: usize = 0x14;
    pub const QUEUE_SELECT: usize = 0x16;
    pub const QUEUE_SIZE: usize = 0x18;
    pub const QUEUE_ENABLE: usize = 0x1C;
    pub const QUEUE_NOTIFY_OFF: usize = 0x1E;
    pub const QUEUE_DESC: usize = 0x20;
    pub const QUEUE_DRIVER: usize = 0x28;
    pub const QUEUE_DEVICE: usize = 0x30;
}

/// PCI capability types of virtio (§4.1.4).
const CAP_VENDOR: u8 = 0x09;
const CAP_COMMON: u8 = 1;
const CAP_NOTIFY: u8 = 2;

/// A found and running console.
pub struct VirtioConsole {
    /// Where it is on PCI.
    pub address: PciAddress,
    /// The common configuration window.
    common: *mut u8,
    /// Where the notify window starts, and its offset multiplier.
    notify_base: *mut u8,
    multiplier: u32,
    /// The trace port's transmit queue, its index and notify address.
    queue: TxQueue,
    queue_index: u16,
    notify: *mut u16,
    /// The port the trace goes to (0, or 1 with multiport).
    pub port: u32,
}

// SAFETY: the pointers are MMIO windows and queue memory owned by this
// value; whoever holds it (the trace drain, under a lock) is the one user.
unsafe impl Send for VirtioConsole {}

impl VirtioConsole {
    /// Finds the console, resets it and brings it up with one transmit
    /// queue. `Err` says why not.
    pub fn probe() -> Result<Self, &'static str> {
        let function = pci::functions()
            .iter()
            .find(|f| f.vendor == VENDOR && DEVICES.contains(&f.device))
            .ok_or("no virtio console on PCI")?;
        let address = function.address;
        // Memory space and bus mastering: the device reads our rings (DMA).
        let command = read_u32(address, 0x04) & 0xFFFF;
        write_u32(address, 0x04, command | 0b110);
        let common = capability(function, CAP_COMMON)?.0;
        let (notify_base, multiplier) = capability(function, CAP_NOTIFY)?;
        let mut console = VirtioConsole {
            address,
            common,
            notify_base,
            multiplier,
            queue: TxQueue::empty(),
            queue_index: PORT0_TRANSMIT,
            notify: core::ptr::null_mut(),
            port: 0,
        };
        console.start()?;
        pci::claim(address, "virtio console (trace)");
        Ok(console)
    }

    /// The initialisation sequence (§3.1.1), then, with multiport, the
    /// control handshake that opens port 1.
    fn start(&mut self) -> Result<(), &'static str> {
        self.write8(common::DEVICE_STATUS, 0);
        self.write8(common::DEVICE_STATUS, status::ACKNOWLEDGE | status::DRIVER);
        let multiport = self.negotiate()?;
        let features_ok = status::ACKNOWLEDGE | status::DRIVER | status::FEATURES_OK;
        let mut control = None;
        if multiport {
            control = Some((
                self.setup_queue(CONTROL_RECEIVE)?,
                self.setup_queue(CONTROL_TRANSMIT)?,
            ));
            (self.queue_index, self.port) = (PORT1_TRANSMIT, TRACE_PORT);
        }
        let (queue, notify) = self.setup_queue(self.queue_index)?;
        (self.queue, self.notify) = (queue, notify);
        self.write8(common::DEVICE_STATUS, features_ok | status::DRIVER_OK);
        match control {
            Some((receive, transmit)) => open_port(receive, transmit),
            None => Ok(()),
        }
    }

    /// Offers VIRTIO_F_VERSION_1, and multiport when the device has it;
    /// returns whether multiport was taken.
    fn negotiate(&mut self) -> Result<bool, &'static str> {
        self.write32(common::DEVICE_FEATURE_SELECT, 1);
        if self.read32(common::DEVICE_FEATURE) & FEATURE_VERSION_1_WORD1 == 0 {
            return Err("the virtio console does not offer VIRTIO_F_VERSION_1");
        }
        self.write32(common::DEVICE_FEATURE_SELECT, 0);
        let multiport = self.read32(common::DEVICE_FEATURE) & FEATURE_MULTIPORT != 0;
        self.write32(common::DRIVER_FEATURE_SELECT, 0);
        self.write32(
            common::DRIVER_FEATURE,
            if multiport { FEATURE_MULTIPORT } else { 0 },
        );
        self.write32(common::DRIVER_FEATURE_SELECT, 1);
        self.write32(common::DRIVER_FEATURE, FEATURE_VERSION_1_WORD1);
        let features_ok = status::ACKNOWLEDGE | status::DRIVER | status::FEATURES_OK;
        self.write8(common::DEVICE_STATUS, features_ok);
        if self.read8(common::DEVICE_STATUS) & status::FEATURES_OK == 0 {
            return Err("the virtio console refused our features");
        }
        Ok(multiport)
    }

    /// Gives queue `index` fresh rings and enables it; returns it and its
    /// notification address.
    fn setup_queue(&mut self, index: u16) -> Result<(TxQueue, *mut u16), &'static str> {
        self.write16(common::QUEUE_SELECT, index);
        let size = self.read16(common::QUEUE_SIZE).min(MAX_QUEUE);
        if size == 0 || !size.is_power_of_two() {
            return Err("the virtio console lacks a queue it needs");
        }
        let queue = TxQueue::new(size);
        self.write16(common::QUEUE_SIZE, size);
        self.write64(common::QUEUE_DESC, queue.desc as u64);
        self.write64(common::QUEUE_DRIVER, queue.avail as u64);
        self.write64(common::QUEUE_DEVICE, queue.used as u64);
        self.write16(common::QUEUE_ENABLE, 1);
        let offset = usize::from(self.read16(common::QUEUE_NOTIFY_OFF)) * self.multiplier as usize;
        // SAFETY: the notify window covers queue_notify_off * multiplier
        // (§4.1.4.4); we only ever write a u16 there.
        let notify = unsafe { self.notify_base.add(offset) }.cast::<u16>();
        Ok((queue, notify))
    }

    /// Lends the device `buffers` as one chain; returns its head descriptor,
    /// or None when too few descriptors are free. The device sees it after
    /// [`VirtioConsole::notify`].
    pub fn post(&mut self, buffers: &[&[u8]]) -> Option<u16> {
        self.queue.post(buffers)
    }

    /// Tells the device that chains were posted.
    pub fn notify(&mut self) {
        // The avail index is stored before the device is told (§2.7.13).
        fence(Ordering::SeqCst);
        // SAFETY: `notify` is the queue's notification address in the
        // device's MMIO window (setup_queue).
        unsafe { write_volatile(self.notify, self.queue_index) };
    }

    /// The head of the next chain the device has finished with, its
    /// descriptors free again.
    pub fn take_used(&mut self) -> Option<u16> {
        self.queue.take_used()
    }

    /// Descriptors free for new chains.
    pub fn free_descriptors(&self) -> usize {
        self.queue.free.len()
    }

    fn read8(&self, offset: usize) -> u8 {
        // SAFETY: offset is in the common configuration window (§4.1.4.3).
        unsafe { read_volatile(self.common.add(offset)) }
    }
    fn read16(&self, offset: usize) -> u16 {
        // SAFETY: as read8; the field is 16 bits, naturally aligned.
        unsafe { read_volatile(self.common.add(offset).cast()) }
    }
    fn read32(&self, offset: usize) -> u32 {
        // SAFETY: as read8; the field is 32 bits, naturally aligned.
        unsafe { read_volatile(self.common.add(offset).cast()) }
    }
    fn write8(&self, offset: usize, value: u8) {
        // SAFETY: as read8.
        unsafe { write_volatile(self.common.add(offset), value) }
    }
    fn write16(&self, offset: usize, value: u16) {
        // SAFETY: as read16.
        unsafe { write_volatile(self.common.add(offset).cast(), value) }
    }
    fn write32(&self, offset: usize, value: u32) {
        // SAFETY: as read32.
        unsafe { write_volatile(self.common.add(offset).cast(), value) }
    }
    fn write64(&self, offset: usize, value: u64) {
        // 64-bit fields are written as two 32-bit halves, low first (§4.1.3.1).
        self.write32(offset, value as u32);
        self.write32(offset + 4, (value >> 32) as u32);
    }
}

/// The multiport handshake (§5.3.6.2): DEVICE_READY; the device adds its
/// ports; the trace port is answered PORT_READY, then opened (PORT_OPEN).
fn open_port(
    receive: (TxQueue, *mut u16),
    transmit: (TxQueue, *mut u16),
) -> Result<(), &'static str> {
    let (mut receive, receive_notify) = receive;
    let (mut transmit, transmit_notify) = transmit;
    let inbox: &'static mut [[u8; 64]; 8] =
        alloc::boxed::Box::leak(alloc::boxed::Box::new([[0; 64]; 8]));
    let mut posted: ArrayVec<(u16, usize), 8> = ArrayVec::new();
    for (i, buffer) in inbox.iter_mut().enumerate() {
        let head = receive
            .post_writable(buffer)
            .ok_or("no room in the control queue")?;
        posted.push((head, i));
    }
    kick(receive_notify, CONTROL_RECEIVE);
    let mut send = |event: u16, id: u32| -> Result<(), &'static str> {
        let message = control_message(id, event, 1);
        transmit
            .post(&[&message])
            .ok_or("no room in the control queue")?;
        kick(transmit_notify, CONTROL_TRANSMIT);
        let sent = crate::time::wait_until(CONTROL_TIMEOUT_US, || transmit.peek_used());
        let _ = transmit.take_used();
        if sent {
            Ok(())
        } else {
            Err("the virtio console did not take a control message")
        }
    };
    send(event::DEVICE_READY, 0)?;
    let deadline = crate::time::now() + crate::time::tsc_hz() / 1_000_000 * CONTROL_TIMEOUT_US;
    while crate::time::now() < deadline {
        let Some(head) = receive.take_used() else {
            continue;
        };
        let Some(&(_, buffer)) = posted.iter().find(|(h, _)| *h == head) else {
            continue;
        };
        let (id, what) = read_control(&inbox[buffer]);
        if what == event::DEVICE_ADD && id == TRACE_PORT {
            send(event::PORT_READY, TRACE_PORT)?;
            return send(event::PORT_OPEN, TRACE_PORT);
        }
    }
    Err("the virtio console has no port 1 (QEMU: -device virtserialport,nr=1)")
}

/// Tells the device about queue `index` after posting to it.
fn kick(notify: *mut u16, index: u16) {
    fence(Ordering::SeqCst);
    // SAFETY: `notify` is queue `index`'s notification address (setup_queue).
    unsafe { write_volatile(notify, index) };
}

/// A control message: le32 id, le16 event, le16 value.
fn control_message(id: u32, event: u16, value: u16) -> [u8; 8] {
    let mut message = [0; 8];
    message[..4].copy_from_slice(&id.to_le_bytes());
    message[4..6].copy_from_slice(&event.to_le_bytes());
    message[6..].copy_from_slice(&value.to_le_bytes());
    message
}

/// The id and event of a control message from the device.
fn read_control(buffer: &[u8; 64]) -> (u32, u16) {
    // SAFETY: the device wrote the buffer before returning it on the used
    // ring (Acquire in take_used); read it as the device left it.
    let bytes: [u8; 8] = unsafe { read_volatile(buffer.as_ptr().cast()) };
    (
        u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
        u16::from_le_bytes([bytes[4], bytes[5]]),
    )
}

/// Finds the virtio capability of `kind` and maps its window: its address
/// and, for the notify capability, the offset multiplier.
fn capability(function: &pci::Function, kind: u8) -> Result<(*mut u8, u32), &'static str> {
    let address = function.address;
    let mut at = (read_u32(address, 0x34) & 0xFC) as u8;
    while at != 0 {
        let header = read_u32(address, at);
        let (vendor, next, cfg_type) = (header as u8, (header >> 8) as u8, (header >> 24) as u8);
        if vendor == CAP_VENDOR && cfg_type == kind {
            let bar = (read_u32(address, at + 4) & 0xFF) as usize;
            let offset = u64::from(read_u32(address, at + 8));
            let length = u64::from(read_u32(address, at + 12));
            let multiplier = if kind == CAP_NOTIFY {
                read_u32(address, at + 16)
            } else {
                0
            };
            let Some(Some(Bar::Memory { base, .. })) = function.bars.get(bar) else {
                return Err("a virtio capability names a BAR that is not a memory window");
            };
            if *base == 0 {
                return Err("the firmware left the virtio console's BAR unassigned");
            }
            let window = paging::map_device(PhysAddr::new(base + offset), length)?;
            return Ok((window.as_mut_ptr(), multiplier));
        }
        at = next & 0xFC;
    }
    Err("the virtio console has no modern (virtio 1.0) capabilities")
}

/// A split virtqueue on the driver's side, for buffers the device reads.
struct TxQueue {
    size: u16,
    /// Descriptor table (§2.7.5): written by us only.
    desc: *mut VirtqDesc,
    /// Available ring (flags, idx, ring[size]): written by us only.
    avail: *mut u16,
    /// Used ring (flags, idx, ring[size]): written by the device only.
    used: *mut u16,
    /// Descriptors not lent to the device.
    free: ArrayVec<u16, { MAX_QUEUE as usize }>,
    /// Our next available-ring position (free-running).
    next_avail: u16,
    /// The next used-ring position we have not looked at (free-running).
    next_used: u16,
}

impl TxQueue {
    const fn empty() -> Self {
        TxQueue {
            size: 0,
            desc: core::ptr::null_mut(),
            avail: core::ptr::null_mut(),
            used: core::ptr::null_mut(),
            free: ArrayVec::new_const(),
            next_avail: 0,
            next_used: 0,
        }
    }

    /// A queue of `size` entries in fresh zeroed memory (page-aligned;
    /// heap memory is identity-mapped, so addresses are physical).
    fn new(size: u16) -> Self {
        let page = |bytes: usize| {
            let layout = Layout::from_size_align(bytes.max(1), 4096).expect("valid layout");
            // SAFETY: the layout has a non-zero size.
            let memory = unsafe { alloc_zeroed(layout) };
            assert!(!memory.is_null(), "no memory for the virtio queue");
            memory
        };
        let n = usize::from(size);
        let queue = TxQueue {
            size,
            desc: page(16 * n).cast(),
            avail: page(bus::spec::avail_ring_bytes(size)).cast(),
            used: page(bus::spec::used_ring_bytes(size)).cast(),
            free: (0..size).collect(),
            next_avail: 0,
            next_used: 0,
        };
        // No interrupts: the drain polls the used ring (§2.7.7).
        // SAFETY: offset 0 of the avail ring is its flags.
        unsafe { write_volatile(queue.avail, VIRTQ_AVAIL_F_NO_INTERRUPT) };
        queue
    }

    fn post(&mut self, buffers: &[&[u8]]) -> Option<u16> {
        self.post_chain(buffers, 0)
    }

    /// Lends one buffer the device writes into (a control message inbox).
    fn post_writable(&mut self, buffer: &mut [u8]) -> Option<u16> {
        self.post_chain(&[buffer], VIRTQ_DESC_F_WRITE)
    }

    /// Whether the device has returned a chain not yet taken.
    fn peek_used(&self) -> bool {
        // SAFETY: offset 1 (u16) of the used ring is its idx; Acquire as in take_used.
        unsafe { AtomicU16::from_ptr(self.used.add(1)) }.load(Ordering::Acquire) != self.next_used
    }

    fn post_chain(&mut self, buffers: &[&[u8]], flags: u16) -> Option<u16> {
        let buffers: ArrayVec<&&[u8], 4> = buffers.iter().filter(|b| !b.is_empty()).collect();
        if buffers.is_empty() || self.free.len() < buffers.len() {
            return None;
        }
        let ids: ArrayVec<u16, 4> = (0..buffers.len())
            .map(|_| self.free.pop().expect("checked"))
            .collect();
        for (i, (buffer, &id)) in buffers.iter().zip(&ids).enumerate() {
            let next = ids.get(i + 1).copied();
            let entry = VirtqDesc {
                addr: buffer.as_ptr() as u64,
                len: buffer.len() as u32,
                flags: flags | if next.is_some() { VIRTQ_DESC_F_NEXT } else { 0 },
                next: next.unwrap_or(0),
            };
            // SAFETY: id < size; the descriptor is free (ours) until the
            // avail index below lends it.
            unsafe { write_volatile(self.desc.add(usize::from(id)), entry) };
        }
        let slot = usize::from(self.next_avail % self.size);
        // SAFETY: ring[slot] is at u16 offset 2 + slot of the avail ring.
        unsafe { write_volatile(self.avail.add(2 + slot), ids[0]) };
        self.next_avail = self.next_avail.wrapping_add(1);
        // Release pairs with the device's read of avail.idx: the
        // descriptors and ring entry above are visible before it.
        // SAFETY: offset 1 (u16) of the avail ring is its idx, which only
        // we write; AtomicU16 has u16's layout.
        unsafe { AtomicU16::from_ptr(self.avail.add(1)) }.store(self.next_avail, Ordering::Release);
        Some(ids[0])
    }

    fn take_used(&mut self) -> Option<u16> {
        // Acquire pairs with the device's publication of used.idx: the used
        // entry before it is written.
        // SAFETY: offset 1 (u16) of the used ring is its idx.
        let idx = unsafe { AtomicU16::from_ptr(self.used.add(1)) }.load(Ordering::Acquire);
        if idx == self.next_used {
            return None;
        }
        let slot = usize::from(self.next_used % self.size);
        // SAFETY: ring[slot] is 8 bytes at byte offset 4 + 8 * slot.
        let elem: VirtqUsedElem =
            unsafe { read_volatile(self.used.cast::<u8>().add(4 + 8 * slot).cast()) };
        self.next_used = self.next_used.wrapping_add(1);
        let head = elem.id as u16 % self.size;
        let mut id = head;
        for _ in 0..self.size {
            // SAFETY: id < size, a descriptor of a chain we posted.
            let entry = unsafe { read_volatile(self.desc.add(usize::from(id))) };
            let _ = self.free.try_push(id);
            if entry.flags & VIRTQ_DESC_F_NEXT == 0 {
                break;
            }
            id = entry.next % self.size;
        }
        Some(head)
    }
}
