//! Host tests of the screen model: a recording surface mirrors every call,
//! and after each write the mirror must equal the model (what the kernel's
//! framebuffer would show).

use std::ops::Range;

use vt::color::{ANSI, DEFAULT_BG, DEFAULT_FG};
use vt::{Cell, Position, Rgb, Surface, Terminal};

/// A surface that keeps cells the way a framebuffer keeps pixels.
struct Mirror {
    cols: usize,
    cells: Vec<Vec<Cell>>,
    cursor: Option<(usize, usize)>,
    scrolled: usize,
    draws: usize,
}

impl Mirror {
    fn new(rows: usize, cols: usize) -> Self {
        Self {
            cols,
            cells: vec![vec![Cell::blank(DEFAULT_BG); cols]; rows],
            cursor: None,
            scrolled: 0,
            draws: 0,
        }
    }
}

impl Surface for Mirror {
    fn draw(&mut self, row: usize, col: usize, cell: Cell, cursor: bool) {
        self.cells[row][col] = cell;
        self.draws += 1;
        if cursor {
            self.cursor = Some((row, col));
        } else if self.cursor == Some((row, col)) {
            self.cursor = None;
        }
    }

    fn clear(&mut self, row: usize, cols: Range<usize>, bg: Rgb) {
        assert!(cols.end <= self.cols, "clear past the edge: {cols:?}");
        self.cells[row][cols].fill(Cell::blank(bg));
    }

    fn scroll_up(&mut self, lines: usize) {
        self.cells.rotate_left(lines);
        self.scrolled += lines;
    }
}

/// A terminal and its mirror.
struct Screen {
    term: Terminal,
    mirror: Mirror,
}

impl Screen {
    fn new(rows: usize, cols: usize) -> Self {
        Self {
            term: Terminal::new(rows, cols),
            mirror: Mirror::new(rows, cols),
        }
    }

    /// Writes `text` and checks the mirror against the model.
    fn write(&mut self, text: &str) -> &mut Self {
        self.term.write(text.as_bytes(), &mut self.mirror);
        for row in 0..self.term.rows() {
            for col in 0..self.term.cols() {
                assert_eq!(
                    self.mirror.cells[row][col],
                    self.term.cell(row, col),
                    "surface and model differ at {row},{col} after {text:?}"
                );
            }
        }
        let at = self.term.cursor();
        assert_eq!(self.mirror.cursor, Some((at.row, at.col)), "cursor drawn");
        self
    }

    fn line(&self, row: usize) -> String {
        self.term
            .row_text(row)
            .collect::<String>()
            .trim_end()
            .into()
    }

    fn lines(&self) -> Vec<String> {
        (0..self.term.rows()).map(|r| self.line(r)).collect()
    }

    fn cursor(&self) -> (usize, usize) {
        let Position { row, col } = self.term.cursor();
        (row, col)
    }
}

#[test]
fn text_newlines_and_carriage_returns() {
    let mut s = Screen::new(4, 10);
    s.write("ab\ncd\r\nxy\rz");
    assert_eq!(s.lines(), ["ab", "cd", "zy", ""]);
    assert_eq!(s.cursor(), (2, 1));
}

#[test]
fn long_lines_wrap_at_the_last_column() {
    let mut s = Screen::new(3, 5);
    s.write("12345");
    assert_eq!(s.cursor(), (0, 4), "the cursor waits in the last column");
    s.write("6");
    assert_eq!(s.lines(), ["12345", "6", ""]);
    s.write("\r\n");
    assert_eq!(
        s.cursor(),
        (2, 0),
        "CR LF after a full line moves one row only"
    );
}

#[test]
fn the_bottom_line_scrolls_with_one_surface_call() {
    let mut s = Screen::new(3, 8);
    s.write("one\ntwo\nthree\nfour\nfive");
    assert_eq!(s.lines(), ["three", "four", "five"]);
    assert_eq!(s.mirror.scrolled, 2);
    let draws = s.mirror.draws;
    s.write("\n");
    assert_eq!(s.lines(), ["four", "five", ""]);
    assert!(
        s.mirror.draws - draws <= 2,
        "scrolling must not redraw glyphs"
    );
}

#[test]
fn the_line_editor_sequences() {
    let mut s = Screen::new(2, 20);
    // What the shell's editor sends for "abd", Left, "c": redraw the tail.
    s.write("> abd\x1b[1Dcd\x1b[1D");
    assert_eq!(s.lines()[0], "> abcd");
    assert_eq!(s.cursor(), (0, 5));
    s.write("\x1b[3C\x1b[2D");
    assert_eq!(s.cursor(), (0, 6));
    s.write("\r\x1b[K> x");
    assert_eq!(s.lines()[0], "> x");
    s.write("\x1b[99C");
    assert_eq!(s.cursor(), (0, 19), "cursor moves stop at the edge");
}

