//! Bus events as the viewer reads them: the contract's names and fields
//! (trace_wire::contract, docs/tracing.md) turned into typed operations on
//! one queue. An event missing a field its operation needs is not a bus op.

use trace_wire::contract::{bus, field};

use crate::catalog::View;

/// One queue: messages from core `src` to core `dst`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QueueId {
    /// Sending core.
    pub src: u16,
    /// Receiving core.
    pub dst: u16,
}

impl std::fmt::Display for QueueId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}->{}", self.src, self.dst)
    }
}

/// A whole message, as `bus.send` and `bus.recv` describe it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Message {
    /// Bytes.
    pub len: u64,
    /// Fragments (buffers) it took; 1 when not given.
    pub frags: u16,
    /// Descriptor of its first fragment.
    pub desc: Option<u16>,
    /// Used-ring position of its first fragment: the matching key.
    pub used_idx: Option<u16>,
    /// The sender's per-queue message number.
    pub seq: Option<u64>,
}

/// What happened on the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BusOp {
    /// The queue was built with `size` entries of `buf_size` bytes.
    Init {
        /// Entries per ring.
        size: u16,
        /// Bytes per buffer, when announced.
        buf_size: Option<u64>,
    },
    /// The receiver posted a buffer at avail position `avail_idx`.
    Post {
        /// The buffer.
        desc: Option<u16>,
        /// Its avail-ring position.
        avail_idx: u16,
    },
    /// The sender filled a buffer into used position `used_idx`.
    Fill {
        /// The buffer.
        desc: Option<u16>,
        /// Bytes put in it.
        len: u64,
        /// Its used-ring position.
        used_idx: u16,
    },
    /// The sender published: `used.idx` is now `used_idx`.
    Publish {
        /// The new used.idx.
        used_idx: u16,
    },
    /// The receiver took the used entry at `used_idx`.
    Consume {
        /// The buffer.
        desc: Option<u16>,
        /// Its used-ring position.
        used_idx: u16,
    },
    /// The sender found the ring full.
    Stall,
    /// A message went out.
    Send(Message),
    /// A message was delivered.
    Recv(Message),
}

/// A bus operation on a queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BusEvent {
    /// The queue.
    pub queue: QueueId,
    /// The operation.
    pub op: BusOp,
}

/// A `Queue` record (the kernel's announcement of a queue's geometry) as
/// the same operation as a `bus.init` event.
pub fn announced(q: &trace_wire::Queue) -> BusEvent {
    BusEvent {
        queue: QueueId {
            src: q.src,
            dst: q.dst,
        },
        op: BusOp::Init {
            size: q.size,
            buf_size: Some(u64::from(q.buf_size)),
        },
    }
}

/// Reads `view` as a bus event, if its name is one and its fields suffice.
pub fn parse(view: &View<'_>) -> Option<BusEvent> {
    let name = view.name();
    if !name.starts_with("bus.") {
        return None;
    }
    let queue = QueueId {
        src: u16_of(view, field::SRC)?,
        dst: u16_of(view, field::DST)?,
    };
    let op = match name.as_ref() {
        bus::INIT => BusOp::Init {
            size: u16_of(view, field::SIZE)?,
            buf_size: view.u64(field::BUF_SIZE),
        },
        bus::POST => BusOp::Post {
            desc: u16_of(view, field::DESC),
            avail_idx: u16_of(view, field::AVAIL_IDX)?,
        },
        bus::FILL => fill(view)?,
        bus::PUBLISH => BusOp::Publish {
            used_idx: u16_of(view, field::USED_IDX)?,
        },
        bus::CONSUME => BusOp::Consume {
            desc: u16_of(view, field::DESC),
            used_idx: u16_of(view, field::USED_IDX)?,
        },
        bus::STALL => BusOp::Stall,
        bus::SEND => BusOp::Send(message(view)),
        bus::RECV => BusOp::Recv(message(view)),
        _ => return None,
    };
    Some(BusEvent { queue, op })
}

/// A `bus.fill`.
fn fill(view: &View<'_>) -> Option<BusOp> {
    Some(BusOp::Fill {
        desc: u16_of(view, field::DESC),
        len: view.u64(field::LEN).unwrap_or(0),
        used_idx: u16_of(view, field::USED_IDX)?,
    })
}

/// The message fields of a `bus.send` or `bus.recv`.
fn message(view: &View<'_>) -> Message {
    Message {
        len: view.u64(field::LEN).unwrap_or(0),
        frags: u16_of(view, field::FRAGS).unwrap_or(1).max(1),
        desc: u16_of(view, field::DESC),
        used_idx: u16_of(view, field::USED_IDX),
        seq: view.u64(field::SEQ),
    }
}

/// Field `name` as a u16. Ring positions are free-running 16-bit counters,
/// so a wider value is taken modulo 2^16 on purpose.
fn u16_of(view: &View<'_>, name: &str) -> Option<u16> {
    view.u64(name).map(|v| v as u16)
}
