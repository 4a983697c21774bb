//! Tests for `suggest`: edit distance and picking a close name.

use crate::suggest::{distance, suggest};

const NAMES: [&str; 6] = ["echo", "help", "ping", "pingall", "sleep", "trace"];

/// The suggestion for `word` among `NAMES`.
fn for_word(word: &str) -> Option<&'static str> {
    suggest(word, NAMES.iter().copied())
}

#[test]
fn distance_counts_edits_and_swaps() {
    assert_eq!(distance("ping", "ping"), 0);
    assert_eq!(distance("pnig", "ping"), 1);
    assert_eq!(distance("png", "ping"), 1);
    assert_eq!(distance("pinng", "ping"), 1);
    assert_eq!(distance("pong", "ping"), 1);
    assert_eq!(distance("", "ping"), 4);
    assert_eq!(distance("PING", "ping"), 0);
    assert_eq!(distance("abc", "xyz"), 3);
}

#[test]
fn close_typos_get_a_suggestion() {
    assert_eq!(for_word("pnig"), Some("ping"));
    assert_eq!(for_word("hlep"), Some("help"));
    assert_eq!(for_word("eho"), Some("echo"));
    assert_eq!(for_word("trcae"), Some("trace"));
    assert_eq!(for_word("Sleep"), Some("sleep"));
}

#[test]
fn a_unique_prefix_is_a_suggestion() {
    assert_eq!(for_word("sl"), Some("sleep"));
    assert_eq!(for_word("pinga"), Some("pingall"));
}

#[test]
fn a_shared_prefix_falls_back_to_distance() {
    assert_eq!(for_word("pin"), Some("ping"));
}

#[test]
fn nothing_close_means_no_suggestion() {
    assert_eq!(for_word("xyzzy"), None);
    assert_eq!(for_word("reboot"), None);
    assert_eq!(for_word("q"), None);
}
