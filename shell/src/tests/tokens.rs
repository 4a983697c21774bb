//! Tests for `tokens::tokenize`: splitting on whitespace and quotes.

use alloc::vec::Vec;

use crate::error::Error;
use crate::tokens::tokenize;

/// The words of `line`, quotes removed.
fn words(line: &str) -> Vec<(alloc::string::String, bool)> {
    let tokens = tokenize(line).expect("splits");
    tokens
        .into_iter()
        .map(|token| (token.text.into_owned(), token.literal))
        .collect()
}

/// Shorthand for an expected word.
fn word(text: &str, literal: bool) -> (alloc::string::String, bool) {
    (text.into(), literal)
}

#[test]
fn splits_on_any_whitespace() {
    assert_eq!(
        words("  ping  0\t all "),
        [word("ping", false), word("0", false), word("all", false)]
    );
    assert_eq!(words(""), []);
    assert_eq!(words("   "), []);
}

#[test]
fn quotes_group_words_and_keep_spaces() {
    assert_eq!(
        words("echo \"a  b\" c"),
        [word("echo", false), word("a  b", true), word("c", false)]
    );
    assert_eq!(words("echo \"\""), [word("echo", false), word("", true)]);
}

#[test]
fn quotes_may_cover_part_of_a_word() {
    assert_eq!(words("--name=\"a b\""), [word("--name=a b", false)]);
    assert_eq!(words("x\"y z\"w"), [word("xy zw", false)]);
    assert_eq!(words("\"--x\"y"), [word("--xy", true)]);
}

#[test]
fn an_unterminated_quote_is_an_error() {
    assert_eq!(
        tokenize("echo \"abc").unwrap_err(),
        Error::UnterminatedQuote
    );
    assert_eq!(
        tokenize("echo \"a\" \"").unwrap_err(),
        Error::UnterminatedQuote
    );
}
