//! The screen model: a grid of cells, a cursor and a pen, changed by the
//! parser's actions and mirrored onto a [`Surface`] cell by cell. It knows
//! no pixels; scrolling is one call the surface can make cheap.

use alloc::vec;
use alloc::vec::Vec;
use core::ops::Range;

use crate::color::{self, Color, Rgb};
use crate::parser::{Action, Csi, Parser};

/// Columns between tab stops.
const TAB_WIDTH: usize = 8;

/// One character cell as it should look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cell {
    /// The character, printable ASCII (space for blank).
    pub ch: u8,
    /// Foreground colour.
    pub fg: Rgb,
    /// Background colour.
    pub bg: Rgb,
    /// Whether to underline it.
    pub underline: bool,
}

impl Cell {
    /// A blank cell on `bg`.
    pub const fn blank(bg: Rgb) -> Self {
        Self {
            ch: b' ',
            fg: color::DEFAULT_FG,
            bg,
            underline: false,
        }
    }
}

/// Where the terminal draws: rows `0..rows` by columns `0..cols` of cells.
/// Calls arrive in order; a surface may batch them until the write ends.
pub trait Surface {
    /// Draws `cell` at `row`, `col`; `cursor` asks for the cursor look
    /// (colours swapped).
    fn draw(&mut self, row: usize, col: usize, cell: Cell, cursor: bool);
    /// Fills columns `cols` of `row` with blank cells of colour `bg`.
    fn clear(&mut self, row: usize, cols: Range<usize>, bg: Rgb);
    /// Moves every row up by `lines`: row `lines` becomes row 0. The bottom
    /// `lines` rows are cleared next, so their content may be anything.
    fn scroll_up(&mut self, lines: usize);
}

/// The attributes new characters get (SGR).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Pen {
    fg: Color,
    bg: Color,
    bold: bool,
    dim: bool,
    reverse: bool,
    underline: bool,
}

impl Pen {
    const DEFAULT: Pen = Pen {
        fg: Color::Default,
        bg: Color::Default,
        bold: false,
        dim: false,
        reverse: false,
        underline: false,
    };

    /// The cell `ch` becomes when printed with this pen.
    fn cell(&self, ch: u8) -> Cell {
        let mut fg = color::resolve_fg(self.fg, self.bold);
        let mut bg = color::resolve_bg(self.bg);
        if self.dim {
            fg = color::dim(fg);
        }
        if self.reverse {
            core::mem::swap(&mut fg, &mut bg);
        }
        Cell {
            ch,
            fg,
            bg,
            underline: self.underline,
        }
    }

    /// The colour erased cells get (the current background, as xterm does).
    fn erase_bg(&self) -> Rgb {
        self.cell(b' ').bg
    }
}

/// A cursor position: row and column, from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Position {
    /// Row, from the top.
    pub row: usize,
    /// Column, from the left.
    pub col: usize,
}

/// A VT100-like terminal of fixed size. See docs/console.md for the
/// sequences it acts on; everything else is consumed and ignored.
///
/// [`Terminal::write`] feeds output bytes through the [`Parser`], keeps the
/// cell grid, and calls the surface for each changed cell, each cleared span
/// and each scroll, so a surface can scroll by moving pixels (or the
/// display) rather than redrawing glyphs.
#[derive(Clone)]
pub struct Terminal {
    rows: usize,
    cols: usize,
    /// `rows * cols` cells; screen row `r` is grid row `(top + r) % rows`,
    /// so scrolling moves `top` instead of the cells.
    cells: Vec<Cell>,
    top: usize,
    cursor: Position,
    /// Set after printing in the last column: the next character wraps first.
    wrap_pending: bool,
    pen: Pen,
    /// What `ESC 7` / `ESC [ s` saved.
    saved: (Position, Pen),
    cursor_visible: bool,
    /// Where the cursor is drawn on the surface, if it is.
    drawn_cursor: Option<Position>,
    parser: Parser,
}

