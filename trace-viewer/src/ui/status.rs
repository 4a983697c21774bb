//! The status line: the source and its state, totals, and every kind of
//! loss in red when non-zero (behind, dropped by the kernel, damaged bytes,
//! unknown callsites), so nothing is lost silently.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use super::app::App;
use crate::input::Status;

/// The status line.
pub fn line(app: &App) -> Line<'static> {
    let c = app.model.counts;
    let mut spans = vec![
        Span::styled(
            " ringlab trace ",
            Style::new().add_modifier(Modifier::REVERSED),
        ),
        Span::raw(format!(
            " {} · {} · {} items ",
            app.source,
            status(&app.status),
            c.items
        )),
    ];
    let behind = app.behind();
    spans.push(alarm(behind > 0, format!("· behind by {behind} events ")));
    spans.push(alarm(c.dropped > 0, format!("· dropped {} ", c.dropped)));
    spans.push(alarm(
        c.damaged > 0,
        format!("· damaged {} ({} B) ", c.damaged, c.damaged_bytes),
    ));
    if c.unknown_callsite > 0 {
        spans.push(alarm(
            true,
            format!("· {} undescribed ", c.unknown_callsite),
        ));
    }
    if app.paused() {
        let paused = format!(" PAUSED (+{} items) ", app.since_pause());
        spans.push(Span::styled(
            paused,
            Style::new().fg(Color::Black).bg(Color::Yellow),
        ));
    }
    Line::from(spans)
}

/// The source's state in words.
fn status(s: &Status) -> String {
    match s {
        Status::Waiting(n) => format!("waiting for the socket (try {n})"),
        Status::Connected => "connected".to_string(),
        Status::Disconnected => "closed, waiting for it to come back".to_string(),
        Status::Ended => "end of file".to_string(),
        Status::Failed(e) => format!("failed: {e}"),
    }
}

/// Red when `bad`, grey otherwise.
fn alarm(bad: bool, text: String) -> Span<'static> {
    let style = if bad {
        Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
    } else {
        Style::new().fg(Color::DarkGray)
    };
    Span::styled(text, style)
}
