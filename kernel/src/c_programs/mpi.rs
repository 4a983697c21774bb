//! mpi.h's functions (programs/c/include/mpi.h) over the running instance's
//! `mpi::Mpi`. Errors are fatal (MPI_ERRORS_ARE_FATAL): the call and the
//! error class end the program, and the run stops the other ranks.
#![allow(non_snake_case)]

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use ::mpi::{Algorithm, Comm, Source, TagMatch};
use programs::Failure;

use super::{Rank, stop, with_rank};

/// Most requests a rank may have active at once (a C program that never
/// waits for its requests meets this limit, not the end of memory).
const MAX_REQUESTS: usize = 1024;

/// Per-rank MPI state: communicators made by `MPI_Comm_split` and requests.
pub struct State {
    /// `MPI_Init` was called.
    initialized: bool,
    /// `MPI_Finalize` was called: no MPI call but a few may follow.
    finalized: bool,
    /// Index = handle - 1 (handle 0 is MPI_COMM_WORLD, the run's communicator).
    comms: Vec<Option<Comm>>,
    /// Index = handle; a completed request's slot is `None` and is reused.
    requests: Vec<Option<Request>>,
}

/// The calls a program may make before `MPI_Init` and after
/// `MPI_Finalize`: `MPI_Initialized` (the standard says so) and the
/// clock's two, which read no MPI state.
const ANY_TIME: &[&str] = &["MPI_Initialized", "MPI_Wtime", "MPI_Wtick"];

impl State {
    /// Refuses call `name` outside `MPI_Init` .. `MPI_Finalize`, and a
    /// second `MPI_Init` or `MPI_Finalize`, as MPICH does.
    fn check_state(&self, name: &str) -> Result<()> {
        if ANY_TIME.contains(&name) {
            return Ok(());
        }
        let why = match (self.initialized, self.finalized) {
            (true, _) if name == "MPI_Init" => "MPI_Init was already called",
            (false, _) if name != "MPI_Init" => "called before MPI_Init",
            (_, true) => "called after MPI_Finalize",
            _ => return Ok(()),
        };
        Err(fatal("MPI_ERR_OTHER", why))
    }

    /// Before `MPI_Init`.
    pub fn new() -> Self {
        State {
            initialized: false,
            finalized: false,
            comms: Vec::new(),
            requests: Vec::new(),
        }
    }
}

/// A non-blocking operation. Sends are buffered (they complete at once); a
/// receive is made when it is waited for or tested.
enum Request {
    Sent,
    Receive {
        buf: *mut u8,
        bytes: usize,
        source: Source,
        tag: TagMatch,
        comm: Comm,
    },
}

/// MPI's error classes, named as the standard does.
pub(super) struct Fatal {
    class: &'static str,
    detail: String,
}

pub(super) fn fatal(class: &'static str, detail: impl Into<String>) -> Fatal {
    Fatal {
        class,
        detail: detail.into(),
    }
}

impl From<::mpi::Error> for Fatal {
    fn from(e: ::mpi::Error) -> Self {
        use ::mpi::Error as E;
        let class = match e {
            E::InvalidRank { .. } | E::NotInComm { .. } => "MPI_ERR_RANK",
            E::InvalidRoot { .. } => "MPI_ERR_ROOT",
            E::InvalidTag { .. } => "MPI_ERR_TAG",
            E::BufferTooSmall { .. } => "MPI_ERR_TRUNCATE",
            E::LengthMismatch { .. } => "MPI_ERR_COUNT",
            E::OpNotDefined { .. } => "MPI_ERR_OP",
            E::Aborted => "stopped",
            E::NoMemory { .. } => "MPI_ERR_NO_MEM",
            _ => "MPI_ERR_OTHER",
        };
        match e {
            E::NoMemory { .. } => {
                let free = crate::heap::stats().free_bytes();
                fatal(class, format!("{e}; {free} bytes of memory are free"))
            }
            _ => fatal(class, format!("{e}")),
        }
    }
}

