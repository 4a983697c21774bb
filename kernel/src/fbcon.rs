//! The framebuffer console: the serial console's twin on QEMU's standard VGA.
//! `console` hands it every byte it sends; the `vt` crate interprets them and
//! this file draws the glyphs, scrolls by panning and draws the status line
//! it is given (`set_status`; what it says is `status.rs`'s business).

use alloc::vec;
use alloc::vec::Vec;
use core::fmt::Write;
use core::ops::Range;
use core::sync::atomic::{AtomicBool, Ordering};

use noto_sans_mono_bitmap::{FontWeight, RasterHeight, get_raster, get_raster_width};
use spin::Mutex;
use vt::{Cell, Rgb, Surface, Terminal};

use crate::bochs_vga::{BochsVga, FrameBuffer};
use crate::{pci, time};

/// The mode the console asks for.
const MODE: (u16, u16) = (1024, 768);
const FONT_WEIGHT: FontWeight = FontWeight::Regular;
const FONT_SIZE: RasterHeight = RasterHeight::Size20;
/// A character cell: Noto Sans Mono at a 20-pixel raster is 9 pixels wide.
const CELL_W: usize = get_raster_width(FONT_WEIGHT, FONT_SIZE);
const CELL_H: usize = FONT_SIZE.val();
/// First and last printable ASCII characters, the glyphs the console has.
const GLYPHS: Range<u8> = 0x20..0x7F;

/// Status line colours: white on dark blue.
const STATUS_FG: Rgb = Rgb(0xffffff);
const STATUS_BG: Rgb = Rgb(0x203a70);

/// Whether a framebuffer console exists (set once by `init`, never
/// cleared), so `write` costs one load without a display. The Release
/// store in `init` pairs with the Acquire loads in `is_present`.
static PRESENT: AtomicBool = AtomicBool::new(false);

/// The console, once `init` found a display. Lock rule: taken only by the
/// core holding the console lock (`console::locked`), and with `try_lock`,
/// so a fault while drawing loses screen output, never the serial log.
static FBCON: Mutex<Option<FbConsole>> = Mutex::new(None);

struct FbConsole {
    terminal: Terminal,
    screen: Screen,
    status: StatusLine,
}

/// Sets up the display and the console on it, or says once that there is
/// none, on `log`. Call at boot after `pci::init` and the heap.
pub fn init(log: &mut dyn Write) {
    match start() {
        Ok(fbcon) => {
            let (cols, rows) = (fbcon.terminal.cols(), fbcon.terminal.rows());
            let (address, lines) = (fbcon.screen.vga.function().address, fbcon.screen.fb.lines);
            *FBCON.lock() = Some(fbcon);
            PRESENT.store(true, Ordering::Release); // Acquire: is_present
            let _ = writeln!(
                log,
                "display: {}x{} 32 bpp on the VGA at {address}: {cols}x{rows} text console \
                 (+ status line), {lines} lines of video memory to scroll through",
                MODE.0, MODE.1
            );
        }
        Err(why) => {
            let _ = writeln!(
                log,
                "display: {why}; the console is on the serial port only"
            );
        }
    }
}

fn start() -> Result<FbConsole, &'static str> {
    let mut vga = BochsVga::probe()?;
    let fb = vga.set_mode(MODE.0, MODE.1)?;
    if fb.width < CELL_W || fb.height < 2 * CELL_H {
        return Err("the mode is too small for text");
    }
    pci::claim(vga.function().address, "fbcon");
    let cols = fb.width / CELL_W;
    let rows = fb.height / CELL_H - 1; // the last row is the status line
    let mut fbcon = FbConsole {
        terminal: Terminal::new(rows, cols),
        status: StatusLine::new(fb.width),
        screen: Screen::new(vga, fb, rows),
    };
    fbcon.screen.clear_visible(); // what a blank terminal looks like
    fbcon.show(b"");
    Ok(fbcon)
}

impl FbConsole {
    /// Interprets `bytes`, then shows the result: display panned, status
    /// line under the text.
    fn show(&mut self, bytes: &[u8]) {
        self.terminal.write(bytes, &mut self.screen);
        self.screen.present(&self.status, false);
    }
}

