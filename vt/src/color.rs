//! Colours: the 16 ANSI colours (xterm's values), the 256-colour cube and
//! grey ramp, 24-bit colour, and the console's default foreground/background.

/// A colour as `0x00RRGGBB`, the framebuffer's 32-bit pixel format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rgb(pub u32);

impl Rgb {
    /// The red, green and blue components.
    pub const fn channels(self) -> [u8; 3] {
        [(self.0 >> 16) as u8, (self.0 >> 8) as u8, self.0 as u8]
    }

    /// The colour made of `channels` (red, green, blue).
    pub const fn from_channels([r, g, b]: [u8; 3]) -> Self {
        Self(((r as u32) << 16) | ((g as u32) << 8) | b as u32)
    }
}

/// Text colour when no SGR colour is set.
pub const DEFAULT_FG: Rgb = Rgb(0xd0d0d0);
/// Background when no SGR colour is set.
pub const DEFAULT_BG: Rgb = Rgb(0x000000);

/// The 16 ANSI colours: black, red, green, yellow, blue, magenta, cyan,
/// white, then their bright forms (xterm's defaults).
pub const ANSI: [Rgb; 16] = [
    Rgb(0x000000),
    Rgb(0xcd0000),
    Rgb(0x00cd00),
    Rgb(0xcdcd00),
    Rgb(0x0000ee),
    Rgb(0xcd00cd),
    Rgb(0x00cdcd),
    Rgb(0xe5e5e5),
    Rgb(0x7f7f7f),
    Rgb(0xff0000),
    Rgb(0x00ff00),
    Rgb(0xffff00),
    Rgb(0x5c5cff),
    Rgb(0xff00ff),
    Rgb(0x00ffff),
    Rgb(0xffffff),
];

/// A colour as SGR selects it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    /// The default foreground or background.
    Default,
    /// One of the 256 indexed colours (0-15 are [`ANSI`]).
    Indexed(u8),
    /// A 24-bit colour.
    Direct(Rgb),
}

/// The RGB value of indexed colour `index` (xterm's 256-colour palette).
pub fn indexed(index: u8) -> Rgb {
    const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];
    match index {
        0..=15 => ANSI[usize::from(index)],
        16..=231 => {
            let i = index - 16;
            let level = |n: u8| CUBE[usize::from(n % 6)];
            Rgb::from_channels([level(i / 36), level(i / 6), level(i)])
        }
        232..=255 => {
            let grey = 8 + (index - 232) * 10;
            Rgb::from_channels([grey; 3])
        }
    }
}

/// The foreground for `color`; bold brightens the eight basic colours.
pub fn resolve_fg(color: Color, bold: bool) -> Rgb {
    match color {
        Color::Default if bold => ANSI[15],
        Color::Default => DEFAULT_FG,
        Color::Indexed(i) if bold && i < 8 => ANSI[usize::from(i) + 8],
        Color::Indexed(i) => indexed(i),
        Color::Direct(rgb) => rgb,
    }
}

/// The background for `color`.
pub fn resolve_bg(color: Color) -> Rgb {
    match color {
        Color::Default => DEFAULT_BG,
        Color::Indexed(i) => indexed(i),
        Color::Direct(rgb) => rgb,
    }
}

/// `rgb` at two thirds of its brightness (SGR 2, faint).
pub fn dim(rgb: Rgb) -> Rgb {
    Rgb::from_channels(rgb.channels().map(|c| (u16::from(c) * 2 / 3) as u8))
}

/// Reads the rest of an SGR 38/48 colour from `params`: `5;n` or
/// `2;r;g;b`, consuming what it uses. `None` if malformed.
pub fn extended(params: &mut &[u16]) -> Option<Color> {
    let (&kind, rest) = params.split_first()?;
    let byte = |v: u16| u8::try_from(v).ok();
    match (kind, rest) {
        (5, [n, tail @ ..]) => {
            *params = tail;
            Some(Color::Indexed(byte(*n)?))
        }
        (2, [r, g, b, tail @ ..]) => {
            *params = tail;
            Some(Color::Direct(Rgb::from_channels([
                byte(*r)?,
                byte(*g)?,
                byte(*b)?,
            ])))
        }
        _ => {
            *params = &[];
            None
        }
    }
}