type Result<T> = core::result::Result<T, Fatal>;

/// Runs one MPI call; an error stops the program (`name` is the call).
pub(super) fn call<T>(name: &str, body: impl FnOnce(&mut Rank) -> Result<T>) -> T {
    match with_rank(|rank| rank.mpi.check_state(name).and_then(|()| body(rank))) {
        Ok(value) => value,
        Err(Fatal {
            class: "stopped", ..
        }) => stop(Failure::Mpi(::mpi::Error::Aborted)),
        Err(Fatal { class, detail }) => stop(Failure::Failed(format!("{name}: {class}: {detail}"))),
    }
}

/// The C datatypes (the numbers are mpi.h's).
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Type {
    Char = 1,
    Byte,
    Int,
    Unsigned,
    Long,
    UnsignedLong,
    LongLong,
    Float,
    Double,
    TwoInt,
    DoubleInt,
}

impl Type {
    pub(super) fn from_handle(handle: i32) -> Result<Type> {
        const ALL: [Type; 11] = [
            Type::Char,
            Type::Byte,
            Type::Int,
            Type::Unsigned,
            Type::Long,
            Type::UnsignedLong,
            Type::LongLong,
            Type::Float,
            Type::Double,
            Type::TwoInt,
            Type::DoubleInt,
        ];
        ALL.into_iter()
            .find(|&t| t as i32 == handle)
            .ok_or_else(|| {
                let named = match handle {
                    0 => "MPI_DATATYPE_NULL".into(),
                    other => format!("{other}"),
                };
                fatal("MPI_ERR_TYPE", format!("{named} is not a datatype"))
            })
    }

    /// Bytes per element (MPI_DOUBLE_INT is C's padded struct {double; int}).
    pub(super) fn size(self) -> usize {
        match self {
            Type::Char | Type::Byte => 1,
            Type::Int | Type::Unsigned | Type::Float => 4,
            Type::DoubleInt => 16,
            _ => 8,
        }
    }
}

/// mpi.h's MPI_IN_PLACE.
pub(super) const IN_PLACE: *const u8 = usize::MAX as *const u8;

/// `count` elements of `type` at `buf`, as bytes.
pub(super) fn bytes<'b>(buf: *const u8, count: i32, ty: i32) -> Result<&'b mut [u8]> {
    let ty = Type::from_handle(ty)?;
    let count =
        usize::try_from(count).map_err(|_| fatal("MPI_ERR_COUNT", format!("count {count}")))?;
    if buf.is_null() && count > 0 {
        return Err(fatal("MPI_ERR_BUFFER", "NULL buffer"));
    }
    if buf == IN_PLACE {
        // The calls that take it check for it before they get here.
        return Err(fatal("MPI_ERR_BUFFER", "MPI_IN_PLACE is not a buffer here"));
    }
    if count == 0 {
        return Ok(&mut []);
    }
    // SAFETY: the C caller passes a buffer of `count` elements of `ty`.
    Ok(unsafe { core::slice::from_raw_parts_mut(buf.cast_mut(), count * ty.size()) })
}

impl Rank {
    pub(super) fn comm(&self, handle: i32) -> Result<Comm> {
        let found = match handle {
            0 => {
                // SAFETY: as in `Rank::instance`; only the communicator is read.
                Some(unsafe { (*self.instance).comm() }.clone())
            }
            h if h > 0 => self.mpi.comms.get(h as usize - 1).cloned().flatten(),
            _ => None,
        };
        found.ok_or_else(|| {
            let named = match handle {
                -1 => "MPI_COMM_NULL".into(),
                other => format!("{other}"),
            };
            fatal("MPI_ERR_COMM", format!("{named} is not a communicator"))
        })
    }

    pub(super) fn engine(&mut self) -> &mut programs::Mpi<'static> {
        self.instance().mpi().0
    }
}

