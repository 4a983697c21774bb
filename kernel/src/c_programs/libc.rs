//! The C library's kernel half (libc/ holds the C half): output, memory,
//! floating-point formatting and parsing, maths (the `libm` crate) and time.

use alloc::alloc::{Layout, alloc, dealloc, realloc as grow};
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use core::ffi::CStr;
use core::fmt::Write;

use programs::Failure;

use super::{stop, with_rank};
use crate::time;

/// `malloc`'s alignment (C's max_align_t).
const ALIGN: usize = 16;

/// `__ringlab_write(bytes, len)`: the program's output (lines go to the
/// run). It is also where a C computation that prints notices Ctrl-C.
pub extern "C" fn write(bytes: *const u8, len: usize) {
    // SAFETY: libc/stdio.c passes `len` readable bytes.
    let bytes = unsafe { core::slice::from_raw_parts(bytes, len) };
    let text = String::from_utf8_lossy(bytes);
    let stopping = with_rank(|rank| {
        let _ = rank.instance().write_str(&text);
        rank.instance().check_stop()
    });
    drop(text); // `stop` jumps over this frame
    if let Err(failure) = stopping {
        stop(failure);
    }
}

/// `malloc(size)`: a block from the kernel heap, remembered for `free`.
pub extern "C" fn malloc(size: usize) -> *mut u8 {
    let Ok(layout) = Layout::from_size_align(size.max(1), ALIGN) else {
        return core::ptr::null_mut();
    };
    // SAFETY: the layout is not zero-sized.
    let block = unsafe { alloc(layout) };
    if !block.is_null() {
        with_rank(|rank| rank.allocations.insert(block as usize, layout));
    }
    block
}

/// `free(block)`; a pointer `malloc` did not give is fatal.
pub extern "C" fn free(block: *mut u8) {
    if block.is_null() {
        return;
    }
    match with_rank(|rank| rank.allocations.remove(&(block as usize))) {
        // SAFETY: `malloc` allocated `block` with `layout`, and it is forgotten now.
        Some(layout) => unsafe { dealloc(block, layout) },
        None => stop(Failure::Failed(format!(
            "free({block:p}): not a block from malloc"
        ))),
    }
}

/// `realloc(block, size)`.
pub extern "C" fn realloc(block: *mut u8, size: usize) -> *mut u8 {
    if block.is_null() {
        return malloc(size);
    }
    let Some(layout) = with_rank(|rank| rank.allocations.remove(&(block as usize))) else {
        stop(Failure::Failed(format!(
            "realloc({block:p}): not a block from malloc"
        )))
    };
    // SAFETY: `block` was allocated with `layout`; the new size is nonzero.
    let moved = unsafe { grow(block, layout, size.max(1)) };
    let kept = if moved.is_null() { block } else { moved };
    let kept_layout = if moved.is_null() {
        layout
    } else {
        Layout::from_size_align(size.max(1), ALIGN).expect("grew to it")
    };
    with_rank(|rank| rank.allocations.insert(kept as usize, kept_layout));
    moved
}

/// Frees what the instance left allocated.
pub fn free_all(allocations: &mut BTreeMap<usize, Layout>) {
    for (block, layout) in core::mem::take(allocations) {
        // SAFETY: each entry is a live `malloc` block and its layout.
        unsafe { dealloc(block as *mut u8, layout) }
    }
}

/// `time(out)`: whole seconds since boot.
pub extern "C" fn time(out: *mut i64) -> i64 {
    let now = (time::now() / time::tsc_hz()) as i64;
    if !out.is_null() {
        // SAFETY: C passes NULL or a pointer to a time_t.
        unsafe { *out = now };
    }
    now
}

/// `strtod(text, end)`: the longest prefix that is a decimal number.
pub extern "C" fn strtod(text: *const u8, end: *mut *mut u8) -> f64 {
    // SAFETY: C passes a NUL-terminated string.
    let bytes = unsafe { CStr::from_ptr(text.cast()) }.to_bytes();
    let skipped = bytes.iter().take_while(|b| b.is_ascii_whitespace()).count();
    let (value, used) = (skipped..=bytes.len())
        .rev()
        .find_map(|stop| {
            let prefix = core::str::from_utf8(&bytes[skipped..stop]).ok()?;
            let value: f64 = prefix.parse().ok()?;
            Some((value, stop))
        })
        .unwrap_or((0.0, 0));
    if !end.is_null() {
        // SAFETY: C passes NULL or a place for the end pointer.
        unsafe { *end = text.add(used).cast_mut() };
    }
    value
}

