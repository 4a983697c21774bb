//! The timeline, in the style of Jumpshot and Vampir: one lane per core,
//! its spans as bars (one row per nesting level), each message a line from
//! its send (◆) to its receive (●), a time axis, and the selected message's
//! fields and ring slot underneath. Where and how far it looks is
//! [`TimelineView`]; the bars and messages are the model's [`Lanes`].

use std::cell::Cell;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};
use trace_wire::contract::{mpi, shell};

use crate::model::{Bar, MessageLine, Model};

/// Columns of the lane labels ("core 12 ").
const LABEL: u16 = 8;
/// Most rows a lane gets; deeper spans share its last row.
const MAX_DEPTH: u16 = 3;
/// Columns between two ticks of the time axis.
const TICK: u16 = 16;
/// Rows under the lanes for the selected message.
const DETAILS: u16 = 3;
/// The glyph at a message's send.
pub const SEND_MARK: &str = "◆";
/// The glyph at a message's receive.
pub const RECV_MARK: &str = "●";
/// The scale a new view starts at.
const DEFAULT_NS_PER_COL: u64 = 10_000;

/// Where the timeline looks, and what is selected.
#[derive(Clone, Debug)]
pub struct TimelineView {
    /// Time at the left edge; `None` follows the newest record.
    pub start_ns: Option<u64>,
    /// Nanoseconds per column (at least 1).
    pub ns_per_col: u64,
    /// The selected message's id in the model's lanes.
    pub selected: Option<usize>,
    /// Columns of time the last frame had, for zooming about the middle.
    cols: Cell<u16>,
}

impl Default for TimelineView {
    fn default() -> Self {
        Self {
            start_ns: None,
            ns_per_col: DEFAULT_NS_PER_COL,
            selected: None,
            cols: Cell::new(100),
        }
    }
}

impl TimelineView {
    /// The left edge's time for a model whose newest record is `now_ns`.
    pub fn start(&self, now_ns: u64) -> u64 {
        self.start_ns
            .unwrap_or_else(|| now_ns.saturating_sub(u64::from(self.cols.get()) * self.ns_per_col))
    }

    /// Moves the view by `cols` columns (negative: back in time).
    pub fn scroll(&mut self, m: &Model, cols: i64) {
        let step = cols.saturating_mul(self.ns_per_col as i64);
        self.start_ns = Some(self.start(m.now_ns).saturating_add_signed(step));
    }

    /// Halves (`zoom_in`) or doubles the time per column, keeping the
    /// middle of the view where it is.
    pub fn zoom(&mut self, m: &Model, zoom_in: bool) {
        let half = u64::from(self.cols.get() / 2);
        let middle = self.start(m.now_ns) + half * self.ns_per_col;
        self.ns_per_col = if zoom_in {
            (self.ns_per_col / 2).max(1)
        } else {
            self.ns_per_col.saturating_mul(2)
        };
        self.start_ns = Some(middle.saturating_sub(half * self.ns_per_col));
    }

    /// Shows everything the lanes hold.
    pub fn fit(&mut self, m: &Model) {
        let Some((lo, hi)) = m.lanes.extent() else {
            return;
        };
        let cols = u64::from(self.cols.get().max(1));
        self.ns_per_col = (hi - lo + 1).div_ceil(cols).max(1);
        self.start_ns = Some(lo);
    }

    /// Follows the newest record again.
    pub fn follow(&mut self) {
        self.start_ns = None;
    }

    /// Selects the next (or previous) message and brings it into view.
    pub fn select(&mut self, m: &Model, forward: bool) {
        let ids: Vec<usize> = m.lanes.messages().map(|(id, _)| id).collect();
        let next = match (self.selected, forward) {
            (None, _) => self.first_visible(m).or(ids.first().copied()),
            (Some(s), true) => ids.iter().copied().find(|&id| id > s),
            (Some(s), false) => ids.iter().rev().copied().find(|&id| id < s),
        };
        let Some(id) = next.or(self.selected) else {
            return;
        };
        self.selected = Some(id);
        if let Some(line) = m.lanes.line(id) {
            self.reveal(m, line);
        }
    }