/// A collective's root: a rank of `comm`, else `MPI_ERR_ROOT`.
pub(super) fn root_arg(root: i32, comm: &Comm) -> Result<usize> {
    rank_arg(root, comm).map_err(|_| {
        fatal(
            "MPI_ERR_ROOT",
            format!("root {root} (size {})", comm.size()),
        )
    })
}

pub(super) fn rank_arg(rank: i32, comm: &Comm) -> Result<usize> {
    usize::try_from(rank)
        .ok()
        .filter(|&r| r < comm.size())
        .ok_or_else(|| {
            fatal(
                "MPI_ERR_RANK",
                format!("rank {rank} (size {})", comm.size()),
            )
        })
}

fn source_arg(source: i32, comm: &Comm) -> Result<Source> {
    if source == -2 {
        return Ok(Source::Any);
    }
    rank_arg(source, comm).map(Source::Rank)
}

fn tag_arg(tag: i32, any_ok: bool) -> Result<TagMatch> {
    match tag {
        -1 if any_ok => Ok(TagMatch::Any),
        t if t >= 0 => Ok(TagMatch::Tag(t as u32)),
        t => Err(fatal("MPI_ERR_TAG", format!("tag {t}"))),
    }
}

/// Writes a status unless it is NULL or MPI_STATUS_IGNORE.
fn set_status(status: *mut MpiStatus, got: ::mpi::Status) {
    if status as usize > 1 {
        // SAFETY: C passes a pointer to an MPI_Status.
        unsafe {
            *status = MpiStatus {
                source: got.source as i32,
                tag: got.tag as i32,
                error: 0,
                bytes: got.count as i32,
            }
        };
    }
}

/// mpi.h's MPI_Status.
#[repr(C)]
pub struct MpiStatus {
    source: i32,
    tag: i32,
    error: i32,
    bytes: i32,
}

pub extern "C" fn MPI_Init(_argc: *mut i32, _argv: *mut *mut *mut u8) -> i32 {
    call("MPI_Init", |rank| {
        rank.mpi.initialized = true;
        Ok(0)
    })
}

pub extern "C" fn MPI_Finalize() -> i32 {
    call("MPI_Finalize", |rank| {
        rank.mpi.finalized = true;
        Ok(0)
    })
}

pub extern "C" fn MPI_Initialized(flag: *mut i32) -> i32 {
    let initialized = call("MPI_Initialized", |rank| Ok(rank.mpi.initialized));
    // SAFETY: C passes a pointer to an int.
    unsafe { *flag = i32::from(initialized) };
    0
}

pub extern "C" fn MPI_Abort(_comm: i32, code: i32) -> i32 {
    stop(Failure::Failed(format!("MPI_Abort with error code {code}")))
}

pub extern "C" fn MPI_Comm_rank(comm: i32, out: *mut i32) -> i32 {
    let rank = call("MPI_Comm_rank", |rank| {
        rank.comm(comm).map(|c| c.rank() as i32)
    });
    // SAFETY: C passes a pointer to an int.
    unsafe { *out = rank };
    0
}

pub extern "C" fn MPI_Comm_size(comm: i32, out: *mut i32) -> i32 {
    let size = call("MPI_Comm_size", |rank| {
        rank.comm(comm).map(|c| c.size() as i32)
    });
    // SAFETY: C passes a pointer to an int.
    unsafe { *out = size };
    0
}

/// MPI_UNDEFINED: the color of a rank that joins no new communicator.
const UNDEFINED: i32 = -32766;

pub extern "C" fn MPI_Comm_split(comm: i32, color: i32, key: i32, out: *mut i32) -> i32 {
    let handle = call("MPI_Comm_split", |rank| {
        let parent = rank.comm(comm)?;
        let mut all = vec![0i32; 2 * parent.size()];
        rank.engine()
            .allgather(&parent, &[color, key], &mut all, Algorithm::Tree)?;
        if color == UNDEFINED {
            return Ok(-1);
        }
        let mut members: Vec<(i32, usize)> = (0..parent.size())
            .filter(|&r| all[2 * r] == color)
            .map(|r| (all[2 * r + 1], r))
            .collect();
        members.sort();
        let cores: Vec<usize> = members.iter().map(|&(_, r)| parent.cores()[r]).collect();
        let made = rank.engine().create(&parent, &cores)?;
        rank.mpi.comms.push(Some(made));
        Ok(rank.mpi.comms.len() as i32)
    });
    // SAFETY: C passes a pointer to an MPI_Comm.
    unsafe { *out = handle };
    0
}

