//! The console pane: the child's terminal screen cell by cell, its cursor,
//! and a border that says whether keys go to it and how it ended.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::{Block, Widget};
use vt::Rgb;
use vt::color::{DEFAULT_BG, DEFAULT_FG};

use crate::console::Console;

/// The pane for `console`; `focused` when keys go to it.
pub struct ConsoleWidget<'a> {
    /// What to draw.
    pub console: &'a Console,
    /// Whether typing goes to the console.
    pub focused: bool,
}

impl Widget for ConsoleWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let block = Block::bordered()
            .title(title(self.console, self.focused))
            .border_style(match self.focused {
                true => Style::new().fg(Color::Yellow),
                false => Style::new().fg(Color::DarkGray),
            });
        let inner = block.inner(area);
        block.render(area, buf);
        let term = self.console.screen();
        let rows = usize::from(inner.height).min(term.rows());
        let cols = usize::from(inner.width).min(term.cols());
        for row in 0..rows {
            for col in 0..cols {
                let cell = term.cell(row, col);
                let style = Style::new()
                    .fg(color(cell.fg, DEFAULT_FG))
                    .bg(color(cell.bg, DEFAULT_BG));
                let x = inner.x + col as u16;
                let y = inner.y + row as u16;
                buf[(x, y)].set_char(char::from(cell.ch)).set_style(style);
            }
        }
        let at = term.cursor();
        if self.focused && at.row < rows && at.col < cols && self.console.ended().is_none() {
            let cell = &mut buf[(inner.x + at.col as u16, inner.y + at.row as u16)];
            cell.set_style(Style::new().add_modifier(Modifier::REVERSED));
        }
    }
}

/// The border title: where keys go, and how to switch.
fn title(console: &Console, focused: bool) -> String {
    let state = match (console.ended(), focused) {
        (Some(how), _) => format!("the machine {how}"),
        (None, true) => "typing goes to the machine · F2: keys to the viewer".to_string(),
        (None, false) => "F2: type here".to_string(),
    };
    format!(" console · {state} ")
}

/// A terminal colour, the terminal's default left to ours.
fn color(rgb: Rgb, default: Rgb) -> Color {
    if rgb == default {
        return Color::Reset;
    }
    let Rgb(v) = rgb;
    Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8)
}
