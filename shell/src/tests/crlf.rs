//! Tests for the `CrLf` adapter.

use alloc::string::String;
use core::fmt::Write;

use crate::crlf::CrLf;

/// What `CrLf` makes of `pieces` written one after another, then `end_line`.
fn through(pieces: &[&str], end_line: bool) -> String {
    let mut out = String::new();
    let mut lines = CrLf::new(&mut out);
    for piece in pieces {
        lines.write_str(piece).unwrap();
    }
    if end_line {
        lines.end_line().unwrap();
    }
    out
}

#[test]
fn bare_newlines_get_a_carriage_return() {
    assert_eq!(through(&["a\nb\n"], false), "a\r\nb\r\n");
    assert_eq!(through(&["\n\n"], false), "\r\n\r\n");
}

#[test]
fn existing_crlf_is_left_alone_even_across_writes() {
    assert_eq!(through(&["a\r\n"], false), "a\r\n");
    assert_eq!(through(&["a\r", "\n"], false), "a\r\n");
    assert_eq!(through(&["a\r", "", "\n"], false), "a\r\n");
}

#[test]
fn end_line_finishes_only_an_open_line() {
    assert_eq!(through(&[], true), "");
    assert_eq!(through(&["done"], true), "done\r\n");
    assert_eq!(through(&["done\n"], true), "done\r\n");
    assert_eq!(through(&["done\n", ""], true), "done\r\n");
}
