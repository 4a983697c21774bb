//! Every way a bus call can fail, each with a `Display` the kernel can print.
//! A failure always says what happened to the message: kept, sent in part, or lost.

use core::fmt;

/// Why [`Bus::new`](crate::Bus::new) refused a configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// The queue size is not a power of two between 1 and 32768.
    QueueSize(u16),
    /// The buffer size is not a multiple of 64 between 64 bytes and 1 MiB.
    BufSize(u32),
    /// The core count is 0 or above [`Config::MAX_CORES`](crate::Config::MAX_CORES).
    Cores(usize),
}

/// Why [`Bus::endpoint`](crate::Bus::endpoint) refused to hand out an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndpointError {
    /// There is no such core on this bus.
    NoSuchCore {
        /// The core asked for.
        core: usize,
        /// How many cores the bus has.
        cores: usize,
    },
    /// The core's endpoint is already taken (and not yet dropped).
    InUse {
        /// The core asked for.
        core: usize,
    },
}

/// Why a send failed. Unless the variant says otherwise, nothing was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendError {
    /// The destination is this core itself or not a core of the bus.
    BadDestination {
        /// The destination asked for.
        dst: usize,
    },
    /// The message is longer than [`MAX_MESSAGE`](crate::MAX_MESSAGE).
    TooLarge {
        /// Length of the message.
        len: usize,
        /// The largest length allowed.
        max: usize,
    },
    /// `try_send` only: the receiver has not posted enough empty buffers for
    /// the whole message right now. Retry later.
    Full {
        /// Buffers the message needs.
        needed: usize,
        /// Buffers posted and free right now.
        room: usize,
    },
    /// `try_send` only: the message needs more buffers than the queue has, so
    /// it can never be sent at once; it must stream with a blocking send.
    NeedsStreaming {
        /// Buffers the message needs.
        fragments: usize,
        /// Buffers in the queue.
        queue_size: u16,
    },
    /// The [`Spin`](crate::Spin) policy aborted a blocking send. If `sent` is
    /// not 0, the first `sent` bytes were published: the receiver will get
    /// [`RecvError::Truncated`] for that message once the next one arrives.
    Aborted {
        /// Bytes already published to the receiver.
        sent: usize,
    },
    /// The available ring is inconsistent: `avail.idx` more than a queue's
    /// worth ahead, or an entry naming a descriptor outside the table. Only a
    /// broken receiver can do that; the sender stopped before touching memory.
    CorruptAvail,
}

/// What was wrong with a used entry or fragment the receiver was given
/// (the checks Linux makes of an untrusted device, plus ringlab's header).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// used.idx is more than a queue's worth ahead of the receiver.
    UsedIdxAhead {
        /// How far ahead (`used.idx - last_used`).
        ahead: u16,
    },
    /// The used entry's id is not a descriptor of the table.
    IdOutOfRange {
        /// The id found.
        id: u32,
    },
    /// The used entry's id is not the buffer the receiver posted at that
    /// position (buffers come back in order, VIRTIO 1.2 §2.7.9).
    IdNotPosted {
        /// The id found.
        id: u32,
        /// The id the receiver posted there.
        posted: u16,
    },
    /// The used length is shorter than a fragment header or longer than the buffer.
    LenOutOfRange {
        /// The length found.
        len: u32,
    },
    /// The fragment header claims a message longer than the maximum.
    TotalTooLarge {
        /// The total length claimed.
        total: u32,
    },
    /// The fragment header's offset is past its message's end.
    OffsetPastEnd {
        /// The offset claimed.
        offset: u32,
        /// The total length claimed.
        total: u32,
    },
    /// The used length disagrees with what the header says this fragment holds.
    LenMismatch {
        /// The length found.
        len: u32,
        /// The length the header implies.
        expected: u32,
    },
    /// A fragment that continues a message, with no start before it.
    OrphanFragment {
        /// The offset claimed.
        offset: u32,
    },
    /// A continuation fragment announcing a different total than its message.
    TotalChanged {
        /// The total length claimed.
        total: u32,
        /// The total of the message being received.
        expected: u32,
    },
    /// A fragment of the message being received, but not the next one.
    OutOfSequence {
        /// The offset claimed.
        offset: u32,
        /// The offset the receiver expected.
        expected: u32,
    },
}

/// Why a receive failed. Unless the variant says otherwise, nothing was
/// consumed and the next message (if any) is still queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecvError {
    /// The source is this core itself or not a core of the bus.
    BadSource {
        /// The source asked for.
        src: usize,
    },
    /// `try_*` only: no complete message is queued yet.
    Empty,
    /// The caller's buffer is shorter than the message. The message is kept:
    /// receive it again with at least `needed` bytes.
    TooSmall {
        /// The queue holding the message.
        src: usize,
        /// The message length.
        needed: usize,
    },
    /// `try_*` only: the message needs more buffers than the queue has, so it
    /// can only arrive by streaming; receive it with a blocking call. Kept.
    NeedsStreaming {
        /// The queue holding the message.
        src: usize,
        /// Buffers the message needs.
        fragments: usize,
    },
    /// The [`Spin`](crate::Spin) policy aborted a blocking receive. With
    /// `lost_from: Some(src)`, a message from `src` had begun to arrive: it is
    /// lost (its remaining fragments are discarded when they come).
    Aborted {
        /// The source whose message was cut short, if any.
        lost_from: Option<usize>,
    },
    /// The sender gave up on this message (its send was aborted) after
    /// `received` of `expected` bytes; the caller's buffer holds those bytes.
    /// The next message is kept.
    Truncated {
        /// The queue the message came from.
        src: usize,
        /// Bytes received into the caller's buffer.
        received: usize,
        /// The message's announced length.
        expected: usize,
    },
    /// A used entry failed the receiver's checks. The entry was skipped and
    /// counted (snapshot `corrupt=`); a message it belonged to is lost.
    Corrupt {
        /// The queue with the bad entry.
        src: usize,
        /// What was wrong.
        fault: Fault,
    },
}

