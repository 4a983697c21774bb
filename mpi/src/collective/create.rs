//! `create`: a sub-communicator whose context id its members agree on by
//! themselves (an allreduce MAX among them only), MPI_Comm_create_group style.

use super::{Coll, allreduce, tag};
use crate::algorithm::Algorithm;
use crate::comm::{AGREED_CONTEXTS, CONTEXTS_EXHAUSTED, Comm};
use crate::engine::Mpi;
use crate::error::Error;
use crate::op::Op;
use crate::transport::Transport;

impl<T: Transport> Mpi<T> {
    /// A communicator of `cores` (rank `i` is `cores[i]`, all in `parent`),
    /// with a fresh context id agreed among those cores alone: only they
    /// call it, in the same order for every group they share, with the same
    /// list. Each proposes the next id it has not used; the maximum wins, so
    /// no two communicators sharing a core ever get the same id.
    pub fn create(&mut self, parent: &Comm, cores: &[usize]) -> Result<Comm, Error> {
        for &core in cores {
            parent.rank_of(core)?;
        }
        // The agreement runs in the parent's context, ranked as the new group.
        let talk = Comm::new(parent.context(), cores, self.core, self.cores())?;
        let mine = [u32::from(self.next_agreed)];
        let mut c = Coll::new(self, &talk, 4);
        let agreed = allreduce::run(&mut c, &mine, Op::Max.into(), Algorithm::Tree, tag::CREATE)?;
        c.finish()?;
        let context = u16::try_from(agreed[0])
            .ok()
            .filter(|id| AGREED_CONTEXTS.contains(id));
        let context = context.ok_or(CONTEXTS_EXHAUSTED)?;
        self.next_agreed = context + 1;
        Comm::new(context, cores, self.core, self.cores())
    }
}
