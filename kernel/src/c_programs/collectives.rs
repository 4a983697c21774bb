//! mpi.h's collectives. Reductions of the six `mpi` element types go to
//! `mpi`'s reduce and allreduce; data movement travels as 64-bit words
//! (each rank's block padded to whole words), so every C datatype moves the
//! same way; MPI_MINLOC/MAXLOC, reductions of MPI_CHAR/MPI_BYTE, MPI_Scan and
//! MPI_Alltoall are made from a gather of blocks and a local fold
//! (docs/c-programs.md).
#![allow(non_snake_case)]

use alloc::format;
use alloc::vec::Vec;

use ::mpi::{Algorithm, Comm, Datatype, Op};

use super::Rank;
use super::mpi::{Fatal, IN_PLACE, Type, bytes, call, fatal, root_arg};

/// A reduction: one of `mpi`'s ops, or MINLOC/MAXLOC (lower wins when true).
#[derive(Clone, Copy)]
enum Reduction {
    Plain(Op),
    Loc { min: bool },
}

fn reduction(handle: i32) -> Result<Reduction, Fatal> {
    match handle {
        1..=10 => Ok(Reduction::Plain(Op::ALL[handle as usize - 1])),
        11 => Ok(Reduction::Loc { min: true }),
        12 => Ok(Reduction::Loc { min: false }),
        _ => Err(fatal("MPI_ERR_OP", format!("{handle} is not an operation"))),
    }
}

/// Calls `$f::<D>(args)` with the `mpi` element type of `$ty`.
macro_rules! typed {
    ($ty:expr, $f:ident($($arg:expr),*)) => {
        match $ty {
            Type::Int => $f::<i32>($($arg),*),
            Type::Unsigned => $f::<u32>($($arg),*),
            Type::Long | Type::LongLong => $f::<i64>($($arg),*),
            Type::UnsignedLong => $f::<u64>($($arg),*),
            Type::Float => $f::<f32>($($arg),*),
            Type::Double => $f::<f64>($($arg),*),
            _ => Err(fatal("MPI_ERR_TYPE", "no reduction is defined for this datatype")),
        }
    };
}

/// `count` elements for each of `ranks` ranks, as one count: an error
/// if that is more than an `int` holds (it would wrap).
fn times(count: i32, ranks: usize) -> Result<i32, Fatal> {
    i32::try_from(ranks)
        .ok()
        .and_then(|ranks| count.checked_mul(ranks))
        .ok_or_else(|| {
            fatal(
                "MPI_ERR_COUNT",
                format!("count {count} for each of {ranks} ranks is more than an int holds"),
            )
        })
}

/// A rank's own block must have the length of the blocks it receives
/// (MPI's rule that the send and receive type signatures match): longer
/// would be cut (MPICH: "Message truncated"), shorter leaves bytes unset.
fn check_block(sent: usize, block: usize) -> Result<(), Fatal> {
    if sent == block {
        return Ok(());
    }
    let class = if sent > block {
        "MPI_ERR_TRUNCATE"
    } else {
        "MPI_ERR_COUNT"
    };
    Err(fatal(
        class,
        format!("{sent} bytes sent where a block is {block} bytes"),
    ))
}

/// Words per block of `block` bytes.
fn words(block: usize) -> usize {
    block.div_ceil(8).max(1)
}

/// `data` cut into blocks of `block` bytes, each padded to whole words
/// (the one allocation fallible: a buffer may be most of memory).
fn pack(data: &[u8], block: usize) -> Result<Vec<u64>, Fatal> {
    let per = words(block);
    let mut out = ::mpi::try_with_capacity(per * data.len().div_ceil(block.max(1)))?;
    for chunk in data.chunks(block.max(1)) {
        out.extend(chunk.chunks(8).map(|bytes| {
            let mut word = [0u8; 8];
            word[..bytes.len()].copy_from_slice(bytes);
            u64::from_le_bytes(word)
        }));
        out.extend(core::iter::repeat_n(0, per - chunk.len().div_ceil(8)));
    }
    Ok(out)
}

/// The first `block` bytes of block `index` of `packed`.
fn unpack(packed: &[u64], block: usize, index: usize, out: &mut [u8]) {
    let per = words(block);
    let words = &packed[index * per..(index + 1) * per];
    for (bytes, word) in out[..block].chunks_mut(8).zip(words) {
        bytes.copy_from_slice(&word.to_le_bytes()[..bytes.len()]);
    }
}

/// The send buffer's bytes, or `fallback` (the receive buffer's) for MPI_IN_PLACE.
fn send_block(buf: *const u8, count: i32, ty: i32, fallback: &[u8]) -> Result<&[u8], Fatal> {
    if buf == IN_PLACE {
        return Ok(fallback);
    }
    bytes(buf, count, ty).map(|b| &*b)
}