    /// The first message whose send or receive is in view.
    fn first_visible(&self, m: &Model) -> Option<usize> {
        let start = self.start(m.now_ns);
        let end = start + u64::from(self.cols.get()) * self.ns_per_col;
        m.lanes
            .messages()
            .find(|(_, l)| (start..end).contains(&l.ts_ns()))
            .map(|(id, _)| id)
    }

    /// Scrolls so `line`'s first end is in view, a quarter from the left.
    fn reveal(&mut self, m: &Model, line: &MessageLine) {
        let start = self.start(m.now_ns);
        let end = start + u64::from(self.cols.get()) * self.ns_per_col;
        let ts = line.ts_ns();
        if !(start..end).contains(&ts) {
            let quarter = u64::from(self.cols.get() / 4) * self.ns_per_col;
            self.start_ns = Some(ts.saturating_sub(quarter));
        }
    }
}

/// The timeline panel of model `m` as `view` looks at it.
pub struct TimelineWidget<'a> {
    /// What to draw.
    pub model: &'a Model,
    /// Where to look.
    pub view: &'a TimelineView,
}

impl Widget for TimelineWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let view = self.view;
        let block = Block::bordered().title(title(self.model, view));
        let inner = block.inner(area);
        block.render(area, buf);
        if inner.width <= LABEL || inner.height < 2 {
            return;
        }
        view.cols.set(inner.width - LABEL);
        let frame = Frame::new(self.model, view, inner);
        frame.axis(buf);
        frame.lanes(buf);
        frame.messages(buf);
        frame.details(buf);
    }
}

/// The title: scale, left edge and keys.
fn title(m: &Model, view: &TimelineView) -> String {
    let follow = if view.start_ns.is_none() {
        ", following"
    } else {
        ""
    };
    format!(
        " timeline: {} per column from {:.9} s{follow} · ←/→ scroll  +/- zoom  0 fit  n/N message ",
        duration(view.ns_per_col),
        view.start(m.now_ns) as f64 / 1e9
    )
}

/// One frame's geometry: which row each core's lane starts at, where time
/// begins, and how many nanoseconds a column is.
struct Frame<'a> {
    m: &'a Model,
    view: &'a TimelineView,
    area: Rect,
    start: u64,
    rows_per_lane: u16,
}

impl<'a> Frame<'a> {
    fn new(m: &'a Model, view: &'a TimelineView, area: Rect) -> Self {
        Self {
            m,
            view,
            area,
            start: view.start(m.now_ns),
            rows_per_lane: m.lanes.depth().clamp(1, MAX_DEPTH),
        }
    }

    /// The screen column of time `ts` (may lie outside the area).
    fn col(&self, ts: u64) -> i64 {
        let offset = (i128::from(ts) - i128::from(self.start)) / i128::from(self.view.ns_per_col);
        i64::from(self.area.x + LABEL) + offset.clamp(-(1 << 40), 1 << 40) as i64
    }

    /// The first screen row of core `core`'s lane; lanes are one blank row
    /// apart, for the message lines.
    fn lane_top(&self, core: u16) -> u16 {
        self.area.y + 1 + core * (self.rows_per_lane + 1)
    }

    /// The row of a message end on `core`: the lane's deepest row, where
    /// point-to-point spans sit.
    fn end_row(&self, core: u16) -> u16 {
        self.lane_top(core) + self.rows_per_lane - 1
    }

    /// The last row lanes may use (the details are below).
    fn lanes_bottom(&self) -> u16 {
        (self.area.y + self.area.height).saturating_sub(DETAILS + 1)
    }

    /// Columns where time is drawn.
    fn time_cols(&self) -> std::ops::Range<i64> {
        i64::from(self.area.x + LABEL)..i64::from(self.area.x + self.area.width)
    }

    /// The axis: a tick every [`TICK`] columns, labelled by its offset from
    /// the left edge.
    fn axis(&self, buf: &mut Buffer) {
        let style = Style::new().fg(Color::DarkGray);
        buf.set_string(self.area.x, self.area.y, "time", style);
        let mut x = self.area.x + LABEL;
        while x < self.area.x + self.area.width {
            let at = u64::from(x - self.area.x - LABEL) * self.view.ns_per_col;
            let label = format!("┊+{}", duration(at));
            let room = usize::from(self.area.x + self.area.width - x);
            buf.set_stringn(x, self.area.y, label, room, style);
            x += TICK;
        }
    }