pub extern "C" fn MPI_Comm_free(comm: *mut i32) -> i32 {
    // SAFETY: C passes a pointer to an MPI_Comm.
    let handle = unsafe { *comm };
    call("MPI_Comm_free", |rank| {
        let made = rank.comm(handle)?;
        if handle == 0 {
            return Err(fatal("MPI_ERR_COMM", "MPI_COMM_WORLD cannot be freed"));
        }
        rank.engine().retire(&made);
        rank.mpi.comms[handle as usize - 1] = None;
        Ok(())
    });
    // SAFETY: as above.
    unsafe { *comm = -1 };
    0
}

pub extern "C" fn MPI_Send(
    buf: *const u8,
    count: i32,
    ty: i32,
    dest: i32,
    tag: i32,
    comm: i32,
) -> i32 {
    call("MPI_Send", |rank| {
        send(rank, buf, count, ty, dest, tag, comm)
    });
    0
}

fn send(
    rank: &mut Rank,
    buf: *const u8,
    count: i32,
    ty: i32,
    dest: i32,
    tag: i32,
    comm: i32,
) -> Result<()> {
    let comm = rank.comm(comm)?;
    let data = bytes(buf, count, ty)?;
    let dest = rank_arg(dest, &comm)?;
    let TagMatch::Tag(tag) = tag_arg(tag, false)? else {
        unreachable!("no any-tag here")
    };
    rank.engine().send_bytes(&comm, dest, tag, data)?;
    Ok(())
}

pub extern "C" fn MPI_Recv(
    buf: *mut u8,
    count: i32,
    ty: i32,
    source: i32,
    tag: i32,
    comm: i32,
    status: *mut MpiStatus,
) -> i32 {
    let got = call("MPI_Recv", |rank| {
        recv(rank, buf, count, ty, source, tag, comm)
    });
    set_status(status, got);
    0
}

fn recv(
    rank: &mut Rank,
    buf: *mut u8,
    count: i32,
    ty: i32,
    source: i32,
    tag: i32,
    comm: i32,
) -> Result<::mpi::Status> {
    let comm = rank.comm(comm)?;
    let into = bytes(buf, count, ty)?;
    let (source, tag) = (source_arg(source, &comm)?, tag_arg(tag, true)?);
    Ok(rank.engine().recv_bytes(&comm, source, tag, into)?)
}

pub extern "C" fn MPI_Sendrecv(
    sendbuf: *const u8,
    sendcount: i32,
    sendtype: i32,
    dest: i32,
    sendtag: i32,
    recvbuf: *mut u8,
    recvcount: i32,
    recvtype: i32,
    source: i32,
    recvtag: i32,
    comm: i32,
    status: *mut MpiStatus,
) -> i32 {
    // Sends are buffered, so sending first cannot deadlock. Errors are
    // MPI_Sendrecv's.
    let got = call("MPI_Sendrecv", |rank| {
        send(rank, sendbuf, sendcount, sendtype, dest, sendtag, comm)?;
        recv(rank, recvbuf, recvcount, recvtype, source, recvtag, comm)
    });
    set_status(status, got);
    0
}

/// Stores `request` in the first free slot; its index is the handle.
fn new_request(rank: &mut Rank, request: Request) -> Result<i32> {
    let table = &mut rank.mpi.requests;
    let slot = match table.iter().position(Option::is_none) {
        Some(free) => free,
        None if table.len() < MAX_REQUESTS => {
            table.push(None);
            table.len() - 1
        }
        None => {
            return Err(fatal(
                "MPI_ERR_OTHER",
                format!(
                    "{MAX_REQUESTS} requests are active, the most a rank may have; \
                     MPI_Wait or MPI_Test completes them"
                ),
            ));
        }
    };
    table[slot] = Some(request);
    Ok(slot as i32)
}

