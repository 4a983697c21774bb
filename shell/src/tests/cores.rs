//! Tests for core arguments: `parse_core`, `CoreSet` and `CoreOrAll`.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::cores::{CoreOrAll, CoreSet, MAX_CORES, parse_core};
use crate::error::Error;

/// The cores `text` lists on a 4-core machine.
fn cores(text: &str) -> Vec<usize> {
    CoreSet::parse(text, 4).expect("parses").iter().collect()
}

/// The message for a core list that does not parse on a 4-core machine.
fn problem(text: &str) -> String {
    CoreSet::parse(text, 4).unwrap_err().to_string()
}

#[test]
fn lists_and_ranges() {
    assert_eq!(cores("2"), [2]);
    assert_eq!(cores("1,3"), [1, 3]);
    assert_eq!(cores("1-3"), [1, 2, 3]);
    assert_eq!(cores("3,0-1"), [0, 1, 3]);
    assert_eq!(cores("2-2"), [2]);
    assert_eq!(cores("all"), [0, 1, 2, 3]);
    assert_eq!(CoreSet::parse("0,2-5,7", 8).unwrap().bits(), 0b1011_1101);
}

#[test]
fn empty_lists_and_entries_are_errors() {
    assert_eq!(problem(""), "the core list is empty");
    assert_eq!(problem(","), "empty entry in core list ','");
    assert_eq!(problem("1,,2"), "empty entry in core list '1,,2'");
    assert_eq!(problem("1,"), "empty entry in core list '1,'");
}

#[test]
fn a_reversed_range_is_an_error() {
    assert_eq!(
        problem("3-1"),
        "core range 3-1 is reversed (did you mean 1-3?)"
    );
}

#[test]
fn a_half_range_is_an_error() {
    assert_eq!(
        problem("1-"),
        "core range '1-' needs a number on each side of '-'"
    );
    assert_eq!(
        problem("-2"),
        "core range '-2' needs a number on each side of '-'"
    );
}

#[test]
fn a_core_listed_twice_is_an_error() {
    assert_eq!(problem("2,2"), "core 2 is listed twice");
    assert_eq!(problem("1-3,2"), "core 2 is listed twice");
}

#[test]
fn cores_out_of_range_or_not_numbers() {
    assert_eq!(problem("9"), "core 9 is out of range (valid: 0-3)");
    assert_eq!(problem("0-4"), "core 4 is out of range (valid: 0-3)");
    assert_eq!(problem("1,x"), "'x' is not a number");
    assert_eq!(
        problem("1-2-3"),
        "core range '1-2-3' has more than one '-' (a range is FIRST-LAST)"
    );
}

#[test]
fn core_counts_are_capped_at_the_set_size() {
    assert_eq!(
        CoreSet::parse("63", 100)
            .unwrap()
            .iter()
            .collect::<Vec<_>>(),
        [63]
    );
    assert_eq!(
        CoreSet::parse("64", 100).unwrap_err().to_string(),
        "core 64 is out of range (valid: 0-63)"
    );
    assert_eq!(CoreSet::parse("all", 100).unwrap().len(), MAX_CORES);
}

#[test]
fn set_operations() {
    let set = CoreSet::default().with(1).with(5);
    assert!(set.contains(1) && set.contains(5) && !set.contains(2) && !set.contains(MAX_CORES));
    assert_eq!((set.len(), set.is_empty()), (2, false));
    assert!(CoreSet::default().is_empty());
    assert_eq!(CoreSet::from_bits(set.bits()), set);
    assert_eq!(CoreSet::all(3).bits(), 0b111);
    assert_eq!(set.without(1), CoreSet::default().with(5));
    assert_eq!(set.without(2).without(MAX_CORES), set);
}

#[test]
#[should_panic(expected = "core 64 does not fit")]
fn with_rejects_cores_past_the_set_size() {
    let _ = CoreSet::default().with(MAX_CORES);
}

#[test]
fn display_reads_back() {
    for text in ["0,2-5,7", "3", "0-63", "1,3"] {
        assert_eq!(CoreSet::parse(text, 64).unwrap().to_string(), text);
    }
    assert_eq!(CoreSet::default().to_string(), "none");
}

#[test]
fn parse_core_checks_the_count() {
    assert_eq!(parse_core("3", 4), Ok(3));
    assert_eq!(
        parse_core("4", 4),
        Err(Error::OutOfRange {
            name: "core",
            value: 4,
            min: 0,
            max: 3
        })
    );
    assert_eq!(parse_core("0", 0), Ok(0));
}

#[test]
fn core_or_all() {
    assert_eq!(CoreOrAll::parse("all", 4), Ok(CoreOrAll::All));
    assert_eq!(CoreOrAll::parse("2", 4), Ok(CoreOrAll::Core(2)));
    assert_eq!(
        CoreOrAll::parse("7", 4).unwrap_err().to_string(),
        "core 7 is out of range (valid: 0-3)"
    );
    assert_eq!(
        CoreOrAll::parse("al", 4).unwrap_err().to_string(),
        "'al' is not a number"
    );
    assert_eq!(CoreOrAll::Core(2).to_set(4).bits(), 0b100);
    assert_eq!(CoreOrAll::All.to_set(4).bits(), 0b1111);
}
