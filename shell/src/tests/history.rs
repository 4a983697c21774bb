//! Tests for `history::History`: what is kept, and the Up/Down walk.

use alloc::format;

use crate::history::{HISTORY_LEN, History};

#[test]
fn walks_back_and_forth_and_returns_to_the_draft() {
    let mut history = History::new();
    history.push("one");
    history.push("two");
    assert_eq!(history.older("draft"), Some("two"));
    assert_eq!(history.older("ignored"), Some("one"));
    assert_eq!(history.older("ignored"), None);
    assert_eq!(history.newer(), Some("two"));
    assert_eq!(history.newer(), Some("draft"));
    assert_eq!(history.newer(), None);
}

#[test]
fn empty_history_has_nothing_to_recall() {
    let mut history = History::new();
    assert_eq!(history.older("x"), None);
    assert_eq!(history.newer(), None);
}

#[test]
fn skips_blank_lines_and_consecutive_duplicates() {
    let mut history = History::new();
    for line in ["a", "a", "  ", "", "b", "a", "a"] {
        history.push(line);
    }
    assert_eq!(history.older(""), Some("a"));
    assert_eq!(history.older(""), Some("b"));
    assert_eq!(history.older(""), Some("a"));
    assert_eq!(history.older(""), None);
}

#[test]
fn keeps_only_the_newest_entries() {
    let mut history = History::new();
    for n in 0..HISTORY_LEN + 5 {
        history.push(&format!("line {n}"));
    }
    let mut oldest = None;
    while let Some(entry) = history.older("") {
        oldest = Some(alloc::string::String::from(entry));
    }
    assert_eq!(oldest.as_deref(), Some("line 5"));
}

#[test]
fn push_and_reset_end_the_walk() {
    let mut history = History::new();
    history.push("a");
    history.push("b");
    assert_eq!(history.older(""), Some("b"));
    history.reset();
    assert_eq!(history.newer(), None);
    assert_eq!(history.older(""), Some("b"));
    history.push("c");
    assert_eq!(history.older(""), Some("c"));
}
