//! "Did you mean ...?": picks the known name closest to a mistyped one, by
//! unique prefix or else by edit distance (optimal string alignment, i.e.
//! Levenshtein plus swaps of neighbours), ignoring case.

use alloc::vec;
use alloc::vec::Vec;

/// The name in `names` that `word` most likely meant, if any is close.
///
/// A word that starts exactly one name means that name. Otherwise the name
/// with the fewest edits wins (the first on a tie), allowing one edit per
/// three characters of `word`, and at least one.
pub(crate) fn suggest<'n>(
    word: &str,
    names: impl Iterator<Item = &'n str> + Clone,
) -> Option<&'n str> {
    let mut starting = names
        .clone()
        .filter(|name| !word.is_empty() && name.starts_with(word));
    if let (Some(only), None) = (starting.next(), starting.next()) {
        return Some(only);
    }
    let limit = word.chars().count().div_ceil(3).max(1);
    names
        .map(|name| (distance(word, name), name))
        .filter(|&(edits, _)| edits <= limit)
        .min_by_key(|&(edits, _)| edits)
        .map(|(_, name)| name)
}

/// The number of single-character insertions, deletions, substitutions and
/// swaps of adjacent characters that turn `a` into `b` (case ignored).
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    let width = b.len() + 1;
    // d[i * width + j]: edits from the first i characters of a to the first j of b.
    let mut d = vec![0; (a.len() + 1) * width];
    (0..=a.len()).for_each(|i| d[i * width] = i);
    (0..=b.len()).for_each(|j| d[j] = j);
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let change = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + change);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}
