//! Reading QEMU screendumps in tests: binary PPM in, text out, by matching
//! each 9x20 cell against the console's own font (Noto Sans Mono, 20 px).
//! Also writes the image as a PNG, for docs/screenshot.png.

use std::fs;
use std::path::Path;

use noto_sans_mono_bitmap::{FontWeight, RasterHeight, get_raster, get_raster_width};

const WEIGHT: FontWeight = FontWeight::Regular;
const SIZE: RasterHeight = RasterHeight::Size20;
/// The console's cell size, as the kernel computes it.
pub const CELL_W: usize = get_raster_width(WEIGHT, SIZE);
pub const CELL_H: usize = SIZE.val();
/// The status line's text starts half a cell in.
const STATUS_X: usize = CELL_W / 2;

/// An RGB image.
pub struct Image {
    pub width: usize,
    pub height: usize,
    /// Row-major RGB bytes.
    rgb: Vec<u8>,
}

impl Image {
    /// Reads a binary PPM (`P6`, maxval 255) as QEMU's `screendump` writes it.
    pub fn read_ppm(path: &Path) -> Image {
        let data = fs::read(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        let mut fields = Vec::new();
        let mut at = 0;
        while fields.len() < 4 {
            while data[at].is_ascii_whitespace() {
                at += 1;
            }
            let start = at;
            while !data[at].is_ascii_whitespace() {
                at += 1;
            }
            fields.push(String::from_utf8_lossy(&data[start..at]).into_owned());
        }
        assert_eq!(
            (fields[0].as_str(), fields[3].as_str()),
            ("P6", "255"),
            "not a P6 PPM"
        );
        let width: usize = fields[1].parse().expect("PPM width");
        let height: usize = fields[2].parse().expect("PPM height");
        let rgb = data[at + 1..].to_vec();
        assert_eq!(rgb.len(), width * height * 3, "PPM size");
        Image { width, height, rgb }
    }

    /// Writes the image as an 8-bit RGB PNG.
    pub fn write_png(&self, path: &Path) {
        let file = fs::File::create(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        let mut encoder = png::Encoder::new(
            std::io::BufWriter::new(file),
            self.width as u32,
            self.height as u32,
        );
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::High);
        let mut writer = encoder.write_header().expect("PNG header");
        writer.write_image_data(&self.rgb).expect("PNG data");
    }

    /// Brightness of the pixel at `x`, `y` (sum of the channels).
    fn brightness(&self, x: usize, y: usize) -> i32 {
        let at = (y * self.width + x) * 3;
        self.rgb[at..at + 3].iter().map(|&c| i32::from(c)).sum()
    }
}

/// Recognises the console's text on a screen image.
pub struct Reader {
    /// Each printable character's coverage, scaled so its maximum is 255.
    glyphs: Vec<(char, Vec<i32>)>,
}

impl Reader {
    pub fn new() -> Self {
        let glyphs = (' '..='~')
            .filter_map(|ch| {
                let raster = get_raster(ch, WEIGHT, SIZE)?;
                Some((ch, normalise(raster.pixels().iter().map(|&c| i32::from(c)))))
            })
            .collect();
        Self { glyphs }
    }

    /// The text rows above the status line, trailing blanks trimmed.
    pub fn text_rows(&self, image: &Image) -> Vec<String> {
        let rows = image.height / CELL_H - 1;
        (0..rows)
            .map(|row| self.read_row(image, 0, row * CELL_H))
            .collect()
    }

    /// The status line (the last cell row).
    pub fn status_line(&self, image: &Image) -> String {
        let rows = image.height / CELL_H;
        self.read_row(image, STATUS_X, (rows - 1) * CELL_H)
    }

    fn read_row(&self, image: &Image, x0: usize, y: usize) -> String {
        let cols = (image.width - x0) / CELL_W;
        let text: String = (0..cols)
            .map(|col| self.read_cell(image, x0 + col * CELL_W, y))
            .collect();
        text.trim_end().to_string()
    }

    /// The character in the cell at `x`, `y`: whichever glyph is closest to
    /// the cell's coverage, worked out from its darkest and brightest pixels
    /// (so any colours and reverse video read the same).
    fn read_cell(&self, image: &Image, x: usize, y: usize) -> char {
        let cell: Vec<i32> = (0..CELL_H)
            .flat_map(|dy| (0..CELL_W).map(move |dx| (x + dx, y + dy)))
            .map(|(x, y)| image.brightness(x, y))
            .collect();
        let (lo, hi) = (*cell.iter().min().unwrap(), *cell.iter().max().unwrap());
        if hi - lo < 60 {
            return ' ';
        }
        // The background covers most of a cell: it is the majority side.
        let mid = (lo + hi) / 2;
        let dark_background = cell.iter().filter(|&&b| b < mid).count() * 2 >= cell.len();
        let coverage = normalise(
            cell.iter()
                .map(|&b| if dark_background { b - lo } else { hi - b }),
        );
        self.glyphs
            .iter()
            .min_by_key(|(_, glyph)| {
                glyph
                    .iter()
                    .zip(&coverage)
                    .map(|(a, b)| (a - b).abs())
                    .sum::<i32>()
            })
            .map_or('?', |(ch, _)| *ch)
    }
}

/// `values` scaled so the largest is 255.
fn normalise(values: impl Iterator<Item = i32>) -> Vec<i32> {
    let values: Vec<i32> = values.collect();
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    values.iter().map(|v| v * 255 / max).collect()
}