pub extern "C" fn MPI_Isend(
    buf: *const u8,
    count: i32,
    ty: i32,
    dest: i32,
    tag: i32,
    comm: i32,
    request: *mut i32,
) -> i32 {
    let handle = call("MPI_Isend", |rank| {
        send(rank, buf, count, ty, dest, tag, comm)?;
        new_request(rank, Request::Sent)
    });
    // SAFETY: C passes a pointer to an MPI_Request.
    unsafe { *request = handle };
    0
}

pub extern "C" fn MPI_Irecv(
    buf: *mut u8,
    count: i32,
    ty: i32,
    source: i32,
    tag: i32,
    comm: i32,
    request: *mut i32,
) -> i32 {
    let handle = call("MPI_Irecv", |rank| {
        let comm = rank.comm(comm)?;
        let into = bytes(buf, count, ty)?;
        let (source, tag) = (source_arg(source, &comm)?, tag_arg(tag, true)?);
        let receive = Request::Receive {
            buf,
            bytes: into.len(),
            source,
            tag,
            comm,
        };
        new_request(rank, receive)
    });
    // SAFETY: C passes a pointer to an MPI_Request.
    unsafe { *request = handle };
    0
}

/// Takes request `handle` out of the table (MPI_REQUEST_NULL: None).
fn take_request(rank: &mut Rank, handle: i32) -> Result<Option<Request>> {
    if handle == -1 {
        return Ok(None);
    }
    let slot = usize::try_from(handle)
        .ok()
        .and_then(|h| rank.mpi.requests.get_mut(h));
    match slot.map(Option::take) {
        Some(Some(request)) => Ok(Some(request)),
        _ => Err(fatal(
            "MPI_ERR_REQUEST",
            format!("{handle} is not an active request"),
        )),
    }
}

/// Completes `request`, waiting for its message.
fn complete(rank: &mut Rank, request: Request) -> Result<Option<::mpi::Status>> {
    match request {
        Request::Sent => Ok(None),
        Request::Receive {
            buf,
            bytes,
            source,
            tag,
            comm,
        } => {
            // SAFETY: MPI_Irecv checked the buffer; C keeps it until the wait.
            let into = unsafe { core::slice::from_raw_parts_mut(buf, bytes) };
            Ok(Some(rank.engine().recv_bytes(&comm, source, tag, into)?))
        }
    }
}

pub extern "C" fn MPI_Wait(request: *mut i32, status: *mut MpiStatus) -> i32 {
    wait("MPI_Wait", request, status)
}

/// Completes `*request` and sets it to MPI_REQUEST_NULL; errors are call
/// `name`'s (MPI_Wait, or the MPI_Waitall or MPI_Test that waits).
fn wait(name: &str, request: *mut i32, status: *mut MpiStatus) -> i32 {
    // SAFETY: C passes a pointer to an MPI_Request.
    let handle = unsafe { *request };
    let got = call(name, |rank| match take_request(rank, handle)? {
        Some(r) => complete(rank, r),
        None => Ok(None),
    });
    if let Some(got) = got {
        set_status(status, got);
    }
    // SAFETY: as above.
    unsafe { *request = -1 };
    0
}

pub extern "C" fn MPI_Waitall(count: i32, requests: *mut i32, statuses: *mut MpiStatus) -> i32 {
    let count = call("MPI_Waitall", |_| {
        usize::try_from(count).map_err(|_| fatal("MPI_ERR_COUNT", format!("count {count}")))
    });
    for i in 0..count {
        let status = if statuses as usize > 1 {
            // SAFETY: C passes `count` statuses (or MPI_STATUSES_IGNORE).
            unsafe { statuses.add(i) }
        } else {
            statuses
        };
        // SAFETY: C passes `count` requests.
        wait("MPI_Waitall", unsafe { requests.add(i) }, status);
    }
    0
}

