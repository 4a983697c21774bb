//! The core×core message matrix: for each queue (row = sender, column =
//! receiver) the messages of the last second and the total. The selected
//! queue is highlighted.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::bus::QueueId;
use crate::model::Model;

/// Characters per column.
pub const CELL: usize = 9;

/// Width the panel needs for `cores` cores, borders included.
pub fn width(cores: u16) -> u16 {
    (CELL * (usize::from(cores) + 1) + 2) as u16
}

/// The matrix panel.
pub fn widget(m: &Model, selected: QueueId) -> Paragraph<'static> {
    let n = m.core_count();
    let mut lines = vec![header(n)];
    for src in 0..n {
        let mut spans = vec![Span::raw(format!("{:>w$}", format!("{src} →"), w = CELL))];
        spans.extend((0..n).map(|dst| cell(m, QueueId { src, dst }, selected)));
        lines.push(Line::from(spans));
    }
    let block = Block::bordered().title(" messages src→dst: last 1 s/total ");
    Paragraph::new(lines).block(block)
}

/// The column headings.
fn header(n: u16) -> Line<'static> {
    let mut s = format!("{:>w$}", "src\\dst", w = CELL);
    for dst in 0..n {
        s.push_str(&format!("{:>w$}", format!("→{dst}"), w = CELL));
    }
    Line::styled(s, Style::new().add_modifier(Modifier::BOLD))
}

/// One queue's cell: "-" on the diagonal, "·" for no traffic.
fn cell(m: &Model, q: QueueId, selected: QueueId) -> Span<'static> {
    let (recent, total) = (m.messages.recent(q), m.messages.total(q));
    let text = match (q.src == q.dst, total) {
        (true, _) => "-".to_string(),
        (false, 0) => "·".to_string(),
        _ => format!("{recent}/{total}"),
    };
    let mut style = match recent {
        0 => Style::new().fg(Color::DarkGray),
        _ => Style::new().fg(Color::Green),
    };
    if q == selected {
        style = style.add_modifier(Modifier::REVERSED);
    }
    Span::styled(format!("{text:>w$}", w = CELL), style)
}