/// Why [`Bus::corrupt_used`](crate::Bus::corrupt_used) did nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CorruptError {
    /// There is no queue from `src` to `dst`.
    NoSuchQueue {
        /// The source asked for.
        src: usize,
        /// The destination asked for.
        dst: usize,
    },
    /// The used ring holds no unread entry to corrupt.
    NothingToCorrupt,
    /// This corruption cannot be made on this queue (a one-entry queue has no
    /// other posted id to swap in).
    NotPossible,
    /// The entry already holds the damaged value (corrupted before), so
    /// writing it again would change nothing.
    AlreadyDamaged,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::QueueSize(q) => write!(f, "queue size {q} is not a power of two in 1..=32768"),
            Self::BufSize(b) => {
                write!(f, "buffer size {b} is not a multiple of 64 in 64..=1048576")
            }
            Self::Cores(n) => write!(f, "core count {n} is not in 1..=256"),
        }
    }
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoSuchCore { core, cores } => write!(f, "no core {core} (bus has {cores})"),
            Self::InUse { core } => write!(f, "endpoint of core {core} is already taken"),
        }
    }
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadDestination { dst } => write!(f, "bad destination core {dst}"),
            Self::TooLarge { len, max } => {
                write!(f, "message of {len} bytes exceeds the {max}-byte maximum")
            }
            Self::Full { needed, room } => write!(
                f,
                "ring full: message needs {needed} buffers, {room} posted"
            ),
            Self::NeedsStreaming {
                fragments,
                queue_size,
            } => {
                write!(
                    f,
                    "message needs {fragments} buffers, queue has {queue_size}: use a blocking send"
                )
            }
            Self::Aborted { sent } => write!(f, "send aborted after {sent} bytes"),
            Self::CorruptAvail => write!(f, "available ring is corrupt"),
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UsedIdxAhead { ahead } => write!(f, "used.idx is {ahead} entries ahead"),
            Self::IdOutOfRange { id } => write!(f, "used id {id} out of range"),
            Self::IdNotPosted { id, posted } => {
                write!(f, "used id {id} was not posted there ({posted} was)")
            }
            Self::LenOutOfRange { len } => write!(f, "used len {len} out of range"),
            Self::TotalTooLarge { total } => write!(f, "header total {total} exceeds the maximum"),
            Self::OffsetPastEnd { offset, total } => {
                write!(f, "header offset {offset} past total {total}")
            }
            Self::LenMismatch { len, expected } => {
                write!(f, "used len {len}, header implies {expected}")
            }
            Self::OrphanFragment { offset } => {
                write!(f, "fragment at offset {offset} with no start")
            }
            Self::TotalChanged { total, expected } => {
                write!(f, "fragment claims total {total}, message has {expected}")
            }
            Self::OutOfSequence { offset, expected } => {
                write!(f, "fragment at offset {offset}, expected {expected}")
            }
        }
    }
}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadSource { src } => write!(f, "bad source core {src}"),
            Self::Empty => write!(f, "no complete message queued"),
            Self::TooSmall { src, needed } => {
                write!(f, "message from core {src} needs {needed} bytes (kept)")
            }
            Self::NeedsStreaming { src, fragments } => {
                write!(
                    f,
                    "message from core {src} streams over {fragments} buffers: use a blocking recv"
                )
            }
            Self::Aborted { lost_from: None } => write!(f, "receive aborted"),
            Self::Aborted {
                lost_from: Some(src),
            } => write!(f, "receive aborted, message from core {src} lost"),
            Self::Truncated {
                src,
                received,
                expected,
            } => {
                write!(
                    f,
                    "core {src} abandoned its message after {received} of {expected} bytes"
                )
            }
            Self::Corrupt { src, fault } => write!(f, "corrupt queue from core {src}: {fault}"),
        }
    }
}

impl fmt::Display for CorruptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoSuchQueue { src, dst } => write!(f, "no queue {src}->{dst}"),
            Self::NothingToCorrupt => write!(f, "no unread used entry to corrupt"),
            Self::NotPossible => write!(f, "that corruption is not possible on this queue"),
            Self::AlreadyDamaged => {
                write!(
                    f,
                    "the oldest unread entry already holds that damage; nothing changed"
                )
            }
        }
    }
}

impl core::error::Error for ConfigError {}
impl core::error::Error for EndpointError {}
impl core::error::Error for SendError {}
impl core::error::Error for Fault {}
impl core::error::Error for RecvError {}
impl core::error::Error for CorruptError {}
