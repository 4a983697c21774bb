//! The selected queue's ring drawn slot by slot: each slot's buffer and
//! state (posted, being filled, filled, consumed), and where the heads are:
//! A = avail.idx, U = used.idx, C = the receiver's next entry.

use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::bus::QueueId;
use crate::model::{Model, RingState, SlotState};

/// Characters per slot.
const CELL: usize = 4;
/// Characters of the row labels.
const LABEL: usize = 6;

/// The ring panel, laid out for an inner width of `width` characters.
pub fn widget(m: &Model, q: QueueId, width: u16) -> Paragraph<'static> {
    let Some(ring) = m.rings.get(&q) else {
        let block = Block::bordered().title(format!(" queue {q} "));
        return Paragraph::new(format!("no events for queue {q} yet (←/→ src, ↑/↓ dst)"))
            .block(block);
    };
    let title = format!(" queue {q} ring: {} ", geometry(ring));
    let mut lines = vec![heads(ring)];
    let per_row = (usize::from(width).saturating_sub(LABEL) / CELL).max(1);
    let slots = ring.slots();
    for start in (0..slots.len()).step_by(per_row) {
        let end = (start + per_row).min(slots.len());
        lines.extend(rows(ring, start, end));
    }
    lines.push(Line::styled(LEGEND, Style::new().fg(Color::DarkGray)));
    Paragraph::new(lines).block(Block::bordered().title(title))
}

/// The ring's size and buffer size, and whether the kernel announced them:
/// "64 slots of 1024 B (announced)", or "8 slots (guessed)".
pub fn geometry(ring: &RingState) -> String {
    let buffers = ring
        .buf_size()
        .map_or(String::new(), |b| format!(" of {b} B"));
    let source = if ring.size_known() {
        "announced"
    } else {
        "guessed"
    };
    format!("{} slots{buffers} ({source})", ring.size())
}

/// What the glyphs mean.
const LEGEND: &str =
    "P posted  f filling  F filled  · free   A avail.idx  U used.idx  C next to consume";

/// The head values and the queue's totals.
fn heads(r: &RingState) -> Line<'static> {
    Line::raw(format!(
        "avail {}  filled {}  used {}  consumed {}   in flight {}  msgs {}  bytes {}  stalls {}",
        r.avail_head(),
        r.filled,
        r.used,
        r.consumed,
        r.in_flight(),
        r.messages,
        r.bytes,
        r.stalls
    ))
}

/// The four lines drawing slots `start..end`: number, buffer, state, heads.
fn rows(r: &RingState, start: usize, end: usize) -> Vec<Line<'static>> {
    let slots = r.slots();
    let range = start..end;
    let num = range
        .clone()
        .map(|s| format!("{s:>CELL$}"))
        .collect::<String>();
    let desc = slots[range.clone()].iter().map(|s| {
        s.desc
            .map_or(format!("{:>CELL$}", "-"), |d| format!("{d:>CELL$}"))
    });
    let state = slots[range.clone()].iter().map(|s| glyph(s.state));
    let marks = range
        .map(|s| format!("{:>CELL$}", markers(r, s as u16)))
        .collect::<String>();
    vec![
        Line::raw(format!("{:<LABEL$}{num}", "slot")),
        Line::raw(format!("{:<LABEL$}{}", "desc", desc.collect::<String>())),
        Line::from(
            [Span::raw(format!("{:<LABEL$}", "state"))]
                .into_iter()
                .chain(state)
                .collect::<Vec<_>>(),
        ),
        Line::styled(
            format!("{:<LABEL$}{marks}", ""),
            Style::new().fg(Color::Yellow),
        ),
    ]
}

/// A slot's state as a coloured glyph.
fn glyph(s: SlotState) -> Span<'static> {
    let (g, color) = match s {
        SlotState::Free => ("·", Color::DarkGray),
        SlotState::Posted => ("P", Color::Blue),
        SlotState::Filling => ("f", Color::Yellow),
        SlotState::Ready => ("F", Color::Green),
    };
    Span::styled(format!("{g:>CELL$}"), Style::new().fg(color))
}

/// Which heads point at `slot`.
fn markers(r: &RingState, slot: u16) -> String {
    let mut s = String::new();
    for (head, mark) in [(r.avail_head(), 'A'), (r.used, 'U'), (r.consumed, 'C')] {
        if r.slot_of(head) == slot {
            s.push(mark);
        }
    }
    s
}