pub extern "C" fn MPI_Bcast(buf: *mut u8, count: i32, ty: i32, root: i32, comm: i32) -> i32 {
    call("MPI_Bcast", |rank| {
        let comm = rank.comm(comm)?;
        let root = root_arg(root, &comm)?;
        let data = bytes(buf, count, ty)?;
        let mut packed = pack(data, data.len())?;
        rank.engine()
            .bcast(&comm, &mut packed, root, Algorithm::Tree)?;
        unpack(&packed, data.len(), 0, data);
        Ok(())
    });
    0
}

/// Every rank's block of `send` (`block` bytes), in rank order, on every rank.
fn gather_all(rank: &mut Rank, comm: &Comm, send: &[u8], block: usize) -> Result<Vec<u64>, Fatal> {
    let mine = pack(send, block)?;
    let mut all = ::mpi::try_filled(mine.len() * comm.size(), 0u64)?;
    rank.engine()
        .allgather(comm, &mine, &mut all, Algorithm::Tree)?;
    Ok(all)
}

pub extern "C" fn MPI_Gather(
    sendbuf: *const u8,
    sendcount: i32,
    sendtype: i32,
    recvbuf: *mut u8,
    recvcount: i32,
    recvtype: i32,
    root: i32,
    comm: i32,
) -> i32 {
    call("MPI_Gather", |rank| {
        let comm = rank.comm(comm)?;
        let root = root_arg(root, &comm)?;
        let is_root = comm.rank() == root;
        let recv: &mut [u8] = if is_root {
            bytes(recvbuf, times(recvcount, comm.size())?, recvtype)?
        } else {
            &mut []
        };
        let block = if is_root {
            recv.len() / comm.size()
        } else {
            bytes(sendbuf, sendcount, sendtype)?.len()
        };
        let own = recv
            .get(root * block..(root + 1) * block)
            .map(<[u8]>::to_vec)
            .unwrap_or_default();
        let send = send_block(sendbuf, sendcount, sendtype, &own)?;
        check_block(send.len(), block)?;
        let mine = pack(send, block)?;
        let mut all = ::mpi::try_filled(if is_root { mine.len() * comm.size() } else { 0 }, 0u64)?;
        rank.engine()
            .gather(&comm, &mine, &mut all, root, Algorithm::Tree)?;
        for r in (0..comm.size()).filter(|_| is_root) {
            unpack(&all, block, r, &mut recv[r * block..]);
        }
        Ok(())
    });
    0
}

pub extern "C" fn MPI_Scatter(
    sendbuf: *const u8,
    sendcount: i32,
    sendtype: i32,
    recvbuf: *mut u8,
    recvcount: i32,
    recvtype: i32,
    root: i32,
    comm: i32,
) -> i32 {
    call("MPI_Scatter", |rank| {
        let comm = rank.comm(comm)?;
        let root = root_arg(root, &comm)?;
        let is_root = comm.rank() == root;
        let in_place = recvbuf.cast_const() == IN_PLACE;
        let recv: &mut [u8] = if in_place {
            &mut []
        } else {
            bytes(recvbuf, recvcount, recvtype)?
        };
        let send: &[u8] = if is_root {
            bytes(sendbuf, times(sendcount, comm.size())?, sendtype)?
        } else {
            &[]
        };
        let block = if is_root {
            send.len() / comm.size()
        } else {
            recv.len()
        };
        if is_root && !in_place {
            check_block(block, recv.len())?;
        }
        let all = if is_root {
            pack(send, block)?
        } else {
            Vec::new()
        };
        let mut mine = ::mpi::try_filled(words(block), 0u64)?;
        rank.engine()
            .scatter(&comm, &all, &mut mine, root, Algorithm::Tree)?;
        if !in_place {
            unpack(&mine, block, 0, recv);
        }
        Ok(())
    });
    0
}

pub extern "C" fn MPI_Allgather(
    sendbuf: *const u8,
    sendcount: i32,
    sendtype: i32,
    recvbuf: *mut u8,
    recvcount: i32,
    recvtype: i32,
    comm: i32,
) -> i32 {
    call("MPI_Allgather", |rank| {
        let comm = rank.comm(comm)?;
        let recv = bytes(recvbuf, times(recvcount, comm.size())?, recvtype)?;
        let block = recv.len() / comm.size();
        let me = comm.rank();
        let own = ::mpi::try_copy(&recv[me * block..(me + 1) * block])?;
        let send = send_block(sendbuf, sendcount, sendtype, &own)?;
        check_block(send.len(), block)?;
        let all = gather_all(rank, &comm, send, block)?;
        for r in 0..comm.size() {
            unpack(&all, block, r, &mut recv[r * block..]);
        }
        Ok(())
    });
    0
}

