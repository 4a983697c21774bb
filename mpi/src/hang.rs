//! Hang diagnosis: what a blocked rank waits for ([`Blocked`]), the hook an
//! embedder installs to be told of it on every idle turn ([`WaitHook`]), a
//! one-word encoding for per-core atomics, and [`wait_report`], which turns
//! every rank's state into "who waits for whom" lines and names cycles.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::comm::Comm;
use crate::error::Error;
use crate::inbox::{Pattern, TagPattern};
use crate::p2p::Tag;

/// Which messages a blocked receive accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitTag {
    /// This user tag.
    Tag(Tag),
    /// Any user tag (`MPI_ANY_TAG`).
    Any,
    /// A collective's internal message.
    Collective,
}

/// What a rank is blocked on, told to the [`WaitHook`] on each idle turn.
/// Peers are core ids when the hook hears them; [`Blocked::in_ranks`] turns
/// them into ranks of a communicator for [`wait_report`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blocked {
    /// Waiting to receive from `from` (`None`: any member) with `tag`.
    Recv {
        /// The sender it waits for, or any.
        from: Option<usize>,
        /// Which tags.
        tag: WaitTag,
    },
    /// Waiting to send to `to`, whose queue is full.
    Send {
        /// The receiver.
        to: usize,
    },
}

/// Told `Some(what)` on each idle turn of a blocking call, and `None` once
/// when something moves again (a frame arrives or a frame is sent) after a
/// `Some`. Runs on the blocked core: keep it short (a store to an atomic).
pub type WaitHook = Box<dyn FnMut(Option<Blocked>) + Send>;

/// Peer field of the word encoding meaning "any".
const ANY_PEER: u64 = 0xffff;

impl Blocked {
    /// What a receive waiting on `pat` waits for.
    pub(crate) fn receive(pat: &Pattern<'_>) -> Self {
        let tag = match pat.tag {
            TagPattern::Exact(t) if t >= 0 => WaitTag::Tag(t as Tag),
            TagPattern::Exact(_) => WaitTag::Collective,
            TagPattern::AnyUser => WaitTag::Any,
        };
        Blocked::Recv {
            from: pat.src_core,
            tag,
        }
    }

    /// The same with its peer as a rank of `comm` instead of a core id.
    pub fn in_ranks(self, comm: &Comm) -> Result<Self, Error> {
        Ok(match self {
            Blocked::Recv {
                from: Some(core),
                tag,
            } => Blocked::Recv {
                from: Some(comm.rank_of(core)?),
                tag,
            },
            Blocked::Recv { from: None, tag } => Blocked::Recv { from: None, tag },
            Blocked::Send { to } => Blocked::Send {
                to: comm.rank_of(to)?,
            },
        })
    }

    /// One nonzero word for a per-core atomic (0 stays "not blocked"):
    /// bits 62-63 kind, 48-61 tag kind, 32-47 peer (0xffff any), 0-31 tag.
    /// Peers must be below 0xffff.
    pub fn to_word(self) -> u64 {
        let (kind, peer, tag_kind, tag) = match self {
            Blocked::Recv { from, tag } => {
                let (tag_kind, t) = match tag {
                    WaitTag::Tag(t) => (0, t),
                    WaitTag::Any => (1, 0),
                    WaitTag::Collective => (2, 0),
                };
                (1, from.map_or(ANY_PEER, |p| p as u64), tag_kind, t)
            }
            Blocked::Send { to } => (2, to as u64, 0, 0),
        };
        kind << 62 | tag_kind << 48 | (peer & ANY_PEER) << 32 | u64::from(tag)
    }

    /// The state [`to_word`](Self::to_word) encoded; `None` for 0 (or junk).
    pub fn from_word(word: u64) -> Option<Self> {
        let peer = (word >> 32) & ANY_PEER;
        let from = (peer != ANY_PEER).then_some(peer as usize);
        let tag = match (word >> 48) & 0x3fff {
            0 => WaitTag::Tag(word as u32),
            1 => WaitTag::Any,
            2 => WaitTag::Collective,
            _ => return None,
        };
        match word >> 62 {
            1 => Some(Blocked::Recv { from, tag }),
            2 => from.map(|to| Blocked::Send { to }),
            _ => None,
        }
    }

    /// The one rank this waits for, if it is one (not an any-source wait).
    fn peer(self) -> Option<usize> {
        match self {
            Blocked::Recv { from, .. } => from,
            Blocked::Send { to } => Some(to),
        }
    }

