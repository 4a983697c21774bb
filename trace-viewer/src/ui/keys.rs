//! Keys and what they do: a key press becomes an [`Action`], which the app
//! applies. While the filter is being typed, keys edit it instead.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Lines moved by PgUp/PgDn.
pub const PAGE: usize = 10;

/// Something the user asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Leave.
    Quit,
    /// Freeze or unfreeze the display (and hold a replay).
    Pause,
    /// Select the next sending core.
    SrcNext,
    /// Select the previous sending core.
    SrcPrev,
    /// Select the next receiving core.
    DstNext,
    /// Select the previous receiving core.
    DstPrev,
    /// Start typing a text filter.
    FilterStart,
    /// A character of the filter.
    FilterChar(char),
    /// Remove the filter's last character.
    FilterBackspace,
    /// Use the typed filter.
    FilterApply,
    /// Stop typing, keep the old filter.
    FilterCancel,
    /// Show the next core's lines only (then all again).
    CoreNext,
    /// Raise the lowest level shown (wrapping to TRACE).
    LevelNext,
    /// Clear every filter.
    ClearFilters,
    /// Scroll the log back by this many lines.
    ScrollBack(usize),
    /// Scroll the log forward by this many lines.
    ScrollForward(usize),
    /// Follow the newest lines again.
    Follow,
}

/// The action for `key`; `editing` when the filter is being typed.
pub fn action(key: KeyEvent, editing: bool) -> Option<Action> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return Some(Action::Quit);
    }
    if editing {
        return edit_action(key.code);
    }
    Some(match key.code {
        KeyCode::Char('q') | KeyCode::Esc => Action::Quit,
        KeyCode::Char(' ') | KeyCode::Char('p') => Action::Pause,
        KeyCode::Right => Action::SrcNext,
        KeyCode::Left => Action::SrcPrev,
        KeyCode::Down => Action::DstNext,
        KeyCode::Up => Action::DstPrev,
        KeyCode::Char('/') => Action::FilterStart,
        KeyCode::Char('c') => Action::CoreNext,
        KeyCode::Char('l') => Action::LevelNext,
        KeyCode::Char('x') => Action::ClearFilters,
        KeyCode::PageUp => Action::ScrollBack(PAGE),
        KeyCode::PageDown => Action::ScrollForward(PAGE),
        KeyCode::Char('k') => Action::ScrollBack(1),
        KeyCode::Char('j') => Action::ScrollForward(1),
        KeyCode::End => Action::Follow,
        _ => return None,
    })
}

/// Keys while typing the filter.
fn edit_action(code: KeyCode) -> Option<Action> {
    Some(match code {
        KeyCode::Enter => Action::FilterApply,
        KeyCode::Esc => Action::FilterCancel,
        KeyCode::Backspace => Action::FilterBackspace,
        KeyCode::Char(c) => Action::FilterChar(c),
        _ => return None,
    })
}

/// The help line.
pub const HELP: &str = "q quit  space pause  ←/→ src  ↑/↓ dst  / filter  c core  l level  x clear  PgUp/PgDn j/k scroll  End follow";
