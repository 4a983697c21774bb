//! Property tests of the viewer against damaged input: whatever bytes are
//! flipped, cut or inserted into a synthetic trace, the model, the stats and
//! both exports run without panicking, and every skipped byte is reported.

mod common;

use proptest::prelude::*;
use trace_viewer::export::{Format, Timeline, render};
use trace_viewer::item::{Item, decode_all};
use trace_viewer::model::Model;
use trace_viewer::stats::Stats;

/// Runs every consumer over `bytes`; returns the items.
fn consume(bytes: &[u8]) -> Vec<Item> {
    let items = decode_all(bytes);
    let mut model = Model::default();
    items.iter().for_each(|i| model.apply(i));
    let stats = Stats::from_items(&items, bytes.len() as u64);
    let _ = stats.to_string();
    let t = Timeline::build(&items);
    render(&t, Format::ChromeJson);
    render(&t, Format::Perfetto);
    assert_eq!(model.counts.damaged as usize, stats.damaged.len());
    items
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn flipped_bytes_are_reported_and_never_panic(
        flips in prop::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..8),
    ) {
        let mut bytes = common::reduce_bytes();
        let mut hit = Vec::new();
        for (at, xor) in flips {
            let at = at.index(bytes.len());
            bytes[at] ^= xor;
            hit.push(at as u64);
        }
        let items = consume(&bytes);
        for at in hit.into_iter().filter(|&at| bytes[at as usize] != 0) {
            let covered = items.iter().any(|i| matches!(i, Item::Damaged(d) if d.offset <= at && at < d.offset + d.len));
            prop_assert!(covered, "flipped byte {} not in any reported stretch", at);
        }
    }

    #[test]
    fn any_cut_and_any_junk_never_panic(
        cut in any::<prop::sample::Index>(),
        junk in prop::collection::vec(any::<u8>(), 0..200),
        at in any::<prop::sample::Index>(),
    ) {
        let mut bytes = common::reduce_bytes();
        let cut = cut.index(bytes.len());
        bytes.truncate(cut);
        let at = at.index(bytes.len() + 1);
        bytes.splice(at..at, junk);
        consume(&bytes);
    }
}