    /// "waits to receive from 1 with tag 5", for rank `rank`'s line.
    fn describe(self) -> String {
        match self {
            Blocked::Send { to } => format!("waits to send to {to} (its queue is full)"),
            Blocked::Recv { from, tag } => {
                let who = from.map_or("any rank".into(), |s| format!("{s}"));
                let what = match tag {
                    WaitTag::Tag(t) => format!("with tag {t}"),
                    WaitTag::Any => "with any tag".into(),
                    WaitTag::Collective => "in a collective".into(),
                };
                format!("waits to receive from {who} {what}")
            }
        }
    }
}

/// Who waits for whom: `blocked[r]` is rank r's state (peers as ranks,
/// `None`: not blocked). One line per blocked rank, `rank r waits to receive
/// from s with tag t`, then one line per cycle of single-peer waits,
/// `deadlock: rank 0 waits for rank 1, rank 1 waits for rank 0`, each cycle
/// starting at its lowest rank.
pub fn wait_report(blocked: &[Option<Blocked>]) -> Vec<String> {
    let mut lines: Vec<String> = (blocked.iter().enumerate())
        .filter_map(|(r, b)| b.map(|b| format!("rank {r} {}", b.describe())))
        .collect();
    let next = |r: usize| blocked.get(r).copied().flatten().and_then(Blocked::peer);
    for start in 0..blocked.len() {
        if let Some(cycle) = cycle_from(start, next) {
            let hops: Vec<String> = (cycle.iter().zip(cycle.iter().cycle().skip(1)))
                .map(|(a, b)| format!("rank {a} waits for rank {b}"))
                .collect();
            lines.push(format!("deadlock: {}", hops.join(", ")));
        }
    }
    lines
}

/// The cycle through `start` following `next`, if `start` is its lowest rank.
fn cycle_from(start: usize, next: impl Fn(usize) -> Option<usize>) -> Option<Vec<usize>> {
    let mut cycle = Vec::from([start]);
    let mut at = next(start)?;
    while at != start {
        if at < start || cycle.contains(&at) {
            return None; // found from a lower rank, or a cycle start is not on
        }
        cycle.push(at);
        at = next(at)?;
    }
    Some(cycle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recv(from: usize, tag: Tag) -> Option<Blocked> {
        Some(Blocked::Recv {
            from: Some(from),
            tag: WaitTag::Tag(tag),
        })
    }

    #[test]
    fn two_ranks_receiving_from_each_other_are_a_deadlock() {
        assert_eq!(
            wait_report(&[recv(1, 0), recv(0, 0)]),
            [
                "rank 0 waits to receive from 1 with tag 0",
                "rank 1 waits to receive from 0 with tag 0",
                "deadlock: rank 0 waits for rank 1, rank 1 waits for rank 0",
            ]
        );
    }

    #[test]
    fn a_three_cycle_with_a_full_queue_and_a_bystander() {
        let any = Blocked::Recv {
            from: None,
            tag: WaitTag::Any,
        };
        let lines = wait_report(&[
            Some(any),
            Some(Blocked::Send { to: 2 }),
            Some(Blocked::Recv {
                from: Some(3),
                tag: WaitTag::Collective,
            }),
            recv(1, 7),
            None,
        ]);
        assert_eq!(
            lines,
            [
                "rank 0 waits to receive from any rank with any tag",
                "rank 1 waits to send to 2 (its queue is full)",
                "rank 2 waits to receive from 3 in a collective",
                "rank 3 waits to receive from 1 with tag 7",
                "deadlock: rank 1 waits for rank 2, rank 2 waits for rank 3, rank 3 waits for rank 1",
            ]
        );
    }

    #[test]
    fn a_chain_into_a_running_rank_is_no_deadlock() {
        assert_eq!(wait_report(&[recv(1, 0), recv(2, 0), None]).len(), 2);
    }

    #[test]
    fn peers_become_ranks_of_the_communicator() {
        let comm = Comm::new(3, &[5, 2], 2, 8).unwrap();
        let blocked = recv(5, 1).unwrap().in_ranks(&comm);
        assert_eq!(blocked, Ok(recv(0, 1).unwrap()));
        let outside = Blocked::Send { to: 4 }.in_ranks(&comm);
        assert_eq!(outside, Err(Error::NotInComm { core: 4 }));
    }

    #[test]
    fn words_round_trip() {
        let states = [
            recv(3, 0x7fff_ffff).unwrap(),
            Blocked::Recv {
                from: None,
                tag: WaitTag::Any,
            },
            Blocked::Recv {
                from: Some(0),
                tag: WaitTag::Collective,
            },
            Blocked::Send { to: 9 },
        ];
        for b in states {
            assert_ne!(b.to_word(), 0);
            assert_eq!(Blocked::from_word(b.to_word()), Some(b));
        }
        assert_eq!(Blocked::from_word(0), None);
    }
}