impl Terminal {
    /// A blank terminal of `rows` by `cols` (each at least 1).
    pub fn new(rows: usize, cols: usize) -> Self {
        let (rows, cols) = (rows.max(1), cols.max(1));
        Self {
            rows,
            cols,
            cells: vec![Cell::blank(color::DEFAULT_BG); rows * cols],
            top: 0,
            cursor: Position::default(),
            wrap_pending: false,
            pen: Pen::DEFAULT,
            saved: (Position::default(), Pen::DEFAULT),
            cursor_visible: true,
            drawn_cursor: None,
            parser: Parser::new(),
        }
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The cursor position.
    pub fn cursor(&self) -> Position {
        self.cursor
    }

    /// The cell at `row`, `col` (both in range).
    pub fn cell(&self, row: usize, col: usize) -> Cell {
        self.cells[self.index(row, col)]
    }

    /// The characters of screen row `row`, trailing blanks included.
    pub fn row_text(&self, row: usize) -> impl Iterator<Item = char> + '_ {
        (0..self.cols).map(move |col| char::from(self.cell(row, col).ch))
    }

    /// Interprets `bytes` and mirrors every change onto `surface`; the
    /// cursor is drawn once, at the end.
    pub fn write(&mut self, bytes: &[u8], surface: &mut dyn Surface) {
        self.hide_cursor(surface);
        for &byte in bytes {
            if let Some(action) = self.parser.feed(byte) {
                self.act(action, surface);
            }
        }
        self.show_cursor(surface);
    }

    /// Draws every cell again (after the surface lost its content).
    pub fn redraw(&mut self, surface: &mut dyn Surface) {
        self.drawn_cursor = None;
        for row in 0..self.rows {
            for col in 0..self.cols {
                surface.draw(row, col, self.cell(row, col), false);
            }
        }
        self.show_cursor(surface);
    }

    fn index(&self, row: usize, col: usize) -> usize {
        ((self.top + row) % self.rows) * self.cols + col
    }

    fn hide_cursor(&mut self, surface: &mut dyn Surface) {
        if let Some(at) = self.drawn_cursor.take() {
            surface.draw(at.row, at.col, self.cell(at.row, at.col), false);
        }
    }

    fn show_cursor(&mut self, surface: &mut dyn Surface) {
        if self.cursor_visible {
            let at = self.cursor;
            surface.draw(at.row, at.col, self.cell(at.row, at.col), true);
            self.drawn_cursor = Some(at);
        }
    }

    fn act(&mut self, action: Action, surface: &mut dyn Surface) {
        match action {
            Action::Print(ch) => self.print(ch, surface),
            Action::Control(byte) => self.control(byte, surface),
            Action::Csi(csi) => self.csi(&csi, surface),
            Action::Esc {
                intermediate: None,
                final_byte,
            } => self.esc(final_byte, surface),
            Action::Esc { .. } => {} // character set selection and the like
        }
    }

    fn print(&mut self, ch: u8, surface: &mut dyn Surface) {
        if self.wrap_pending {
            self.cursor.col = 0;
            self.line_feed(surface);
        }
        let Position { row, col } = self.cursor;
        self.put(row, col, self.pen.cell(ch), surface);
        if col + 1 == self.cols {
            self.wrap_pending = true;
        } else {
            self.cursor.col += 1;
        }
    }

    fn put(&mut self, row: usize, col: usize, cell: Cell, surface: &mut dyn Surface) {
        let at = self.index(row, col);
        self.cells[at] = cell;
        surface.draw(row, col, cell, false);
    }

    fn control(&mut self, byte: u8, surface: &mut dyn Surface) {
        match byte {
            // Line ends arrive as bare LF as often as CR LF: LF also returns.
            b'\n' | 0x0b | 0x0c => {
                self.cursor.col = 0;
                self.line_feed(surface);
            }
            b'\r' => self.move_to(self.cursor.row, 0),
            0x08 => self.move_to(self.cursor.row, self.cursor.col.saturating_sub(1)),
            b'\t' => {
                let next = (self.cursor.col / TAB_WIDTH + 1) * TAB_WIDTH;
                self.move_to(self.cursor.row, next);
            }
            _ => {} // BEL and the rest have nothing to show
        }
    }

