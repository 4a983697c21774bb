//! The names the kernel's callsites use and the viewer looks for: event and
//! span names, and their field names. docs/tracing.md says what each field
//! means; this module only spells them, so both sides share one spelling.

/// Bus events (`tracing` target `bus`). Every one carries [`field::SRC`] and
/// [`field::DST`], the queue's sending and receiving core.
pub mod bus {
    /// Once per queue when the bus is built: `src, dst, size, buf_size`.
    pub const INIT: &str = "bus.init";
    /// The receiver (core `dst`) put empty buffer `desc` on the available
    /// ring at position `avail_idx`.
    pub const POST: &str = "bus.post";
    /// The sender (core `src`) took a posted buffer and filled `len` bytes
    /// of it, writing used-ring position `used_idx`.
    pub const FILL: &str = "bus.fill";
    /// The sender stored `used_idx` as the used ring's new `idx`.
    pub const PUBLISH: &str = "bus.publish";
    /// The receiver took the used entry at `used_idx` (buffer `desc`).
    pub const CONSUME: &str = "bus.consume";
    /// The sender found the ring full: `avail_idx` seen, `used_idx` its
    /// next position.
    pub const STALL: &str = "bus.stall";
    /// The sender published a whole message: `len, frags, desc, used_idx`
    /// (of its first fragment) and optionally `seq`.
    pub const SEND: &str = "bus.send";
    /// The receiver delivered a whole message to its caller; same fields as
    /// [`SEND`], and the same `used_idx` for the same message.
    pub const RECV: &str = "bus.recv";
}

/// MPI spans (`tracing` target `mpi`).
pub mod mpi {
    /// Every MPI span name starts with this.
    pub const PREFIX: &str = "mpi.";
    /// Point-to-point send: `comm, rank, peer, tag, len`.
    pub const SEND: &str = "mpi.send";
    /// Point-to-point receive: `comm, rank, peer, tag, len`.
    pub const RECV: &str = "mpi.recv";
    /// Collectives: `comm, rank, size, root, algorithm, count, op`.
    pub const REDUCE: &str = "mpi.reduce";
    /// See [`REDUCE`] for the fields.
    pub const ALLREDUCE: &str = "mpi.allreduce";
    /// See [`REDUCE`] for the fields.
    pub const BCAST: &str = "mpi.bcast";
    /// See [`REDUCE`] for the fields.
    pub const GATHER: &str = "mpi.gather";
    /// See [`REDUCE`] for the fields.
    pub const SCATTER: &str = "mpi.scatter";
    /// See [`REDUCE`] for the fields.
    pub const ALLGATHER: &str = "mpi.allgather";
    /// See [`REDUCE`] for the fields (`root` and `op` unset).
    pub const BARRIER: &str = "mpi.barrier";
}

/// Shell spans (`tracing` target `shell`).
pub mod shell {
    /// One command from start to end: `command` (first word), `line`.
    pub const COMMAND: &str = "shell.command";
}

/// Field names.
pub mod field {
    /// Sending core of a queue.
    pub const SRC: &str = "src";
    /// Receiving core of a queue.
    pub const DST: &str = "dst";
    /// Descriptor (buffer) index.
    pub const DESC: &str = "desc";
    /// Bytes.
    pub const LEN: &str = "len";
    /// Fragments (buffers) a message took.
    pub const FRAGS: &str = "frags";
    /// Free-running available-ring position (slot = `avail_idx % size`).
    pub const AVAIL_IDX: &str = "avail_idx";
    /// Free-running used-ring position (slot = `used_idx % size`).
    pub const USED_IDX: &str = "used_idx";
    /// Per-queue message number, counted by the sender from 0.
    pub const SEQ: &str = "seq";
    /// Entries per ring.
    pub const SIZE: &str = "size";
    /// Bytes per buffer.
    pub const BUF_SIZE: &str = "buf_size";
    /// Communicator id.
    pub const COMM: &str = "comm";
    /// This core's rank in the communicator.
    pub const RANK: &str = "rank";
    /// The other rank of a point-to-point operation.
    pub const PEER: &str = "peer";
    /// Message tag.
    pub const TAG: &str = "tag";
    /// Root rank of a rooted collective.
    pub const ROOT: &str = "root";
    /// Algorithm name, e.g. `linear`, `binomial`, `ring`.
    pub const ALGORITHM: &str = "algorithm";
    /// Elements per rank.
    pub const COUNT: &str = "count";
    /// Reduction operation, e.g. `sum`.
    pub const OP: &str = "op";
    /// Shell: the command word.
    pub const COMMAND: &str = "command";
    /// Shell: the whole command line.
    pub const LINE: &str = "line";
}
