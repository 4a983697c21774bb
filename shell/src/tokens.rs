//! Splits a command line into words: whitespace separates them and double
//! quotes group (`"a  b"` is one word, `--name="a b"` too). There are no
//! escapes, variables or globs.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use crate::error::Error;

/// One word of a command line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    /// The word with its quotes removed.
    pub(crate) text: Cow<'a, str>,
    /// It began with a quote, so it is plain text: never an option or the
    /// background mark, even if it reads `--x` or `&`.
    pub(crate) literal: bool,
}

/// Splits `line` into words.
pub(crate) fn tokenize(line: &str) -> Result<Vec<Token<'_>>, Error> {
    let mut tokens = Vec::new();
    let mut rest = line.trim_start();
    while !rest.is_empty() {
        let end = word_end(rest)?;
        tokens.push(unquote(&rest[..end]));
        rest = rest[end..].trim_start();
    }
    Ok(tokens)
}

/// The length of the word at the start of `text`: up to the first whitespace
/// outside quotes.
fn word_end(text: &str) -> Result<usize, Error> {
    let mut quoted = false;
    for (at, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => return Ok(at),
            _ => {}
        }
    }
    if quoted {
        Err(Error::UnterminatedQuote)
    } else {
        Ok(text.len())
    }
}

/// A word as it is meant: without its quotes.
fn unquote(raw: &str) -> Token<'_> {
    let text = if raw.contains('"') {
        Cow::Owned(raw.chars().filter(|&c| c != '"').collect::<String>())
    } else {
        Cow::Borrowed(raw)
    };
    Token {
        text,
        literal: raw.starts_with('"'),
    }
}