/// Whether there is a framebuffer console.
pub fn is_present() -> bool {
    PRESENT.load(Ordering::Acquire) // Release: init, after FBCON is set
}

/// Runs `f` on the console unless there is none or the screen is busy (a
/// fault report from inside the drawing code); returns whether it ran.
fn with_console(f: impl FnOnce(&mut FbConsole)) -> bool {
    if !is_present() {
        return false;
    }
    let Some(mut held) = FBCON.try_lock() else {
        return false;
    };
    held.as_mut().map(f).is_some()
}

/// Shows `bytes` on the screen too. Called by `console` for every write,
/// under the console lock; returns at once without a display, or if the
/// screen is busy.
pub fn write(bytes: &[u8]) {
    with_console(|fbcon| fbcon.show(bytes));
}

/// Draws `text` as the status line, at once. Call under the console lock
/// (`console::show_status`); false if there is no display or it was busy.
pub fn set_status(text: &str) -> bool {
    with_console(|fbcon| {
        fbcon.status.render(text, &fbcon.screen.glyphs);
        fbcon.screen.present(&fbcon.status, true);
    })
}

/// What the bench measured, in TSC cycles.
pub struct BenchResult {
    /// Mean cycles to scroll the whole screen up by one line (a line feed
    /// on the bottom row, shown at once).
    pub scroll_cycles: u64,
    /// Cycles to print 1,000 lines of 80 characters, one write per line.
    pub thousand_lines_cycles: u64,
}

/// Times the screen path alone (the serial port does not see the bench's
/// output), then restores the screen as it was. `None` without a display.
/// Call under the console lock.
pub fn bench() -> Option<BenchResult> {
    const SCROLLS: u64 = 1000;
    let mut held = FBCON.try_lock()?;
    let fbcon = held.as_mut()?;
    let saved = fbcon.terminal.clone();
    fbcon.show(b"\x1b[999;1H"); // the bottom row: every line feed scrolls
    let start = time::now();
    for _ in 0..SCROLLS {
        fbcon.show(b"\n");
    }
    let scroll_cycles = (time::now() - start) / SCROLLS;
    let mut line = alloc::string::String::new();
    let start = time::now();
    for i in 0..1000 {
        line.clear();
        let _ = writeln!(
            line,
            "line {i:4}: the quick brown fox jumps over the lazy dog 0123456789 ABCDEFGHIJ"
        );
        fbcon.show(line.as_bytes());
    }
    let thousand_lines_cycles = time::now() - start;
    fbcon.terminal = saved;
    fbcon.terminal.redraw(&mut fbcon.screen);
    fbcon.show(b"");
    Some(BenchResult {
        scroll_cycles,
        thousand_lines_cycles,
    })
}

/// Pre-blended glyph pixels: for each printable character, coverage
/// bytes; colour comes from a per-(fg, bg) lookup table.
struct Glyphs {
    /// Coverage (0-255) per pixel, `CELL_W * CELL_H` per glyph, in GLYPHS order.
    coverage: [&'static [u8]; GLYPHS.end as usize - GLYPHS.start as usize],
    /// The colour ramp for `ramp_colors`: `ramp[c]` is fg over bg at coverage c.
    ramp: [u32; 256],
    ramp_colors: Option<(Rgb, Rgb)>,
}

impl Glyphs {
    fn new() -> Self {
        let blank = get_raster(' ', FONT_WEIGHT, FONT_SIZE).map_or(&[][..], |r| r.pixels());
        let mut coverage = [blank; GLYPHS.end as usize - GLYPHS.start as usize];
        for (slot, ch) in coverage.iter_mut().zip(GLYPHS) {
            if let Some(raster) = get_raster(char::from(ch), FONT_WEIGHT, FONT_SIZE) {
                *slot = raster.pixels();
            }
        }
        Self {
            coverage,
            ramp: [0; 256],
            ramp_colors: None,
        }
    }