pub extern "C" fn MPI_Alltoall(
    sendbuf: *const u8,
    sendcount: i32,
    sendtype: i32,
    recvbuf: *mut u8,
    recvcount: i32,
    recvtype: i32,
    comm: i32,
) -> i32 {
    call("MPI_Alltoall", |rank| {
        let comm = rank.comm(comm)?;
        let size = comm.size();
        let recv = bytes(recvbuf, times(recvcount, size)?, recvtype)?;
        let own = ::mpi::try_copy(recv)?;
        let send = send_block(sendbuf, times(sendcount, size)?, sendtype, &own)?;
        check_block(send.len() / size, recv.len() / size)?;
        let block = recv.len() / size;
        let all = gather_all(rank, &comm, send, send.len())?;
        let mut row = ::mpi::try_filled(send.len(), 0u8)?;
        for r in 0..size {
            unpack(&all, send.len(), r, &mut row);
            let mine = comm.rank() * block;
            recv[r * block..(r + 1) * block].copy_from_slice(&row[mine..mine + block]);
        }
        Ok(())
    });
    0
}

/// `acc = acc op other`, element by element (empty slices: only the checks).
fn fold(reduction: Reduction, ty: Type, acc: &mut [u8], other: &[u8]) -> Result<(), Fatal> {
    match reduction {
        Reduction::Plain(op) if matches!(ty, Type::Char | Type::Byte) => {
            fold_bytes(op, ty, acc, other)
        }
        Reduction::Plain(op) => typed!(ty, fold_typed(op, acc, other)),
        Reduction::Loc { min } => fold_loc(min, ty, acc, other),
    }
}

/// MPI_CHAR (C's signed char) takes every integer op; MPI_BYTE only the
/// bitwise ones, as MPICH. Each byte is widened to i32, combined and cut
/// back: the same as 8-bit wrapping arithmetic.
fn fold_bytes(op: Op, ty: Type, acc: &mut [u8], other: &[u8]) -> Result<(), Fatal> {
    if ty == Type::Byte && !op.is_bitwise() {
        return Err(fatal(
            "MPI_ERR_OP",
            format!(
                "MPI_{} is not defined for MPI_BYTE (only MPI_BAND, MPI_BOR and MPI_BXOR are)",
                op.name().to_ascii_uppercase()
            ),
        ));
    }
    let widen = |byte: u8| i32::from(byte as i8);
    for (a, &b) in acc.iter_mut().zip(other) {
        *a = op.apply(widen(*a), widen(b))? as u8;
    }
    Ok(())
}

fn fold_typed<D: Datatype>(op: Op, acc: &mut [u8], other: &[u8]) -> Result<(), Fatal> {
    for (a, b) in acc
        .chunks_exact_mut(D::SIZE)
        .zip(other.chunks_exact(D::SIZE))
    {
        op.apply(D::read_le(a), D::read_le(b))?.write_le(a);
    }
    Ok(())
}

/// MINLOC/MAXLOC on (value, index) pairs: the better value, then the lower index.
fn fold_loc(min: bool, ty: Type, acc: &mut [u8], other: &[u8]) -> Result<(), Fatal> {
    let (size, index_at) = match ty {
        Type::TwoInt => (8, 4),
        Type::DoubleInt => (16, 8),
        _ => {
            return Err(fatal(
                "MPI_ERR_OP",
                "MINLOC/MAXLOC need MPI_2INT or MPI_DOUBLE_INT",
            ));
        }
    };
    let value = |pair: &[u8]| match ty {
        Type::TwoInt => f64::from(i32::read_le(pair)),
        _ => f64::read_le(pair),
    };
    for (a, b) in acc.chunks_exact_mut(size).zip(other.chunks_exact(size)) {
        let (va, vb) = (value(a), value(b));
        let (ia, ib) = (i32::read_le(&a[index_at..]), i32::read_le(&b[index_at..]));
        let b_wins = if min { vb < va } else { vb > va } || (vb == va && ib < ia);
        if b_wins {
            a.copy_from_slice(b);
        }
    }
    Ok(())
}

/// The fold of blocks `0..=last` of `all`.
fn fold_blocks(
    reduction: Reduction,
    ty: Type,
    all: &[u64],
    block: usize,
    last: usize,
) -> Result<Vec<u8>, Fatal> {
    fold(reduction, ty, &mut [], &[])?;
    let mut acc = ::mpi::try_filled(block, 0u8)?;
    unpack(all, block, 0, &mut acc);
    let mut next = ::mpi::try_filled(block, 0u8)?;
    for r in 1..=last {
        unpack(all, block, r, &mut next);
        fold(reduction, ty, &mut acc, &next)?;
    }
    Ok(acc)
}