#[test]
fn clear_screen_and_cursor_position() {
    let mut s = Screen::new(3, 6);
    s.write("aaaaaa\nbbbbbb\ncccccc");
    s.write("\x1b[H\x1b[2J");
    assert_eq!(s.lines(), ["", "", ""]);
    assert_eq!(s.cursor(), (0, 0));
    s.write("\x1b[2;3Hx\x1b[3;1fy\x1b[1;1H");
    assert_eq!(s.lines(), ["", "  x", "y"]);
    s.write("\x1b[50;50H");
    assert_eq!(s.cursor(), (2, 5), "out-of-range positions clamp");
}

#[test]
fn erase_in_display_and_line() {
    let mut s = Screen::new(3, 4);
    s.write("aaaa\nbbbb\ncccc\x1b[2;2H\x1b[J");
    assert_eq!(s.lines(), ["aaaa", "b", ""]);
    s.write("\x1b[1;3H\x1b[1K");
    assert_eq!(s.lines(), ["   a", "b", ""]);
    s.write("\x1b[2K");
    assert_eq!(s.lines(), ["", "b", ""]);
    s.write("\x1b[2;1Hbbbb\x1b[1;1H\x1b[1J");
    assert_eq!(s.lines(), ["", "bbbb", ""]);
}

#[test]
fn delete_and_insert_characters() {
    let mut s = Screen::new(1, 8);
    s.write("abcdef\x1b[1;2H\x1b[2P");
    assert_eq!(s.lines()[0], "adef");
    s.write("\x1b[3@");
    assert_eq!(s.lines()[0], "a   def");
    s.write("\x1b[1;1H\x1b[2X");
    assert_eq!(s.lines()[0], "    def");
}

#[test]
fn colours_bold_reverse_and_reset() {
    let mut s = Screen::new(1, 10);
    s.write("\x1b[31ma\x1b[1mb\x1b[0mc\x1b[7md\x1b[m\x1b[44;97me");
    let cell = |col| s.term.cell(0, col);
    assert_eq!(cell(0).fg, ANSI[1]);
    assert_eq!(cell(1).fg, ANSI[9], "bold brightens");
    assert_eq!((cell(2).fg, cell(2).bg), (DEFAULT_FG, DEFAULT_BG));
    assert_eq!(
        (cell(3).fg, cell(3).bg),
        (DEFAULT_BG, DEFAULT_FG),
        "reverse"
    );
    assert_eq!((cell(4).fg, cell(4).bg), (ANSI[15], ANSI[4]));
    s.write("\x1b[38;5;196mf\x1b[38;2;1;2;3mg\x1b[48;5mh");
    assert_eq!(s.term.cell(0, 5).fg, Rgb(0xff0000));
    assert_eq!(s.term.cell(0, 6).fg, Rgb(0x010203));
    assert_eq!(
        s.term.cell(0, 7).bg,
        ANSI[4],
        "a malformed 48 changes nothing"
    );
}

#[test]
fn erase_uses_the_current_background() {
    let mut s = Screen::new(2, 4);
    s.write("\x1b[41m\x1b[2J");
    assert!((0..4).all(|col| s.term.cell(1, col).bg == ANSI[1]));
}

#[test]
fn save_restore_hide_cursor_and_reset() {
    let mut s = Screen::new(3, 10);
    s.write("ab\x1b7\x1b[3;5Hx\x1b8y");
    assert_eq!(s.lines(), ["aby", "", "    x"]);
    s.write("\x1b[s\x1b[1;1H\x1b[u");
    assert_eq!(s.cursor(), (0, 3));
    s.term.write(b"\x1b[?25l", &mut s.mirror);
    assert_eq!(s.mirror.cursor, None, "hidden cursor is not drawn");
    s.write("\x1b[?25h\x1bc");
    assert_eq!(s.lines(), ["", "", ""]);
}

#[test]
fn unknown_sequences_and_tabs() {
    let mut s = Screen::new(2, 20);
    s.write("\x1b[5n\x1b[>0c\x1b]2;t\x07\x1b(Ba\tb\x1b[200~c");
    assert_eq!(s.lines()[0], "a       bc");
    s.write("\x08\x08X\x07");
    assert_eq!(s.lines()[0], "a       Xc");
}

#[test]
fn a_sequence_split_across_writes() {
    let mut s = Screen::new(1, 10);
    s.write("ab\x1b[").write("1").write("D").write("X");
    assert_eq!(s.lines()[0], "aX");
}

#[test]
fn random_bytes_never_break_the_model() {
    let mut s = Screen::new(5, 7);
    let mut state = 0x2545_f491_u32;
    let mut bytes = Vec::new();
    for _ in 0..20_000 {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let pick = state % 8;
        bytes.push(match pick {
            0 => 0x1b,
            1 => b'[',
            2 => b'0' + (state >> 8) as u8 % 10,
            3 => b';',
            _ => (state >> 16) as u8,
        });
    }
    for chunk in bytes.chunks(97) {
        s.term.write(chunk, &mut s.mirror);
    }
    s.write("\x1bc\x1b[0mok");
    assert_eq!(s.lines()[0], "ok");
}