    /// The coverage bytes of `ch` (`?` for anything unprintable).
    fn coverage(&self, ch: u8) -> &'static [u8] {
        let ch = if GLYPHS.contains(&ch) { ch } else { b'?' };
        self.coverage[usize::from(ch - GLYPHS.start)]
    }

    /// The colour ramp from `bg` to `fg`, rebuilt only when they change.
    fn ramp(&mut self, fg: Rgb, bg: Rgb) -> &[u32; 256] {
        if self.ramp_colors != Some((fg, bg)) {
            self.ramp = ramp(fg, bg);
            self.ramp_colors = Some((fg, bg));
        }
        &self.ramp
    }
}

/// `ramp[c]` is `fg` over `bg` at coverage `c` (0-255), as a pixel.
fn ramp(fg: Rgb, bg: Rgb) -> [u32; 256] {
    let (f, b) = (fg.channels(), bg.channels());
    core::array::from_fn(|alpha| {
        let alpha = alpha as u32;
        let mix = |i: usize| {
            let (f, b) = (u32::from(f[i]), u32::from(b[i]));
            ((f * alpha + b * (255 - alpha)) / 255) as u8
        };
        Rgb::from_channels([mix(0), mix(1), mix(2)]).0
    })
}

/// The pixels: video memory as one slice, the panning window over it.
///
/// Scrolling moves the display's start line (DISPI Y offset) one text row
/// down video memory instead of moving pixels; when the window reaches the
/// end of video memory, the rows still shown are copied back to the top
/// once (every ~160 lines with 16 MiB at 1024x768).
struct Screen {
    vga: BochsVga,
    fb: FrameBuffer,
    /// All of video memory, `fb.stride * fb.lines` pixels.
    pixels: &'static mut [u32],
    /// Text rows above the status line.
    rows: usize,
    /// The first line of video memory the terminal draws at (its row 0).
    top: usize,
    /// The first line the display shows (`top` once `pan` has run).
    shown: usize,
    /// The `top` the status line was last drawn under, if any.
    status_at: Option<usize>,
    glyphs: Glyphs,
}

impl Screen {
    fn new(vga: BochsVga, fb: FrameBuffer, rows: usize) -> Self {
        // SAFETY: `fb.base` is the VGA's video memory (BAR0, mapped by
        // probe), `stride * lines` pixels long, and fbcon — which owns the
        // device after claiming it — is the only code that touches it.
        let pixels = unsafe { core::slice::from_raw_parts_mut(fb.base, fb.stride * fb.lines) };
        Self {
            vga,
            fb,
            pixels,
            rows,
            top: 0,
            shown: 0,
            status_at: None,
            glyphs: Glyphs::new(),
        }
    }

    /// The pixel index of video-memory line `y`, column `x`.
    fn at(&self, x: usize, y: usize) -> usize {
        y * self.fb.stride + x
    }

    fn clear_visible(&mut self) {
        let range = self.at(0, self.top)..self.at(0, self.top + self.fb.height);
        self.pixels[range].fill(vt::color::DEFAULT_BG.0);
    }

    /// Fills lines `lines` (of video memory), pixels `xs` of each, with `color`.
    fn fill(&mut self, lines: Range<usize>, xs: Range<usize>, color: Rgb) {
        for y in lines {
            let start = self.at(0, y);
            self.pixels[start + xs.start..start + xs.end].fill(color.0);
        }
    }

    /// Draws `ch` with its top-left corner at video-memory line `y`, pixel `x`.
    fn glyph(&mut self, x: usize, y: usize, ch: u8, fg: Rgb, bg: Rgb, underline: bool) {
        let coverage = self.glyphs.coverage(ch);
        let ramp = *self.glyphs.ramp(fg, bg);
        let stride = self.fb.stride;
        let mut start = self.at(x, y);
        for row in coverage.chunks_exact(CELL_W) {
            let line = &mut self.pixels[start..start + CELL_W];
            for (pixel, &c) in line.iter_mut().zip(row) {
                *pixel = ramp[usize::from(c)];
            }
            start += stride;
        }
        if underline {
            let at = self.at(x, y + CELL_H - 3);
            self.pixels[at..at + CELL_W].fill(fg.0);
        }
    }