/// A reduction's result on this rank (None where only `root` gets it).
fn reduce_bytes(
    rank: &mut Rank,
    comm: &Comm,
    send: &[u8],
    ty: Type,
    reduction: Reduction,
    root: Option<usize>,
) -> Result<Option<Vec<u8>>, Fatal> {
    let mut out = ::mpi::try_copy(send)?;
    match reduction {
        Reduction::Plain(op) if ty.size() >= 4 && !matches!(ty, Type::TwoInt | Type::DoubleInt) => {
            typed!(ty, reduce_typed(rank, comm, send, &mut out, op, root))?;
        }
        _ => {
            let all = gather_all(rank, comm, send, send.len())?;
            out = fold_blocks(reduction, ty, &all, send.len(), comm.size() - 1)?;
        }
    }
    Ok(root.is_none_or(|root| root == comm.rank()).then_some(out))
}

fn reduce_typed<D: Datatype>(
    rank: &mut Rank,
    comm: &Comm,
    send: &[u8],
    out: &mut [u8],
    op: Op,
    root: Option<usize>,
) -> Result<(), Fatal> {
    let send: Vec<D> = send.chunks_exact(D::SIZE).map(D::read_le).collect();
    let mut result = send.clone();
    match root {
        Some(root) => rank
            .engine()
            .reduce(comm, &send, &mut result, op, root, Algorithm::Tree)?,
        None => rank
            .engine()
            .allreduce(comm, &send, &mut result, op, Algorithm::Tree)?,
    }
    for (x, chunk) in result.iter().zip(out.chunks_exact_mut(D::SIZE)) {
        x.write_le(chunk);
    }
    Ok(())
}

/// A reduction's arguments, as MPI_Reduce and MPI_Allreduce take them.
struct ReduceArgs {
    sendbuf: *const u8,
    recvbuf: *mut u8,
    count: i32,
    ty: i32,
    op: i32,
    comm: i32,
}

/// The shared body of Reduce (with a root) and Allreduce (without).
fn reduce_call(name: &str, args: ReduceArgs, root: Option<i32>) {
    call(name, |rank| {
        let comm = rank.comm(args.comm)?;
        let root = root.map(|r| root_arg(r, &comm)).transpose()?;
        let gets = root.is_none_or(|r| r == comm.rank());
        let recv: &mut [u8] = if gets {
            bytes(args.recvbuf, args.count, args.ty)?
        } else {
            &mut []
        };
        if args.sendbuf == IN_PLACE && !gets {
            return Err(fatal(
                "MPI_ERR_BUFFER",
                "MPI_IN_PLACE is the root's send buffer only",
            ));
        }
        let own = ::mpi::try_copy(recv)?;
        let send = send_block(args.sendbuf, args.count, args.ty, &own)?;
        let (ty, reduction) = (Type::from_handle(args.ty)?, reduction(args.op)?);
        if let Some(result) = reduce_bytes(rank, &comm, send, ty, reduction, root)? {
            recv.copy_from_slice(&result);
        }
        Ok(())
    });
}

pub extern "C" fn MPI_Reduce(
    sendbuf: *const u8,
    recvbuf: *mut u8,
    count: i32,
    ty: i32,
    op: i32,
    root: i32,
    comm: i32,
) -> i32 {
    let args = ReduceArgs {
        sendbuf,
        recvbuf,
        count,
        ty,
        op,
        comm,
    };
    reduce_call("MPI_Reduce", args, Some(root));
    0
}

pub extern "C" fn MPI_Allreduce(
    sendbuf: *const u8,
    recvbuf: *mut u8,
    count: i32,
    ty: i32,
    op: i32,
    comm: i32,
) -> i32 {
    let args = ReduceArgs {
        sendbuf,
        recvbuf,
        count,
        ty,
        op,
        comm,
    };
    reduce_call("MPI_Allreduce", args, None);
    0
}

pub extern "C" fn MPI_Scan(
    sendbuf: *const u8,
    recvbuf: *mut u8,
    count: i32,
    ty: i32,
    op: i32,
    comm: i32,
) -> i32 {
    call("MPI_Scan", |rank| {
        let comm = rank.comm(comm)?;
        let recv = bytes(recvbuf, count, ty)?;
        let own = ::mpi::try_copy(recv)?;
        let send = send_block(sendbuf, count, ty, &own)?;
        let all = gather_all(rank, &comm, send, send.len())?;
        let result = fold_blocks(
            reduction(op)?,
            Type::from_handle(ty)?,
            &all,
            send.len(),
            comm.rank(),
        )?;
        recv.copy_from_slice(&result);
        Ok(())
    });
    0
}
