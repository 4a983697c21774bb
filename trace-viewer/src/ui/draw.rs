//! One frame: status line, then the matrix beside the ring, the cores, the
//! event log and the key help, top to bottom.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::Line;

use super::app::App;
use super::keys::HELP;
use super::{cores, log, matrix, ring, status};

/// Draws the whole screen.
pub fn draw(frame: &mut Frame<'_>, app: &App) {
    let m = app.shown();
    let n = m.core_count();
    let top_rows = (n + 3)
        .max(ring_rows(app, frame.area()))
        .min(frame.area().height / 2);
    let [status_area, top, cores_area, log_area, help] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(top_rows),
        Constraint::Length(n + 2),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    let [matrix_area, ring_area] =
        Layout::horizontal([Constraint::Length(matrix::width(n)), Constraint::Min(20)]).areas(top);
    frame.render_widget(status::line(app), status_area);
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
    frame.render_widget(Line::styled(HELP, Style::new().fg(Color::DarkGray)), help);
}

/// Rows the ring panel wants at the screen's width.
fn ring_rows(app: &App, area: Rect) -> u16 {
    let n = app.shown().core_count();
    let width = area.width.saturating_sub(matrix::width(n) + 2).max(10);
    let size = app.shown().rings.get(&app.queue).map_or(0, |r| r.size());
    let per_row = ((width.saturating_sub(6)) / 4).max(1);
    4 * size.div_ceil(per_row) + 4
}