    /// Every core's label and bars.
    fn lanes(&self, buf: &mut Buffer) {
        for core in 0..self.m.core_count() {
            let y = self.lane_top(core);
            if y > self.lanes_bottom() {
                break;
            }
            buf.set_string(self.area.x, y, format!("core {core}"), Style::new());
        }
        let mut bars: Vec<&Bar> = self.m.lanes.bars().collect();
        bars.sort_by_key(|b| b.depth);
        for bar in bars {
            self.bar(buf, bar);
        }
    }

    /// One span as a coloured bar with its name in it, where it fits.
    fn bar(&self, buf: &mut Buffer, bar: &Bar) {
        let y = self.lane_top(bar.core) + bar.depth.min(self.rows_per_lane - 1);
        if y > self.lanes_bottom() {
            return;
        }
        let cols = self.time_cols();
        let end = bar.end_ns.unwrap_or(self.m.now_ns);
        let (x0, x1) = (
            self.col(bar.begin_ns),
            self.col(end).max(self.col(bar.begin_ns)),
        );
        let (from, to) = (x0.max(cols.start), (x1 + 1).min(cols.end));
        let style = Style::new().fg(Color::Black).bg(span_color(&bar.name));
        let mut name = bar.name.chars().skip((from - x0) as usize);
        for x in from..to {
            let ch = name.next().unwrap_or(' ');
            buf[(x as u16, y)].set_char(ch).set_style(style);
        }
    }

    /// Every message: the selected one last, over the others.
    fn messages(&self, buf: &mut Buffer) {
        for (id, line) in self.m.lanes.messages() {
            if Some(id) != self.view.selected {
                self.message(buf, line, false);
            }
        }
        if let Some(line) = self.view.selected.and_then(|id| self.m.lanes.line(id)) {
            self.message(buf, line, true);
        }
    }

    /// One message: a line from send to receive over the blank cells (over
    /// everything when selected), then its end marks.
    fn message(&self, buf: &mut Buffer, line: &MessageLine, selected: bool) {
        let style = match selected {
            true => Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            false => Style::new().fg(Color::White),
        };
        let send = line
            .send
            .as_ref()
            .map(|e| (self.col(e.ts_ns), self.end_row(e.core)));
        let recv = line
            .recv
            .as_ref()
            .map(|e| (self.col(e.ts_ns), self.end_row(e.core)));
        if let (Some(a), Some(b)) = (send, recv) {
            for (x, y, ch) in path(a, b) {
                self.put(buf, x, y, ch, style, selected);
            }
        }
        for (end, mark) in [(send, SEND_MARK), (recv, RECV_MARK)] {
            if let Some((x, y)) = end {
                let ch = mark.chars().next().unwrap_or('*');
                self.put(buf, x, i64::from(y), ch, style, true);
            }
        }
    }

    /// Draws `ch` at (`x`, `y`) if that is inside the lanes, and blank
    /// unless `over`.
    fn put(&self, buf: &mut Buffer, x: i64, y: i64, ch: char, style: Style, over: bool) {
        let rows = i64::from(self.area.y + 1)..=i64::from(self.lanes_bottom());
        if !self.time_cols().contains(&x) || !rows.contains(&y) {
            return;
        }
        let cell = &mut buf[(x as u16, y as u16)];
        if over || (cell.symbol() == " " && cell.bg == Color::Reset) {
            cell.set_char(ch).set_style(style);
        }
    }

    /// The selected message's ends, fields and ring slot, or a hint.
    fn details(&self, buf: &mut Buffer) {
        let y = self.area.y + self.area.height - DETAILS;
        let area = Rect::new(self.area.x, y, self.area.width, DETAILS);
        let line = self.view.selected.and_then(|id| self.m.lanes.line(id));
        let text = match line {
            Some(line) => details(self.m, line),
            None => vec![Line::styled(
                "n/N select a message: its fields and its ring slot show here",
                Style::new().fg(Color::DarkGray),
            )],
        };
        Paragraph::new(text).render(area, buf);
    }
}