    /// Moves down a row, scrolling at the bottom; clears `wrap_pending`.
    fn line_feed(&mut self, surface: &mut dyn Surface) {
        self.wrap_pending = false;
        if self.cursor.row + 1 == self.rows {
            self.scroll_up(1, surface);
        } else {
            self.cursor.row += 1;
        }
    }

    fn scroll_up(&mut self, lines: usize, surface: &mut dyn Surface) {
        let lines = lines.min(self.rows);
        self.top = (self.top + lines) % self.rows;
        surface.scroll_up(lines);
        for row in self.rows - lines..self.rows {
            self.erase(row, 0..self.cols, surface);
        }
    }

    /// Blanks columns `cols` of `row` with the pen's background.
    fn erase(&mut self, row: usize, cols: Range<usize>, surface: &mut dyn Surface) {
        let bg = self.pen.erase_bg();
        let start = self.index(row, 0);
        self.cells[start + cols.start..start + cols.end].fill(Cell::blank(bg));
        surface.clear(row, cols, bg);
    }

    /// Puts the cursor at `row`, `col`, clamped to the screen.
    fn move_to(&mut self, row: usize, col: usize) {
        self.cursor = Position {
            row: row.min(self.rows - 1),
            col: col.min(self.cols - 1),
        };
        self.wrap_pending = false;
    }

    fn esc(&mut self, final_byte: u8, surface: &mut dyn Surface) {
        match final_byte {
            b'7' => self.saved = (self.cursor, self.pen),
            b'8' => {
                let (at, pen) = self.saved;
                self.pen = pen;
                self.move_to(at.row, at.col);
            }
            b'D' => self.line_feed(surface),
            b'E' => {
                self.cursor.col = 0;
                self.line_feed(surface);
            }
            b'M' => self.move_to(self.cursor.row.saturating_sub(1), self.cursor.col),
            b'c' => self.reset(surface),
            _ => {}
        }
    }

    /// `ESC c`: default pen, cursor home, screen cleared.
    fn reset(&mut self, surface: &mut dyn Surface) {
        self.pen = Pen::DEFAULT;
        self.cursor_visible = true;
        self.move_to(0, 0);
        for row in 0..self.rows {
            self.erase(row, 0..self.cols, surface);
        }
    }

    fn csi(&mut self, csi: &Csi, surface: &mut dyn Surface) {
        if csi.intermediate.is_some() {
            return;
        }
        if let Some(private) = csi.private {
            if private == b'?' {
                self.dec_mode(csi);
            }
            return;
        }
        let n = usize::from(csi.count(0, 1));
        let Position { row, col } = self.cursor;
        match csi.final_byte {
            b'A' => self.move_to(row.saturating_sub(n), col),
            b'B' | b'e' => self.move_to(row + n, col),
            b'C' | b'a' => self.move_to(row, col + n),
            b'D' => self.move_to(row, col.saturating_sub(n)),
            b'E' => self.move_to(row + n, 0),
            b'F' => self.move_to(row.saturating_sub(n), 0),
            b'G' | b'`' => self.move_to(row, n - 1),
            b'd' => self.move_to(n - 1, col),
            b'H' | b'f' => {
                let col = usize::from(csi.count(1, 1));
                self.move_to(n - 1, col - 1);
            }
            b'J' => self.erase_display(csi.count(0, 0), surface),
            b'K' => self.erase_line(csi.count(0, 0), surface),
            b'X' => self.erase(row, col..(col + n).min(self.cols), surface),
            b'P' => self.delete_chars(n, surface),
            b'@' => self.insert_chars(n, surface),
            b'S' => self.scroll_up(n, surface),
            b'm' => self.sgr(csi.params()),
            b's' => self.saved = (self.cursor, self.pen),
            b'u' => {
                let at = self.saved.0;
                self.move_to(at.row, at.col);
            }
            _ => {} // unknown: ignored
        }
    }

