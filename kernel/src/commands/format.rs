//! Number formatting shared by the commands: byte sizes and durations.

use core::fmt;

/// A byte count shown with a binary unit: `512 B`, `1.5 KiB`, `510.7 MiB`.
pub struct Bytes(pub usize);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
        if self.0 < 1024 {
            return write!(f, "{} B", self.0);
        }
        let mut value = self.0 as u64 * 10 / 1024; // tenths
        let mut unit = 0;
        while value >= 10 * 1024 && unit < UNITS.len() - 1 {
            value /= 1024;
            unit += 1;
        }
        write!(f, "{}.{} {}", value / 10, value % 10, UNITS[unit])
    }
}

/// Nanoseconds shown as seconds with millisecond precision: `1.234 s`.
pub struct Seconds(pub u64);

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0 / 1_000_000;
        write!(f, "{}.{:03} s", ms / 1000, ms % 1000)
    }
}

/// Nanoseconds shown as microseconds with one decimal: `47.3 us`.
pub struct Micros(pub u64);

impl fmt::Display for Micros {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{} us", self.0 / 1000, self.0 % 1000 / 100)
    }
}