/// printf's flags, as libc/stdio.c numbers them.
const FLAG_PLUS: i32 = 2;
const FLAG_SPACE: i32 = 4;
const FLAG_ALT: i32 = 8;

/// `__ringlab_format_double(out, cap, x, conv, precision, flags)`: the text
/// of `%f %e %g` (upper-case variants too), sign included, no padding.
pub extern "C" fn format_double(
    out: *mut u8,
    cap: usize,
    x: f64,
    conv: i32,
    precision: i32,
    flags: i32,
) -> usize {
    let conv = u8::try_from(conv).unwrap_or(b'f');
    let mut text = double_text(
        x,
        conv.to_ascii_lowercase(),
        precision.max(0) as usize,
        flags,
    );
    if conv.is_ascii_uppercase() {
        text.make_ascii_uppercase();
    }
    let len = text.len().min(cap);
    // SAFETY: libc/stdio.c passes a buffer of `cap` bytes.
    unsafe { core::ptr::copy_nonoverlapping(text.as_ptr(), out, len) };
    len
}

fn double_text(x: f64, conv: u8, precision: usize, flags: i32) -> String {
    let sign = if x.is_sign_negative() && !x.is_nan() {
        "-"
    } else if flags & FLAG_PLUS != 0 {
        "+"
    } else if flags & FLAG_SPACE != 0 {
        " "
    } else {
        ""
    };
    let alt = flags & FLAG_ALT != 0;
    let magnitude = x.abs();
    let body = if x.is_nan() {
        String::from("nan")
    } else if x.is_infinite() {
        String::from("inf")
    } else {
        match conv {
            b'e' => exponent_text(magnitude, precision, alt),
            b'g' => general_text(magnitude, precision, alt),
            _ => fixed_text(magnitude, precision, alt),
        }
    };
    format!("{sign}{body}")
}

/// `%f`.
fn fixed_text(x: f64, precision: usize, alt: bool) -> String {
    let mut text = format!("{x:.precision$}");
    if alt && precision == 0 {
        text.push('.');
    }
    text
}

/// `%e`: C writes at least two exponent digits and always its sign.
fn exponent_text(x: f64, precision: usize, alt: bool) -> String {
    let (mantissa, exponent) = split_exponent(x, precision);
    let dot = if alt && precision == 0 { "." } else { "" };
    let exp_sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}{dot}e{exp_sign}{:02}", exponent.unsigned_abs())
}

/// Rust's `{:.pe}` split into mantissa text and exponent.
fn split_exponent(x: f64, precision: usize) -> (String, i32) {
    let text = format!("{x:.precision$e}");
    let (mantissa, exponent) = text.split_once('e').expect("{:e} writes an e");
    (
        String::from(mantissa),
        exponent.parse().expect("an integer exponent"),
    )
}

/// `%g`: `%e` or `%f` by the exponent, trailing zeros removed unless `#`.
fn general_text(x: f64, precision: usize, alt: bool) -> String {
    let significant = precision.max(1);
    let (_, exponent) = split_exponent(x, significant - 1);
    if exponent < -4 || exponent >= significant as i32 {
        let text = exponent_text(x, significant - 1, alt);
        let (mantissa, tail) = text.split_at(text.find('e').expect("an e"));
        format!("{}{tail}", trim_fraction(mantissa, alt))
    } else {
        let decimals = (significant as i32 - 1 - exponent) as usize;
        trim_fraction(&fixed_text(x, decimals, alt), alt)
    }
}

fn trim_fraction(text: &str, alt: bool) -> String {
    if alt || !text.contains('.') {
        return String::from(text);
    }
    String::from(text.trim_end_matches('0').trim_end_matches('.'))
}

/// `math.h` over `libm`, one C-ABI function each.
macro_rules! math {
    ($($name:ident($($arg:ident),*)),* $(,)?) => {$(
        #[doc = concat!("`", stringify!($name), "` (libm).")]
        pub extern "C" fn $name($($arg: f64),*) -> f64 {
            libm::$name($($arg),*)
        }
    )*};
}

math!(
    sqrt(x),
    fabs(x),
    floor(x),
    ceil(x),
    round(x),
    pow(x, y),
    exp(x),
    log(x),
    log10(x),
    sin(x),
    cos(x),
    tan(x),
    atan(x),
    atan2(y, x),
    fmod(x, y),
);
