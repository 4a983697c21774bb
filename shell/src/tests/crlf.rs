//! Tests for the `CrLf` adapter.

use alloc::string::String;
use alloc::vec::Vec;
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

/// A sink that records each call it gets, to see how writes reach it.
#[derive(Default)]
struct Calls {
    fmt: Vec<String>,
    str: Vec<String>,
}

impl Write for Calls {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.str.push(s.into());
        Ok(())
    }

    fn write_fmt(&mut self, args: core::fmt::Arguments<'_>) -> core::fmt::Result {
        let mut text = String::new();
        text.write_fmt(args)?;
        self.fmt.push(text);
        Ok(())
    }
}

#[test]
fn one_formatted_write_reaches_the_sink_as_one_write_converted() {
    let mut calls = Calls::default();
    let mut lines = CrLf::new(&mut calls);
    let name = "deadlock";
    write!(lines, "'{name}' running on {} core(s)\nnext", 3).unwrap();
    lines.end_line().unwrap();
    assert_eq!(
        calls.fmt,
        ["'deadlock' running on 3 core(s)\r\nnext"],
        "one write_fmt, converted"
    );
    assert_eq!(
        calls.str.concat(),
        "\r\n",
        "end_line knew the line was open"
    );
}

#[test]
fn a_formatted_write_after_a_carriage_return_adds_none() {
    let mut out = String::new();
    let mut lines = CrLf::new(&mut out);
    lines.write_str("a\r").unwrap();
    writeln!(lines).unwrap();
    let b = "b";
    write!(lines, "{b}").unwrap();
    lines.end_line().unwrap();
    assert_eq!(out, "a\r\nb\r\n");
}