pub extern "C" fn MPI_Test(request: *mut i32, flag: *mut i32, status: *mut MpiStatus) -> i32 {
    // SAFETY: C passes pointers to an MPI_Request and an int.
    let handle = unsafe { *request };
    let ready = call("MPI_Test", |rank| {
        let pending = match usize::try_from(handle)
            .ok()
            .and_then(|h| rank.mpi.requests.get(h))
        {
            Some(Some(Request::Receive {
                source, tag, comm, ..
            })) => Some((*source, *tag, comm.clone())),
            _ => None,
        };
        match pending {
            Some((source, tag, comm)) => Ok(rank.engine().iprobe(&comm, source, tag)?.is_some()),
            None => Ok(true),
        }
    });
    // SAFETY: as above.
    unsafe { *flag = i32::from(ready) };
    if ready {
        wait("MPI_Test", request, status);
    }
    0
}

pub extern "C" fn MPI_Probe(source: i32, tag: i32, comm: i32, status: *mut MpiStatus) -> i32 {
    let got = call("MPI_Probe", |rank| {
        let comm = rank.comm(comm)?;
        let (source, tag) = (source_arg(source, &comm)?, tag_arg(tag, true)?);
        Ok(rank.engine().probe(&comm, source, tag)?)
    });
    set_status(status, got);
    0
}

pub extern "C" fn MPI_Iprobe(
    source: i32,
    tag: i32,
    comm: i32,
    flag: *mut i32,
    status: *mut MpiStatus,
) -> i32 {
    let got = call("MPI_Iprobe", |rank| {
        let comm = rank.comm(comm)?;
        let (source, tag) = (source_arg(source, &comm)?, tag_arg(tag, true)?);
        Ok(rank.engine().iprobe(&comm, source, tag)?)
    });
    // SAFETY: C passes a pointer to an int.
    unsafe { *flag = i32::from(got.is_some()) };
    if let Some(got) = got {
        set_status(status, got);
    }
    0
}

/// The elements of `type` a status's message holds; MPI_UNDEFINED when its
/// bytes are not a whole number of them.
pub extern "C" fn MPI_Get_count(status: *const MpiStatus, ty: i32, count: *mut i32) -> i32 {
    let elements = call("MPI_Get_count", |_| {
        let size = Type::from_handle(ty)?.size() as i32;
        if status as usize <= 1 {
            return Err(fatal(
                "MPI_ERR_ARG",
                "the status is MPI_STATUS_IGNORE (or NULL), which holds no count",
            ));
        }
        // SAFETY: C passes a status a receive or probe filled in.
        let bytes = unsafe { (*status).bytes };
        Ok(if bytes % size == 0 {
            bytes / size
        } else {
            UNDEFINED
        })
    });
    // SAFETY: C passes a pointer to an int.
    unsafe { *count = elements };
    0
}

pub extern "C" fn MPI_Barrier(comm: i32) -> i32 {
    call("MPI_Barrier", |rank| {
        let comm = rank.comm(comm)?;
        Ok(rank.engine().barrier(&comm, Algorithm::Tree)?)
    });
    0
}

pub extern "C" fn MPI_Wtime() -> f64 {
    with_rank(|rank| rank.instance().wtime())
}

pub extern "C" fn MPI_Wtick() -> f64 {
    with_rank(|rank| rank.instance().wtick())
}

pub extern "C" fn MPI_Get_processor_name(name: *mut u8, len: *mut i32) -> i32 {
    let text = with_rank(|rank| format!("ringlab core {}", rank.instance().core()));
    // SAFETY: C passes MPI_MAX_PROCESSOR_NAME bytes and a pointer to an int.
    unsafe {
        core::ptr::copy_nonoverlapping(text.as_ptr(), name, text.len());
        *name.add(text.len()) = 0;
        *len = text.len() as i32;
    }
    0
}
