//! The per-core panel: a bar of each core's records in the last second,
//! the spans it is inside (outermost first), the last callsite it hit and
//! the records it dropped.

use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::model::Model;

/// Characters of the activity bar.
const BAR: usize = 12;

/// The cores panel.
pub fn widget(m: &Model) -> Paragraph<'static> {
    let max = m.cores.records.max_recent().max(1);
    let lines: Vec<Line> = (0..m.core_count()).map(|c| line(m, c, max)).collect();
    Paragraph::new(lines).block(Block::bordered().title(" cores: records in the last second "))
}

/// One core's line.
fn line(m: &Model, core: u16, max: u64) -> Line<'static> {
    let recent = m.cores.records.recent(core);
    let filled = ((recent * BAR as u64).div_ceil(max) as usize).min(BAR);
    let bar = format!("{}{}", "█".repeat(filled), "░".repeat(BAR - filled));
    let drops = m.cores.drops(core);
    let drop_style = if drops > 0 {
        Style::new().fg(Color::Red)
    } else {
        Style::new().fg(Color::DarkGray)
    };
    Line::from(vec![
        Span::raw(format!("core {core:<3} ")),
        Span::styled(bar, Style::new().fg(Color::Cyan)),
        Span::raw(format!(" {recent:>7}/s  ")),
        Span::styled(format!("drops {drops:<5} "), drop_style),
        Span::raw(format!("in {:<40} ", stack(m, core))),
        Span::styled(
            format!("last {}", m.cores.last(core).unwrap_or("-")),
            Style::new().fg(Color::DarkGray),
        ),
    ])
}

/// The spans `core` is inside, as `outer > inner`, or "-".
fn stack(m: &Model, core: u16) -> String {
    let names: Vec<String> = m
        .spans
        .stack(core)
        .iter()
        .filter_map(|&id| m.spans.get(id))
        .map(|info| m.catalog.view(info.callsite, &[]).name().into_owned())
        .collect();
    if names.is_empty() {
        "-".to_string()
    } else {
        names.join(" > ")
    }
}
