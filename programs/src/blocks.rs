//! Block distribution: which items each rank owns (a balanced, contiguous
//! share), and scatter/gather of those shares through MPI's equal-count
//! collectives by padding every share to the widest one.

use alloc::vec::Vec;
use core::ops::Range;

use mpi::{Algorithm, Comm, Datatype};

use crate::transport::Mpi;

/// The items of `rank` among `n` split over `size` ranks: the first
/// `n % size` ranks get one more than the others.
pub fn share(n: usize, size: usize, rank: usize) -> Range<usize> {
    let (base, extra) = (n / size, n % size);
    let start = rank * base + rank.min(extra);
    start..start + base + usize::from(rank < extra)
}

/// Scatters `data` (`n` items of `width` elements, read at `root` only) so
/// that each rank gets its [`share`] of the items.
pub fn scatter<D: Datatype + Default>(
    mpi: &mut Mpi<'_>,
    comm: &Comm,
    data: &[D],
    n: usize,
    width: usize,
    root: usize,
) -> Result<Vec<D>, mpi::Error> {
    let (size, widest) = (comm.size(), n.div_ceil(comm.size()) * width);
    let mut padded = Vec::new();
    if comm.rank() == root {
        padded = mpi::try_filled(widest * size, D::default())?;
        for rank in 0..size {
            let items = share(n, size, rank);
            let from = &data[items.start * width..items.end * width];
            padded[rank * widest..][..from.len()].copy_from_slice(from);
        }
    }
    let mut mine = mpi::try_filled(widest, D::default())?;
    mpi.scatter(comm, &padded, &mut mine, root, Algorithm::Tree)?;
    mine.truncate(share(n, size, comm.rank()).len() * width);
    Ok(mine)
}

/// Gathers every rank's share (`mine`: its [`share`] of `n` items of
/// `width` elements) into all `n` items at `root`; other ranks get nothing.
pub fn gather<D: Datatype + Default>(
    mpi: &mut Mpi<'_>,
    comm: &Comm,
    mine: &[D],
    n: usize,
    width: usize,
    root: usize,
) -> Result<Vec<D>, mpi::Error> {
    let (size, widest) = (comm.size(), n.div_ceil(comm.size()) * width);
    let mut padded_mine = mpi::try_filled(widest, D::default())?;
    padded_mine[..mine.len()].copy_from_slice(mine);
    let mut all = mpi::try_filled(
        if comm.rank() == root {
            widest * size
        } else {
            0
        },
        D::default(),
    )?;
    mpi.gather(comm, &padded_mine, &mut all, root, Algorithm::Tree)?;
    if comm.rank() != root {
        return Ok(Vec::new());
    }
    let mut data = mpi::try_with_capacity(n * width)?;
    for rank in 0..size {
        let len = share(n, size, rank).len() * width;
        data.extend_from_slice(&all[rank * widest..][..len]);
    }
    Ok(data)
}
