//! Rank arithmetic of the logarithmic algorithms, with no messages: binomial
//! trees in ranks relative to the root, and recursive doubling's pairing.

/// Ranks renumbered so the root is 0: `rel = (rank - root) mod size`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Relative {
    /// Communicator size.
    pub(crate) size: usize,
    /// The root's rank.
    pub(crate) root: usize,
}

impl Relative {
    /// The relative rank of `rank`.
    pub(crate) fn rel(&self, rank: usize) -> usize {
        (rank + self.size - self.root) % self.size
    }

    /// The rank of relative rank `rel`.
    pub(crate) fn abs(&self, rel: usize) -> usize {
        (rel + self.root) % self.size
    }
}

/// The width of `rel`'s binomial subtree before clipping to `size`: its
/// lowest set bit, or for the root the first power of two `>= size`.
pub(crate) fn span(rel: usize, size: usize) -> usize {
    if rel == 0 {
        size.next_power_of_two()
    } else {
        1 << rel.trailing_zeros()
    }
}

/// `rel`'s parent in the binomial tree (`rel` less its lowest set bit).
pub(crate) fn parent(rel: usize) -> Option<usize> {
    (rel != 0).then(|| rel & (rel - 1))
}

/// The masks `m` of `rel`'s children `rel + m`, nearest first (1, 2, 4, …).
/// Reduce and gather take them in this order, bcast and scatter in reverse.
pub(crate) fn child_masks(rel: usize, size: usize) -> impl DoubleEndedIterator<Item = usize> {
    let bits = span(rel, size).trailing_zeros();
    (0..bits)
        .map(|b| 1usize << b)
        .filter(move |&m| rel + m < size)
}

/// Ranks in `rel`'s subtree: `rel .. rel + subtree(rel, size)`.
pub(crate) fn subtree(rel: usize, size: usize) -> usize {
    span(rel, size).min(size - rel)
}

/// Recursive doubling over any size: the largest power of two `p <= size`
/// takes part; the first `2 * rem` ranks (`rem = size - p`) pair up first,
/// each even one lending its data to the odd one above it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Doubling {
    /// Ranks in the doubling phase (a power of two).
    pub(crate) p: usize,
    /// Ranks that sit the doubling phase out.
    pub(crate) rem: usize,
}

impl Doubling {
    /// The layout for `size` ranks (`size >= 1`).
    pub(crate) fn new(size: usize) -> Self {
        let p = if size.is_power_of_two() {
            size
        } else {
            size.next_power_of_two() / 2
        };
        Self { p, rem: size - p }
    }

    /// `rank`'s number in the doubling phase, or `None` if it sits it out.
    pub(crate) fn newrank(&self, rank: usize) -> Option<usize> {
        if rank >= 2 * self.rem {
            Some(rank - self.rem)
        } else {
            (rank % 2 == 1).then_some(rank / 2)
        }
    }

    /// The rank playing doubling number `nr`.
    pub(crate) fn rank(&self, nr: usize) -> usize {
        if nr < self.rem {
            2 * nr + 1
        } else {
            nr + self.rem
        }
    }

    /// The first rank whose data doubling number `nr` holds (`nr == p` gives
    /// `size`): `nr` holds ranks `first(nr) .. first(nr + 1)`.
    pub(crate) fn first(&self, nr: usize) -> usize {
        if nr < self.rem { 2 * nr } else { nr + self.rem }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binomial_tree_of_eight_and_six() {
        assert_eq!(child_masks(0, 8).collect::<Vec<_>>(), [1, 2, 4]);
        assert_eq!(child_masks(4, 8).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(child_masks(4, 6).collect::<Vec<_>>(), [1]);
        assert_eq!(child_masks(3, 8).count(), 0);
        assert_eq!((parent(6), parent(5), parent(0)), (Some(4), Some(4), None));
        assert_eq!((subtree(0, 6), subtree(4, 6), subtree(2, 6)), (6, 2, 2));
    }

    #[test]
    fn every_rank_but_the_root_has_exactly_one_parent_listing_it() {
        for size in 1..=20 {
            let mut seen = vec![0; size];
            for rel in 0..size {
                for m in child_masks(rel, size) {
                    assert_eq!(parent(rel + m), Some(rel));
                    seen[rel + m] += 1;
                }
            }
            assert!(seen[1..].iter().all(|&s| s == 1), "size {size}");
        }
    }

    #[test]
    fn doubling_covers_every_rank_once() {
        for size in 1..=20 {
            let d = Doubling::new(size);
            assert!(d.p.is_power_of_two() && d.p <= size && size < 2 * d.p);
            for nr in 0..d.p {
                assert_eq!(d.newrank(d.rank(nr)), Some(nr));
                assert!(d.first(nr) < d.first(nr + 1));
            }
            assert_eq!((d.first(0), d.first(d.p)), (0, size));
        }
    }

    #[test]
    fn relative_ranks_wrap() {
        let r = Relative { size: 5, root: 3 };
        assert_eq!((r.rel(3), r.rel(0), r.abs(4)), (0, 2, 2));
    }
}
