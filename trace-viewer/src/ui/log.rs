//! The scrolling event log panel: the newest lines that pass the filter,
//! with the filter (or the one being typed) in the title.

use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use trace_wire::Level;

use super::app::App;
use crate::model::LogLine;

/// The log panel, `rows` lines tall inside its border.
pub fn widget(app: &App, rows: u16) -> Paragraph<'static> {
    let lines: Vec<Line> = app
        .shown()
        .log
        .tail(&app.filter, app.scroll, usize::from(rows))
        .into_iter()
        .map(line)
        .collect();
    Paragraph::new(lines).block(Block::bordered().title(title(app)))
}

/// The title: filter, and scroll position when scrolled back.
fn title(app: &App) -> String {
    if let Some(typing) = &app.editing {
        return format!(" events: filter text: {typing}▏ (Enter apply, Esc cancel) ");
    }
    let f = &app.filter;
    let mut parts = Vec::new();
    if !f.text.is_empty() {
        parts.push(format!("\"{}\"", f.text));
    }
    if let Some(c) = f.core {
        parts.push(format!("core {c}"));
    }
    if f.min_level != Level::Trace {
        parts.push(format!("≥{}", f.min_level.as_str()));
    }
    let filter = if parts.is_empty() {
        "all".to_string()
    } else {
        parts.join(", ")
    };
    let scroll = if app.scroll > 0 {
        format!(", {} lines back (End: follow)", app.scroll)
    } else {
        String::new()
    };
    format!(" events: {filter}{scroll} ")
}

/// One log line: time in seconds, core, level, name, fields.
fn line(l: &LogLine) -> Line<'static> {
    let core = l
        .core
        .map_or_else(|| "  -".to_string(), |c| format!("c{c:<2}"));
    Line::from(vec![
        Span::styled(
            format!("{:>14.9} ", l.ts_ns as f64 / 1e9),
            Style::new().fg(Color::DarkGray),
        ),
        Span::raw(format!("{core} ")),
        Span::styled(format!("{:<5} ", l.level.as_str()), level_style(l.level)),
        Span::styled(format!("{} ", l.name), Style::new().fg(Color::Cyan)),
        Span::raw(l.text.clone()),
    ])
}

/// Colour by level.
fn level_style(l: Level) -> Style {
    match l {
        Level::Error => Style::new().fg(Color::Red),
        Level::Warn => Style::new().fg(Color::Yellow),
        Level::Info => Style::new().fg(Color::Green),
        Level::Debug => Style::new().fg(Color::Blue),
        Level::Trace => Style::new().fg(Color::DarkGray),
    }
}
