//! `comm_split`: the parent's ranks split into communicators by colour,
//! ordered by key then parent rank, each with a context agreed by all.

use alloc::vec;
use alloc::vec::Vec;

use crate::algorithm::Algorithm;
use crate::comm::{AGREED_CONTEXTS, CONTEXTS_EXHAUSTED, Comm};
use crate::engine::Mpi;
use crate::error::Error;
use crate::transport::Transport;

/// A parent rank's colour on the wire: `None` (`MPI_UNDEFINED`) is this.
const UNDEFINED: u64 = u64::MAX;

impl<T: Transport> Mpi<T> {
    /// Splits `parent` (`MPI_Comm_split`): every rank of `parent` calls it;
    /// the ranks with one `color` form one communicator, ranked by `key`,
    /// ties by parent rank. `color: None` (`MPI_UNDEFINED`) takes part but
    /// gets no communicator. One allgather on `parent`: each rank learns all
    /// colours, keys and context proposals, so no further message is needed.
    pub fn comm_split(
        &mut self,
        parent: &Comm,
        color: Option<u32>,
        key: i32,
    ) -> Result<Option<Comm>, Error> {
        let colour = color.map_or(UNDEFINED, u64::from);
        let mine = [colour, key as i64 as u64, u64::from(self.next_agreed)];
        let mut all = vec![0u64; 3 * parent.size()];
        self.allgather(parent, &mine, &mut all, Algorithm::Tree)?;
        let rows: Vec<&[u64]> = all.chunks_exact(3).collect();
        // Above every member's next proposal: unused by all of them.
        let base = rows.iter().map(|row| row[2]).max().unwrap_or(0);
        let mut colours: Vec<u64> = rows.iter().map(|row| row[0]).collect();
        colours.retain(|&c| c != UNDEFINED);
        colours.sort_unstable();
        colours.dedup();
        let end = base + colours.len() as u64;
        if end > u64::from(AGREED_CONTEXTS.end) {
            return Err(CONTEXTS_EXHAUSTED);
        }
        self.next_agreed = end as u16;
        let Ok(index) = colours.binary_search(&colour) else {
            return Ok(None);
        };
        let mut members: Vec<(i64, usize)> = (rows.iter().enumerate())
            .filter(|(_, row)| row[0] == colour)
            .map(|(rank, row)| (row[1] as i64, rank))
            .collect();
        members.sort_unstable();
        let cores: Vec<usize> = members.iter().map(|&(_, r)| parent.cores()[r]).collect();
        let context = (base + index as u64) as u16;
        Comm::new(context, &cores, self.core, self.cores()).map(Some)
    }
}
