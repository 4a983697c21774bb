//! The split-virtqueue structures and flags of the VIRTIO 1.2 specification,
//! section 2.7 "Split Virtqueues", as plain `repr(C)` data. The live rings are
//! atomics with this same byte layout (src/ring.rs); snapshots use these types.
//!
//! Roles on a ringlab queue (src → dst): the receiver (dst) is the spec's
//! *driver*: it owns the descriptor table and the available ring. The sender
//! (src) is the *device*: it takes buffers from the available ring and returns
//! them, filled, on the used ring. Each part has exactly one writer (§2.7:
//! "each part is write-able by either the driver or the device, but not both").
//!
//! ringlab negotiates, in effect, VIRTIO_F_IN_ORDER (§2.7.9): the sender uses
//! buffers in the order they were made available. The receiver relies on this
//! to know which buffer a used entry covers without trusting the entry.

/// One entry of the descriptor table (§2.7.5 "The Virtqueue Descriptor
/// Table"): a buffer the driver lends to the device.
///
/// Written once by the receiver when the bus is created, read-only after.
#[repr(C, align(16))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VirtqDesc {
    /// Address of the buffer. The spec says guest-physical; ringlab's cores
    /// share one address space, so this is the address every core uses.
    pub addr: u64,
    /// Length of the buffer in bytes.
    pub len: u32,
    /// [`VIRTQ_DESC_F_NEXT`], [`VIRTQ_DESC_F_WRITE`], [`VIRTQ_DESC_F_INDIRECT`].
    pub flags: u16,
    /// Next descriptor of a chain, meaningful only with [`VIRTQ_DESC_F_NEXT`].
    pub next: u16,
}

/// One entry of the used ring (§2.7.8 "The Virtqueue Used Ring"): the device
/// hands a buffer back, saying how many bytes it wrote.
///
/// Written by the sender, read (and checked) by the receiver.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VirtqUsedElem {
    /// Index of the head descriptor of the buffer being returned. `le32`
    /// "for padding reasons" (§2.7.8), though it only ever holds a `u16`.
    pub id: u32,
    /// Total bytes written into the buffer (ringlab: fragment header + payload).
    pub len: u32,
}

/// Descriptor flag: the buffer continues in the descriptor named by `next`.
/// ringlab never chains (one fragment per buffer), so it is never set.
pub const VIRTQ_DESC_F_NEXT: u16 = 1;
/// Descriptor flag: the buffer is device write-only. Set on every ringlab
/// buffer: the sender (device) writes it, the receiver (driver) reads it.
pub const VIRTQ_DESC_F_WRITE: u16 = 2;
/// Descriptor flag: the buffer holds a table of indirect descriptors. Unused.
pub const VIRTQ_DESC_F_INDIRECT: u16 = 4;

/// Available-ring flag (§2.7.7): the driver needs no used-buffer notification.
/// Set on every ringlab queue: the receiver polls the used ring.
pub const VIRTQ_AVAIL_F_NO_INTERRUPT: u16 = 1;
/// Used-ring flag (§2.7.10): the device needs no available-buffer notification.
/// Set on every ringlab queue: the sender polls the available ring.
pub const VIRTQ_USED_F_NO_NOTIFY: u16 = 1;

/// The largest queue size the spec allows (§2.7): 2^15, so that a 16-bit free
/// running index can always tell a full ring from an empty one.
pub const MAX_QUEUE_SIZE: u16 = 32768;

/// Alignment the spec requires of the descriptor table (§2.7, table).
pub const DESC_TABLE_ALIGN: usize = 16;
/// Alignment the spec requires of the available ring (§2.7, table).
pub const AVAIL_RING_ALIGN: usize = 2;
/// Alignment the spec requires of the used ring (§2.7, table).
pub const USED_RING_ALIGN: usize = 4;

/// Bytes of the available ring for `size` entries: flags, idx, `ring[size]`,
/// used_event (§2.7, table: 6 + 2 × size).
pub const fn avail_ring_bytes(size: u16) -> usize {
    6 + 2 * size as usize
}

/// Bytes of the used ring for `size` entries: flags, idx, `ring[size]`,
/// avail_event (§2.7, table: 6 + 8 × size).
pub const fn used_ring_bytes(size: u16) -> usize {
    6 + 8 * size as usize
}
