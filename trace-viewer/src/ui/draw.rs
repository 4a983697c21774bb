//! One frame: the status line, then the ring screen (the matrix beside the
//! ring, the cores, the event log) or the timeline screen (the timeline
//! over the log), the console pane under either when there is one, and the
//! key help, top to bottom.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::Line;

use super::app::{App, Screen};
use super::console::ConsoleWidget;
use super::keys::{CONSOLE_HELP, HELP, TIMELINE_HELP};
use super::timeline::TimelineWidget;
use super::{cores, log, matrix, ring, status};

/// Rows the console pane takes at most: the kernel's shell needs a few
/// lines of output above its prompt.
const CONSOLE_ROWS: u16 = 14;

/// Draws the whole screen.
pub fn draw(frame: &mut Frame<'_>, app: &App) {
    let [status_area, body, console_area, help] = areas(frame.area(), app.console.is_some());
    frame.render_widget(status::line(app), status_area);
    match app.screen {
        Screen::Rings => rings(frame, app, body),
        Screen::Timeline => timeline(frame, app, body),
    }
    if let Some(console) = app.console.as_ref() {
        let focused = app.console_focus;
        frame.render_widget(ConsoleWidget { console, focused }, console_area);
    }
    frame.render_widget(
        Line::styled(help_text(app), Style::new().fg(Color::DarkGray)),
        help,
    );
}

/// Status line, body, console pane (no rows without one) and help line.
fn areas(screen: Rect, console: bool) -> [Rect; 4] {
    let console_rows = match console {
        true => CONSOLE_ROWS.min(screen.height / 2),
        false => 0,
    };
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(console_rows),
        Constraint::Length(1),
    ])
    .areas(screen)
}

/// The console pane's inside (rows, columns) on a screen of `screen`.
pub fn console_size(screen: Rect) -> (u16, u16) {
    let pane = areas(screen, true)[2];
    (pane.height.saturating_sub(2), pane.width.saturating_sub(2))
}

/// The help line for the screen shown.
fn help_text(app: &App) -> String {
    let keys = match app.screen {
        Screen::Rings => HELP,
        Screen::Timeline => TIMELINE_HELP,
    };
    match app.console {
        Some(_) => format!("{keys}{CONSOLE_HELP}"),
        None => keys.to_string(),
    }
}

/// The ring screen: matrix beside ring, cores, log.
fn rings(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let m = app.shown();
    let n = m.core_count();
    let top_rows = (n + 3).max(ring_rows(app, area)).min(area.height / 2);
    let [top, cores_area, log_area] = Layout::vertical([
        Constraint::Length(top_rows),
        Constraint::Length(n + 2),
        Constraint::Min(3),
    ])
    .areas(area);
    let [matrix_area, ring_area] =
        Layout::horizontal([Constraint::Length(matrix::width(n)), Constraint::Min(20)]).areas(top);
    frame.render_widget(matrix::widget(m, app.queue), matrix_area);
    frame.render_widget(
        ring::widget(m, app.queue, ring_area.width.saturating_sub(2)),
        ring_area,
    );
    frame.render_widget(cores::widget(m), cores_area);
    frame.render_widget(
        log::widget(app, log_area.height.saturating_sub(2)),
        log_area,
    );
}

/// The timeline screen: the timeline over the log.
fn timeline(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let [lanes, log_area] =
        Layout::vertical([Constraint::Percentage(65), Constraint::Min(3)]).areas(area);
    let widget = TimelineWidget {
        model: app.shown(),
        view: &app.timeline,
    };
    frame.render_widget(widget, lanes);
    frame.render_widget(
        log::widget(app, log_area.height.saturating_sub(2)),
        log_area,
    );
}

/// Rows the ring panel wants at the screen's width.
fn ring_rows(app: &App, area: Rect) -> u16 {
    let n = app.shown().core_count();
    let width = area.width.saturating_sub(matrix::width(n) + 2).max(10);
    let size = app.shown().rings.get(&app.queue).map_or(0, |r| r.size());
    let per_row = ((width.saturating_sub(6)) / 4).max(1);
    4 * size.div_ceil(per_row) + 4
}