    /// Shows the terminal's current window, and the status line under it
    /// when it moved or `status_changed`.
    fn present(&mut self, status: &StatusLine, status_changed: bool) {
        self.pan();
        if self.status_at == Some(self.top) && !status_changed {
            return;
        }
        self.status_at = Some(self.top);
        let y = self.top + self.rows * CELL_H;
        for (line, pixels) in status.pixels.chunks_exact(status.width).enumerate() {
            let start = self.at(0, y + line);
            self.pixels[start..start + status.width].copy_from_slice(pixels);
        }
        let below = y + CELL_H..self.top + self.fb.height;
        self.fill(below, 0..self.fb.width, vt::color::DEFAULT_BG);
    }

    /// Moves the display to `top` if it is not there yet.
    fn pan(&mut self) {
        if self.shown != self.top {
            self.vga.pan_to(self.top);
            self.shown = self.top;
        }
    }
}

impl Surface for Screen {
    fn draw(&mut self, row: usize, col: usize, cell: Cell, cursor: bool) {
        let (fg, bg) = if cursor {
            (cell.bg, cell.fg)
        } else {
            (cell.fg, cell.bg)
        };
        let y = self.top + row * CELL_H;
        self.glyph(col * CELL_W, y, cell.ch, fg, bg, cell.underline);
    }

    fn clear(&mut self, row: usize, cols: Range<usize>, bg: Rgb) {
        let y = self.top + row * CELL_H;
        let last_col = self.fb.width / CELL_W;
        // A span to the last column takes the right margin with it.
        let end = if cols.end >= last_col {
            self.fb.width
        } else {
            cols.end * CELL_W
        };
        self.fill(y..y + CELL_H, cols.start * CELL_W..end, bg);
    }

    fn scroll_up(&mut self, lines: usize) {
        let shift = lines * CELL_H;
        if self.top + shift + self.fb.height <= self.fb.lines {
            self.top += shift; // the display follows at the next `pan`
            return;
        }
        // End of video memory: copy the rows that stay to the top, once.
        let text = self.rows * CELL_H;
        let keep = text.saturating_sub(shift);
        let from = self.at(0, self.top + shift);
        self.pixels
            .copy_within(from..from + keep * self.fb.stride, 0);
        self.top = 0;
    }
}

/// The bottom line: which cores are busy and whether tracing is on,
/// rendered once into its own pixels and copied under the text after
/// every scroll.
struct StatusLine {
    pixels: Vec<u32>,
    width: usize,
    /// The status colours' ramp.
    ramp: [u32; 256],
}

impl StatusLine {
    fn new(width: usize) -> Self {
        Self {
            pixels: vec![STATUS_BG.0; width * CELL_H],
            width,
            ramp: ramp(STATUS_FG, STATUS_BG),
        }
    }

    /// Renders `text` into the line's pixels.
    fn render(&mut self, text: &str, glyphs: &Glyphs) {
        self.pixels.fill(STATUS_BG.0);
        for (i, ch) in text.bytes().enumerate() {
            let x = CELL_W / 2 + i * CELL_W;
            if x + CELL_W > self.width {
                break;
            }
            for (row, line) in glyphs.coverage(ch).chunks_exact(CELL_W).enumerate() {
                let start = row * self.width + x;
                for (pixel, &c) in self.pixels[start..start + CELL_W].iter_mut().zip(line) {
                    *pixel = self.ramp[usize::from(c)];
                }
            }
        }
    }
}

/// Frees the console's lock after the shell core faulted and was restarted
/// while drawing (the fault may strike inside a draw).
pub fn release_after_fault() {
    if FBCON.is_locked() {
        // SAFETY: called only while core 0 is being restarted after a fault;
        // every other core only ever `try_lock`s FBCON and gives up, so a
        // held lock here was core 0's, whose code never resumes. The console
        // state stays usable: at worst one glyph is half drawn.
        unsafe { FBCON.force_unlock() };
    }
}
