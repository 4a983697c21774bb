//! Keys and what they do: a key press becomes an [`Action`], which the app
//! applies. What a key means depends on the [`Mode`]: while the filter is
//! being typed, keys edit it; the ring screen and the timeline share most
//! keys, but the arrows select a queue on one and scroll the other.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Lines moved by PgUp/PgDn.
pub const PAGE: usize = 10;

/// Columns the timeline moves per arrow key.
pub const SCROLL_COLS: i64 = 16;

/// The key that moves typing between the console pane and the viewer.
pub const CONSOLE_KEY: KeyCode = KeyCode::F(2);

/// What keys are for at the moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The ring screen (matrix, ring, cores, log).
    Rings,
    /// The timeline screen.
    Timeline,
    /// Typing the log filter.
    Editing,
}

/// Something the user asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Leave.
    Quit,
    /// Freeze or unfreeze the display (and hold a replay).
    Pause,
    /// Switch between the ring screen and the timeline.
    ToggleScreen,
    /// Select the next sending core.
    SrcNext,
    /// Select the previous sending core.
    SrcPrev,
    /// Select the next receiving core.
    DstNext,
    /// Select the previous receiving core.
    DstPrev,
    /// Move the timeline by this many columns (negative: earlier).
    Scroll(i64),
    /// Halve the time per column of the timeline.
    ZoomIn,
    /// Double it.
    ZoomOut,
    /// Show the whole trace on the timeline.
    Fit,
    /// Select the next message on the timeline.
    MessageNext,
    /// Select the previous message on the timeline.
    MessagePrev,
    /// Move typing to the console pane.
    FocusConsole,
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
    /// Follow the newest lines (and, on the timeline, the newest records).
    Follow,
}

/// The action for `key` in `mode`.
pub fn action(key: KeyEvent, mode: Mode) -> Option<Action> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return Some(Action::Quit);
    }
    match mode {
        Mode::Editing => edit_action(key.code),
        Mode::Timeline => timeline_action(key.code).or_else(|| common_action(key.code)),
        Mode::Rings => rings_action(key.code).or_else(|| common_action(key.code)),
    }
}

/// Keys of both screens.
fn common_action(code: KeyCode) -> Option<Action> {
    Some(match code {
        KeyCode::Char('q') | KeyCode::Esc => Action::Quit,
        KeyCode::Char(' ') | KeyCode::Char('p') => Action::Pause,
        KeyCode::Char('t') => Action::ToggleScreen,
        CONSOLE_KEY => Action::FocusConsole,
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

/// The ring screen's arrows: the queue.
fn rings_action(code: KeyCode) -> Option<Action> {
    Some(match code {
        KeyCode::Right => Action::SrcNext,
        KeyCode::Left => Action::SrcPrev,
        KeyCode::Down => Action::DstNext,
        KeyCode::Up => Action::DstPrev,
        _ => return None,
    })
}

/// The timeline's keys: scroll, zoom, fit, select.
fn timeline_action(code: KeyCode) -> Option<Action> {
    Some(match code {
        KeyCode::Right => Action::Scroll(SCROLL_COLS),
        KeyCode::Left => Action::Scroll(-SCROLL_COLS),
        KeyCode::Char('+') | KeyCode::Char('=') => Action::ZoomIn,
        KeyCode::Char('-') => Action::ZoomOut,
        KeyCode::Char('0') | KeyCode::Home => Action::Fit,
        KeyCode::Char('n') | KeyCode::Down => Action::MessageNext,
        KeyCode::Char('N') | KeyCode::Up => Action::MessagePrev,
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

/// The help line of the ring screen.
pub const HELP: &str = "q quit  space pause  t timeline  ←/→ src  ↑/↓ dst  / filter  c core  l level  x clear  PgUp/PgDn j/k scroll  End follow";

/// The help line of the timeline.
pub const TIMELINE_HELP: &str = "q quit  space pause  t rings  ←/→ scroll  +/- zoom  0 fit  n/N or ↓/↑ message  End follow  / filter  c core";

/// Added to the help line when there is a console pane.
pub const CONSOLE_HELP: &str = "  F2 console";
