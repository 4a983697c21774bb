//! Command history for the line editor: the last `HISTORY_LEN` lines, with
//! no consecutive duplicates, and the Up/Down walk through them that keeps
//! the unfinished line as a draft to come back to.

use alloc::collections::VecDeque;
use alloc::string::String;

/// How many lines the history keeps; the oldest goes first.
pub(crate) const HISTORY_LEN: usize = 32;

/// Past lines, oldest first, and where an Up/Down walk currently is.
pub(crate) struct History {
    entries: VecDeque<String>,
    /// The entry shown during a walk; `None` when editing a fresh line.
    walk: Option<usize>,
    /// The fresh line as it was when the walk began.
    draft: String,
}

impl History {
    /// An empty history.
    pub(crate) const fn new() -> Self {
        Self {
            entries: VecDeque::new(),
            walk: None,
            draft: String::new(),
        }
    }

    /// Records a finished line (unless blank or equal to the newest entry)
    /// and ends any walk.
    pub(crate) fn push(&mut self, line: &str) {
        self.walk = None;
        if line.trim().is_empty() || self.entries.back().is_some_and(|last| last == line) {
            return;
        }
        if self.entries.len() == HISTORY_LEN {
            self.entries.pop_front();
        }
        self.entries.push_back(line.into());
    }

    /// Steps to the next older entry; `current` is the line being edited,
    /// kept as the draft if this starts a walk. `None` when there is no older one.
    pub(crate) fn older(&mut self, current: &str) -> Option<&str> {
        let index = match self.walk {
            Some(index) => index.checked_sub(1)?,
            None => {
                let newest = self.entries.len().checked_sub(1)?;
                self.draft = current.into();
                newest
            }
        };
        self.walk = Some(index);
        Some(&self.entries[index])
    }

    /// Steps to the next newer entry, or back to the draft after the newest.
    /// `None` when not walking.
    pub(crate) fn newer(&mut self) -> Option<&str> {
        let index = self.walk? + 1;
        if index == self.entries.len() {
            self.walk = None;
            return Some(&self.draft);
        }
        self.walk = Some(index);
        Some(&self.entries[index])
    }

    /// Ends any walk without recording anything.
    pub(crate) fn reset(&mut self) {
        self.walk = None;
    }
}
