//! Property tests of the decoder against flipped bytes, truncation, garbage
//! between frames, chunking and noise: no panic, every untouched frame
//! decoded, every damaged byte inside a reported stretch.

mod common;

use std::ops::Range;

use common::{arb_record, encode_stream};
use proptest::prelude::*;
use trace_wire::{DecodeError, DecodeErrorKind, Decoder, RecordBuf};

/// Everything a decoder made of one stream, pushed in `chunks`-sized pieces.
struct Outcome {
    records: Vec<RecordBuf>,
    damage: Vec<DecodeError>,
}

fn decode(stream: &[u8], chunk: usize) -> Outcome {
    let mut dec = Decoder::new();
    let (mut records, mut damage) = (Vec::new(), Vec::new());
    for piece in stream.chunks(chunk.max(1)) {
        for r in dec.push(piece) {
            match r {
                Ok(rec) => records.push(rec),
                Err(e) => damage.push(e),
            }
        }
    }
    damage.extend(dec.finish());
    assert_eq!(dec.stats().bytes, stream.len() as u64);
    Outcome { records, damage }
}

/// Whether some reported stretch covers stream offset `at`.
fn covered(damage: &[DecodeError], at: usize) -> bool {
    let at = at as u64;
    damage
        .iter()
        .any(|d| d.offset <= at && at < d.offset + d.len)
}

/// Frames untouched by the bytes changed at `hit`: their own bytes and the
/// delimiter before them are intact, so the decoder must return them.
fn intact(ranges: &[Range<usize>], hit: &[usize]) -> Vec<usize> {
    let touched = |r: &Range<usize>| hit.iter().any(|&h| r.contains(&h) || h + 1 == r.start);
    (0..ranges.len())
        .filter(|&i| !touched(&ranges[i]))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn flipped_bytes_lose_only_their_frames(
        records in prop::collection::vec(arb_record(), 1..24),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        chunk in 1usize..300,
    ) {
        let (mut stream, ranges) = encode_stream(&records);
        let mut hit = Vec::new();
        for (at, xor) in flips {
            let at = at.index(stream.len());
            stream[at] ^= xor.max(1);
            hit.push(at);
        }
        let out = decode(&stream, chunk);
        let must: Vec<&RecordBuf> = intact(&ranges, &hit).into_iter().map(|i| &records[i]).collect();
        let mut got = out.records.iter();
        for want in must {
            prop_assert!(got.any(|r| r == want), "an untouched frame was lost");
        }
        for &h in &hit {
            if stream[h] != 0 {
                prop_assert!(covered(&out.damage, h), "damaged byte {} not reported", h);
            }
        }
        for d in &out.damage {
            prop_assert!(d.offset + d.len <= stream.len() as u64);
        }
    }

    #[test]
    fn truncation_keeps_every_whole_frame(
        records in prop::collection::vec(arb_record(), 1..24),
        cut in any::<prop::sample::Index>(),
    ) {
        let (stream, ranges) = encode_stream(&records);
        let cut = cut.index(stream.len() + 1);
        let out = decode(&stream[..cut], 64);
        let whole = ranges.iter().filter(|r| r.end <= cut).count();
        prop_assert_eq!(&out.records[..], &records[..whole]);
        let partial = ranges.iter().find(|r| r.start < cut && cut < r.end);
        match partial {
            Some(r) => {
                prop_assert_eq!(out.damage.len(), 1);
                prop_assert_eq!(out.damage[0].offset, r.start as u64);
                prop_assert_eq!(out.damage[0].len, (cut - r.start) as u64);
                prop_assert_eq!(&out.damage[0].kind, &DecodeErrorKind::Truncated);
            }
            None => prop_assert!(out.damage.is_empty()),
        }
    }

    #[test]
    fn garbage_between_frames_is_skipped_and_reported(
        records in prop::collection::vec(arb_record(), 1..16),
        garbage in prop::collection::vec((any::<prop::sample::Index>(), prop::collection::vec(any::<u8>(), 1..40)), 1..5),
    ) {
        let (clean, ranges) = encode_stream(&records);
        let mut cuts: Vec<(usize, Vec<u8>)> = garbage
            .into_iter()
            .map(|(i, mut g)| { g.push(0); (ranges[i.index(ranges.len())].start, g) })
            .collect();
        cuts.sort_by_key(|c| c.0);
        let (stream, junk) = splice(&clean, &cuts);
        let out = decode(&stream, 97);
        prop_assert_eq!(&out.records, &records);
        for at in junk.into_iter().filter(|&at| stream[at] != 0) {
            prop_assert!(covered(&out.damage, at), "garbage byte {} not reported", at);
        }
    }

    #[test]
    fn chunking_does_not_change_the_result(
        records in prop::collection::vec(arb_record(), 1..16),
        chunk in 1usize..64,
    ) {
        let (stream, _) = encode_stream(&records);
        prop_assert_eq!(decode(&stream, chunk).records, records);
    }

    #[test]
    fn noise_never_panics(noise in prop::collection::vec(any::<u8>(), 0..4096), chunk in 1usize..600) {
        let out = decode(&noise, chunk);
        let skipped: u64 = out.damage.iter().map(|d| d.len).sum();
        prop_assert!(skipped <= noise.len() as u64);
    }
}

/// Inserts each `(offset, bytes)` of `cuts` (sorted) into `clean`; returns
/// the new stream and the positions of every inserted byte in it.
fn splice(clean: &[u8], cuts: &[(usize, Vec<u8>)]) -> (Vec<u8>, Vec<usize>) {
    let (mut out, mut junk, mut from) = (Vec::new(), Vec::new(), 0);
    for (at, bytes) in cuts {
        out.extend_from_slice(&clean[from..*at]);
        junk.extend(out.len()..out.len() + bytes.len());
        out.extend_from_slice(bytes);
        from = *at;
    }
    out.extend_from_slice(&clean[from..]);
    (out, junk)
}

#[test]
fn a_stream_without_delimiters_is_reported_as_too_long() {
    let mut dec = Decoder::with_max_frame(64);
    let junk = vec![0x55u8; 1000];
    assert_eq!(dec.push(&junk).count(), 0);
    let errs: Vec<_> = dec.push(&[0]).collect();
    assert_eq!(
        errs,
        vec![Err(DecodeError {
            offset: 0,
            len: 1000,
            kind: DecodeErrorKind::TooLong
        })]
    );
}
