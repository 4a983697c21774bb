//! Tab completion: the `Completer` trait the editor asks for candidate words,
//! and the pure step that turns candidates into "insert this" or "these are
//! the choices". Drawing is the editor's business.

use alloc::string::String;
use alloc::vec::Vec;

/// Supplies the words Tab can complete to.
pub trait Completer {
    /// Offers candidates for `word`, the text from the last space before the
    /// cursor up to the cursor; `before` is the line before `word`.
    ///
    /// Calls `offer` once per candidate. The editor drops candidates that do
    /// not start with `word` (so a completer may offer all it has) and those
    /// that are not printable ASCII without spaces.
    fn candidates(&self, before: &str, word: &str, offer: &mut dyn FnMut(&str));
}

/// A list of command names: completes the first word of the line only.
impl Completer for &[&str] {
    fn candidates(&self, before: &str, _word: &str, offer: &mut dyn FnMut(&str)) {
        if before.trim().is_empty() {
            self.iter().for_each(|name| offer(name));
        }
    }
}

/// What Tab should do.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Completion {
    /// No candidate matches.
    Nothing,
    /// Insert this text at the cursor: the rest of the only candidate plus a
    /// space, or the rest of the candidates' common prefix.
    Extend(String),
    /// Several candidates, sorted, and nothing to add: these are the choices.
    Choices(Vec<String>),
}

/// Asks `completer` about `word` (with `before` in front of it) and decides.
pub(crate) fn complete(completer: &dyn Completer, before: &str, word: &str) -> Completion {
    let mut found: Vec<String> = Vec::new();
    completer.candidates(before, word, &mut |candidate| {
        let usable = candidate.bytes().all(|byte| matches!(byte, b'!'..=b'~'));
        if usable && candidate.starts_with(word) && !found.iter().any(|seen| seen == candidate) {
            found.push(candidate.into());
        }
    });
    found.sort();
    match found.as_slice() {
        [] => Completion::Nothing,
        [only] => Completion::Extend(alloc::format!("{} ", &only[word.len()..])),
        [first, .., last] => {
            let common = common_prefix(first, last);
            if common.len() > word.len() {
                Completion::Extend(common[word.len()..].into())
            } else {
                Completion::Choices(found)
            }
        }
    }
}

/// The longest common prefix of two ASCII words; for the first and last of
/// a sorted list it is the common prefix of the whole list.
fn common_prefix<'w>(a: &'w str, b: &str) -> &'w str {
    let len = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    &a[..len]
}