/// The cells of a line from `a` to `b` (ends excluded), stepping along
/// the longer axis: a slant where the line changes row and column, else
/// `─` or `│`, so a long flat line reads as steps.
fn path(a: (i64, u16), b: (i64, u16)) -> Vec<(i64, i64, char)> {
    let (x0, y0, x1, y1) = (a.0, i64::from(a.1), b.0, i64::from(b.1));
    let (dx, dy) = (x1 - x0, y1 - y0);
    let slant = if (dx > 0) == (dy > 0) { '╲' } else { '╱' };
    let steps = dx.abs().max(dy.abs()).min(1 << 12);
    let at = |i: i64| (x0 + dx * i / steps.max(1), y0 + dy * i / steps.max(1));
    (1..steps)
        .map(|i| {
            let ((px, py), (x, y)) = (at(i - 1), at(i));
            let ch = match (x != px, y != py) {
                (true, true) => slant,
                (true, false) => '─',
                _ => '│',
            };
            (x, y, ch)
        })
        .collect()
}

/// The details of one message: ends and latency, fields, ring slot.
fn details(m: &Model, line: &MessageLine) -> Vec<Line<'static>> {
    let q = line.queue;
    let end = |e: &Option<crate::model::MessageEnd>, verb: &str| match e {
        Some(e) => format!("{verb} by core {} at {:.9} s", e.core, e.ts_ns as f64 / 1e9),
        None => format!("not {verb} in the trace"),
    };
    let latency = match (&line.send, &line.recv) {
        (Some(s), Some(r)) => format!(" (+{})", duration(r.ts_ns.saturating_sub(s.ts_ns))),
        _ => String::new(),
    };
    let fields = line
        .send
        .as_ref()
        .or(line.recv.as_ref())
        .map_or(String::new(), |e| e.fields.clone());
    vec![
        Line::from(vec![
            Span::styled(format!("message {q}: "), Style::new().fg(Color::Yellow)),
            Span::raw(format!(
                "{}, {}{latency}",
                end(&line.send, "sent"),
                end(&line.recv, "received")
            )),
        ]),
        Line::raw(format!("fields: {fields}")),
        ring_slot(m, line),
    ]
}

/// Which ring slot the message's first fragment used, with the ring drawn
/// as a strip of slots.
fn ring_slot(m: &Model, line: &MessageLine) -> Line<'static> {
    let ring = m.rings.get(&line.queue);
    let (Some(ring), Some(at)) = (ring, line.msg.used_idx) else {
        return Line::raw("ring slot unknown (no used_idx in the event)");
    };
    let slot = ring.slot_of(at);
    let mut spans = vec![Span::raw(format!(
        "ring slot {slot} of {} (used_idx {at}, desc {}): ",
        super::ring::geometry(ring),
        line.msg.desc.map_or("-".to_string(), |d| d.to_string())
    ))];
    spans.extend((0..ring.size()).map(|s| match s == slot {
        true => Span::styled("■", Style::new().fg(Color::Yellow)),
        false => Span::styled("□", Style::new().fg(Color::DarkGray)),
    }));
    Line::from(spans)
}

/// A span's colour: collectives, point-to-point sends and receives, shell
/// commands and everything else apart.
fn span_color(name: &str) -> Color {
    match name {
        mpi::SEND => Color::Green,
        mpi::RECV => Color::Cyan,
        shell::COMMAND => Color::Gray,
        n if crate::collectives::is_collective(n) => Color::LightBlue,
        _ => Color::Magenta,
    }
}

/// Nanoseconds in the largest unit that keeps them readable.
pub fn duration(ns: u64) -> String {
    match ns {
        0..1_000 => format!("{ns}ns"),
        1_000..1_000_000 => trim(ns as f64 / 1e3, "µs"),
        1_000_000..1_000_000_000 => trim(ns as f64 / 1e6, "ms"),
        _ => trim(ns as f64 / 1e9, "s"),
    }
}

/// `v` with at most one decimal, none when whole.
fn trim(v: f64, unit: &str) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}{unit}")
    } else {
        format!("{v:.1}{unit}")
    }
}
