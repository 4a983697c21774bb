//! The seven labs, one file each: the machine, the student version's feature
//! and the checks, in the order and with the points of the lab's handout.
//! Shared here: reading `key=value` fields from a line of output.

pub mod latency;
pub mod notify;
pub mod reduce;
pub mod ring;
pub mod shell;
pub mod spmd;
pub mod trace;

use std::collections::BTreeMap;

/// The `key=value` words of `line` whose value is a number, e.g. the header
/// of `vq dump`: `vq 0->1 size=64 ... used.idx=3 ...`.
pub fn fields(line: &str) -> BTreeMap<String, u64> {
    line.split_whitespace()
        .filter_map(|word| word.split_once('='))
        .filter_map(|(key, value)| Some((key.to_string(), value.parse().ok()?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_fields_are_read_and_others_skipped() {
        let got = fields("vq 0->1 size=64 used.idx=3 state=free x=");
        let want: BTreeMap<String, u64> = [("size".into(), 64), ("used.idx".into(), 3)].into();
        assert_eq!(got, want);
    }
}
