//! Tests for `FromArg` on numbers and text, and for `check_range`.

use alloc::string::{String, ToString};

use crate::error::Error;
use crate::number::{FromArg, check_range};

/// The error message `T::from_arg(text)` gives.
fn error<T: for<'a> FromArg<'a> + core::fmt::Debug>(text: &str) -> String {
    T::from_arg(text).unwrap_err().to_string()
}

#[test]
fn decimal_hex_and_separators() {
    assert_eq!(u32::from_arg("42"), Ok(42));
    assert_eq!(u32::from_arg("0x2a"), Ok(42));
    assert_eq!(u32::from_arg("0X2A"), Ok(42));
    assert_eq!(u64::from_arg("1_000_000"), Ok(1_000_000));
    assert_eq!(u16::from_arg("0xff_ff"), Ok(0xffff));
    assert_eq!(usize::from_arg("0"), Ok(0));
    assert_eq!(u8::from_arg("255"), Ok(255));
}

#[test]
fn words_that_are_not_numbers() {
    for text in [
        "abc", "", "_", "0x", "0x_", "12abc", "+5", "-x", "1.5", "0xg", " 1",
    ] {
        assert_eq!(
            error::<u32>(text),
            alloc::format!("'{text}' is not a number"),
            "text {text:?}"
        );
    }
}

#[test]
fn a_negative_number_for_an_unsigned_type_says_so() {
    assert_eq!(
        error::<u32>("-5"),
        "'-5' is negative (numbers here start at 0)"
    );
    assert_eq!(
        error::<u64>("-0x1"),
        "'-0x1' is negative (numbers here start at 0)"
    );
}

#[test]
fn not_a_number_wins_over_too_large() {
    assert_eq!(
        error::<u64>("99999999999999999999x"),
        "'99999999999999999999x' is not a number"
    );
}

#[test]
fn numbers_too_large_for_the_type() {
    assert_eq!(error::<u8>("256"), "'256' is too large (at most 255)");
    assert_eq!(
        error::<u16>("0x1_0000"),
        "'0x1_0000' is too large (at most 65535)"
    );
    assert_eq!(
        error::<u32>("99999999999"),
        "'99999999999' is too large (at most 4294967295)"
    );
    assert_eq!(
        error::<u64>("18446744073709551616"),
        "'18446744073709551616' is too large (at most 18446744073709551615)"
    );
    assert_eq!(u64::from_arg("18446744073709551615"), Ok(u64::MAX));
}

#[test]
fn signed_numbers() {
    assert_eq!(i64::from_arg("-5"), Ok(-5));
    assert_eq!(i64::from_arg("-0x10"), Ok(-16));
    assert_eq!(i32::from_arg("2_147_483_647"), Ok(i32::MAX));
    assert_eq!(i32::from_arg("-2147483648"), Ok(i32::MIN));
    assert_eq!(i64::from_arg("-9223372036854775808"), Ok(i64::MIN));
    assert_eq!(
        error::<i32>("-99999999999"),
        "'-99999999999' does not fit (-2147483648 to 2147483647)"
    );
    assert_eq!(
        error::<i64>("9223372036854775808"),
        "'9223372036854775808' does not fit (-9223372036854775808 to 9223372036854775807)"
    );
    assert_eq!(error::<i64>("-"), "'-' is not a number");
    assert_eq!(error::<i64>("--5"), "'--5' is not a number");
}

#[test]
fn text_passes_through() {
    assert_eq!(<&str>::from_arg("a b"), Ok("a b"));
    assert_eq!(String::from_arg(""), Ok(String::new()));
}

#[test]
fn check_range_accepts_the_ends_and_names_the_value() {
    assert_eq!(check_range("core", 3usize, 0..=3), Ok(3));
    assert_eq!(check_range("core", 0usize, 0..=3), Ok(0));
    assert_eq!(
        check_range("core", 9usize, 0..=3).unwrap_err().to_string(),
        "core 9 is out of range (valid: 0-3)"
    );
    assert_eq!(
        check_range("core", 9usize, 0..=3),
        Err(Error::OutOfRange {
            name: "core",
            value: 9,
            min: 0,
            max: 3
        })
    );
}

#[test]
fn check_range_messages_for_odd_ranges() {
    assert_eq!(
        check_range("core", 1usize, 0..=0).unwrap_err().to_string(),
        "core 1 is out of range (valid: 0)"
    );
    assert_eq!(
        check_range("offset", -9i64, -5..=5)
            .unwrap_err()
            .to_string(),
        "offset -9 is out of range (valid: -5 to 5)"
    );
    assert_eq!(
        check_range("n", u64::MAX, 1..=10).unwrap_err().to_string(),
        "n 18446744073709551615 is out of range (valid: 1-10)"
    );
}
