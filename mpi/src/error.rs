//! Every way an `mpi` call can fail, each with a `Display` the kernel prints.
//! Argument errors are found before any message is sent; see docs/mpi.md.

use core::fmt;

use crate::datatype::Type;
use crate::op::Op;
use crate::transport::TransportError;

/// Why an `mpi` call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// A destination or source rank is not in `0..size` of the communicator.
    InvalidRank {
        /// The rank given.
        rank: usize,
        /// The communicator's size.
        size: usize,
    },
    /// A collective's root is not in `0..size` of the communicator.
    InvalidRoot {
        /// The root given.
        root: usize,
        /// The communicator's size.
        size: usize,
    },
    /// A core id is not a member of the communicator (e.g. a demo's root core).
    NotInComm {
        /// The core given.
        core: usize,
    },
    /// A core id is not a core of the transport (`0..cores`).
    InvalidCore {
        /// The core given.
        core: usize,
        /// How many cores the transport has.
        cores: usize,
    },
    /// A core appears twice in a communicator's core list.
    DuplicateCore {
        /// The repeated core.
        core: usize,
    },
    /// A communicator's core list is empty.
    EmptyGroup,
    /// The context id is reserved (0 is the world's) or outside the range
    /// allowed for explicitly numbered communicators.
    InvalidContext {
        /// The context given.
        context: u16,
    },
    /// Every context id for agreed communicators ([`Mpi::create`],
    /// [`Mpi::comm_split`]) is used: this engine made `made` of them.
    ///
    /// [`Mpi::create`]: crate::Mpi::create
    /// [`Mpi::comm_split`]: crate::Mpi::comm_split
    ContextsExhausted {
        /// How many agreed context ids there are, all used.
        made: usize,
    },
    /// A user tag is above [`TAG_MAX`](crate::TAG_MAX).
    InvalidTag {
        /// The tag given.
        tag: u32,
    },
    /// Buffer lengths that must agree do not (a local check, or a message of
    /// another length than this rank expects).
    LengthMismatch {
        /// Elements (or bytes, for byte calls) expected.
        expected: usize,
        /// Elements (or bytes) given or received.
        got: usize,
    },
    /// The receive buffer is shorter than the matched message; the message
    /// stays queued, so a retry with a larger buffer gets it.
    BufferTooSmall {
        /// Elements (or bytes) the message holds.
        needed: usize,
        /// Elements (or bytes) the buffer holds.
        got: usize,
    },
    /// The operation is not defined for the datatype (bitwise ops on floats).
    OpNotDefined {
        /// The operation asked for.
        op: Op,
        /// The datatype asked for.
        ty: Type,
    },
    /// Another rank of this collective hit an error and marked the data it
    /// passed on as poisoned; the cause is reported on that rank.
    Peer {
        /// The rank the poisoned message came from.
        rank: usize,
    },
    /// The transport failed, or delivered a frame `mpi` could not accept.
    Transport(TransportError),
    /// The abort check returned `true` while the call was waiting.
    Aborted,
    /// A buffer the call needs could not be allocated (the allocator said
    /// no; nothing was sent or changed for it).
    NoMemory {
        /// Bytes asked for.
        bytes: usize,
    },
}

impl From<TransportError> for Error {
    fn from(e: TransportError) -> Self {
        Self::Transport(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::InvalidRank { rank, size } => {
                write!(f, "rank {rank} is not in a communicator of {size}")
            }
            Self::InvalidRoot { root, size } => {
                write!(f, "root {root} is not in a communicator of {size}")
            }
            Self::NotInComm { core } => write!(f, "core {core} is not in the communicator"),
            Self::InvalidCore { core, cores } => write!(f, "no core {core} (there are {cores})"),
            Self::DuplicateCore { core } => write!(f, "core {core} is listed twice"),
            Self::EmptyGroup => f.write_str("a communicator needs at least one core"),
            Self::InvalidContext { context } => {
                write!(f, "context {context} is reserved or out of range")
            }
            Self::ContextsExhausted { made } => write!(
                f,
                "no context id left for a new communicator: all {made} are used by this run"
            ),
            Self::InvalidTag { tag } => write!(f, "tag {tag} is above the maximum"),
            Self::LengthMismatch { expected, got } => {
                write!(f, "length mismatch: expected {expected}, got {got}")
            }
            Self::BufferTooSmall { needed, got } => {
                write!(f, "buffer too small: message has {needed}, buffer {got}")
            }
            Self::OpNotDefined { op, ty } => write!(f, "{op} is not defined for {ty}"),
            Self::Peer { rank } => write!(f, "rank {rank} failed this collective"),
            Self::Transport(e) => write!(f, "transport: {e}"),
            Self::Aborted => f.write_str("aborted"),
            Self::NoMemory { bytes } => {
                write!(f, "not enough memory for a buffer of {bytes} bytes")
            }
        }
    }
}