    /// `ESC [ ? 25 h` / `l`: show or hide the cursor; other modes are ignored.
    fn dec_mode(&mut self, csi: &Csi) {
        let set = match csi.final_byte {
            b'h' => true,
            b'l' => false,
            _ => return,
        };
        if csi.params().contains(&25) {
            self.cursor_visible = set;
        }
    }

    fn erase_display(&mut self, how: u16, surface: &mut dyn Surface) {
        let Position { row, col } = self.cursor;
        let (rows, cols) = (self.rows, self.cols);
        match how {
            0 => {
                self.erase(row, col..cols, surface);
                (row + 1..rows).for_each(|r| self.erase(r, 0..cols, surface));
            }
            1 => {
                (0..row).for_each(|r| self.erase(r, 0..cols, surface));
                self.erase(row, 0..col + 1, surface);
            }
            2 | 3 => (0..rows).for_each(|r| self.erase(r, 0..cols, surface)),
            _ => {}
        }
    }

    fn erase_line(&mut self, how: u16, surface: &mut dyn Surface) {
        let Position { row, col } = self.cursor;
        match how {
            0 => self.erase(row, col..self.cols, surface),
            1 => self.erase(row, 0..col + 1, surface),
            2 => self.erase(row, 0..self.cols, surface),
            _ => {}
        }
    }

    /// `ESC [ n P`: deletes `n` cells at the cursor; the rest of the row
    /// moves left and blanks fill in at the right.
    fn delete_chars(&mut self, n: usize, surface: &mut dyn Surface) {
        let Position { row, col } = self.cursor;
        let n = n.min(self.cols - col);
        let start = self.index(row, 0);
        self.cells[start + col..start + self.cols].rotate_left(n);
        self.erase(row, self.cols - n..self.cols, surface);
        self.redraw_span(row, col..self.cols - n, surface);
    }

    /// `ESC [ n @`: inserts `n` blanks at the cursor; the rest of the row
    /// moves right and falls off the edge.
    fn insert_chars(&mut self, n: usize, surface: &mut dyn Surface) {
        let Position { row, col } = self.cursor;
        let n = n.min(self.cols - col);
        let start = self.index(row, 0);
        self.cells[start + col..start + self.cols].rotate_right(n);
        self.erase(row, col..col + n, surface);
        self.redraw_span(row, col + n..self.cols, surface);
    }

    fn redraw_span(&mut self, row: usize, cols: Range<usize>, surface: &mut dyn Surface) {
        for col in cols {
            surface.draw(row, col, self.cell(row, col), false);
        }
    }

    /// `ESC [ ... m`: select graphic rendition.
    fn sgr(&mut self, params: &[u16]) {
        if params.is_empty() {
            self.pen = Pen::DEFAULT;
            return;
        }
        let mut rest = params;
        while let Some((&code, tail)) = rest.split_first() {
            rest = tail;
            match code {
                0 => self.pen = Pen::DEFAULT,
                1 => self.pen.bold = true,
                2 => self.pen.dim = true,
                4 => self.pen.underline = true,
                7 => self.pen.reverse = true,
                22 => (self.pen.bold, self.pen.dim) = (false, false),
                24 => self.pen.underline = false,
                27 => self.pen.reverse = false,
                30..=37 => self.pen.fg = Color::Indexed((code - 30) as u8),
                38 => self.pen.fg = color::extended(&mut rest).unwrap_or(self.pen.fg),
                39 => self.pen.fg = Color::Default,
                40..=47 => self.pen.bg = Color::Indexed((code - 40) as u8),
                48 => self.pen.bg = color::extended(&mut rest).unwrap_or(self.pen.bg),
                49 => self.pen.bg = Color::Default,
                90..=97 => self.pen.fg = Color::Indexed((code - 90 + 8) as u8),
                100..=107 => self.pen.bg = Color::Indexed((code - 100 + 8) as u8),
                _ => {}
            }
        }
    }
}
