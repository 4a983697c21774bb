//! Tests for `Args`: positionals, options in both forms, flags, `&`, and
//! every error path.

use alloc::string::{String, ToString};

use crate::args::Args;
use crate::error::Error;

/// Arguments parsed from `text`.
fn args(text: &str) -> Args<'_> {
    Args::parse(text).expect("splits")
}

/// The message of an error.
fn message<T: core::fmt::Debug>(result: Result<T, Error>) -> String {
    result.unwrap_err().to_string()
}

#[test]
fn positionals_in_order_and_typed() {
    let args = args("3 all 0x10");
    assert_eq!(args.positional::<u8>("from"), Ok(3));
    assert_eq!(args.positional::<&str>("to"), Ok("all"));
    assert_eq!(args.positional::<u64>("size"), Ok(16));
    assert_eq!(args.finish(), Ok(()));
}

#[test]
fn a_missing_positional_names_it() {
    let args = args("1");
    assert_eq!(args.positional::<u8>("from"), Ok(1));
    assert_eq!(
        args.positional::<u8>("to"),
        Err(Error::MissingArgument { name: "to" })
    );
    assert_eq!(
        message(args.positional::<u8>("to")),
        "missing argument 'to'"
    );
}

#[test]
fn positional_parse_errors() {
    assert_eq!(
        message(args("abc").positional::<u32>("n")),
        "n: 'abc' is not a number"
    );
    assert_eq!(
        message(args("99999999999").positional::<u32>("n")),
        "n: '99999999999' is too large (at most 4294967295)"
    );
}

#[test]
fn positional_in_checks_the_range() {
    assert_eq!(args("2").positional_in("core", 0..=3usize), Ok(2));
    assert_eq!(
        message(args("9").positional_in("core", 0..=3usize)),
        "core 9 is out of range (valid: 0-3)"
    );
}

#[test]
fn optional_positionals() {
    let args = args("5");
    assert_eq!(args.optional::<u32>(), Ok(Some(5)));
    assert_eq!(args.optional::<u32>(), Ok(None));
    assert_eq!(
        message(self::args("x").optional::<u32>()),
        "'x' is not a number"
    );
}

#[test]
fn options_in_both_forms_anywhere() {
    for line in [
        "--count 5 0 1",
        "0 --count 5 1",
        "0 1 --count=5",
        "--count=5 0 1",
    ] {
        let args = args(line);
        assert_eq!(args.option::<u32>("--count"), Ok(Some(5)), "line {line:?}");
        assert_eq!(args.positional::<u8>("from"), Ok(0), "line {line:?}");
        assert_eq!(args.positional::<u8>("to"), Ok(1), "line {line:?}");
        assert_eq!(args.finish(), Ok(()), "line {line:?}");
    }
}

#[test]
fn an_absent_option_is_none() {
    let args = args("0");
    assert_eq!(args.option::<u32>("--count"), Ok(None));
    assert_eq!(args.positional::<u8>("from"), Ok(0));
}

#[test]
fn an_option_given_twice_is_an_error() {
    for line in [
        "--count 1 --count 2",
        "--count=1 --count=2",
        "--count 1 --count=2",
    ] {
        assert_eq!(
            args(line).option::<u32>("--count"),
            Err(Error::RepeatedOption { option: "--count" })
        );
    }
    assert_eq!(
        message(args("--count=1 --count=2").option::<u32>("--count")),
        "option '--count' is given twice"
    );
}

#[test]
fn an_option_without_a_value_is_an_error() {
    for line in ["--count", "--count --verbose", "0 --count"] {
        assert_eq!(
            message(args(line).option::<u32>("--count")),
            "option '--count' needs a value",
            "{line:?}"
        );
    }
}

#[test]
fn an_option_with_an_empty_or_bad_value() {
    assert_eq!(
        message(args("--count=").option::<u32>("--count")),
        "--count: '' is not a number"
    );
    assert_eq!(
        message(args("--count x").option::<u32>("--count")),
        "--count: 'x' is not a number"
    );
    assert_eq!(args("--name=").option::<&str>("--name"), Ok(Some("")));
}

#[test]
fn an_option_value_can_be_quoted_or_negative() {
    assert_eq!(
        args("--name \"a b\"").option::<&str>("--name"),
        Ok(Some("a b"))
    );
    assert_eq!(
        args("--name=\"a b\"").option::<String>("--name"),
        Ok(Some("a b".into()))
    );
    assert_eq!(args("--offset -3").option::<i64>("--offset"), Ok(Some(-3)));
}

#[test]
fn an_option_prefix_is_not_the_option() {
    let args = args("--counter=3");
    assert_eq!(args.option::<u32>("--count"), Ok(None));
    assert_eq!(
        message(args.finish()),
        "unknown option '--counter' (valid: --count)"
    );
}

#[test]
fn flags() {
    let args = args("--verbose 1");
    assert!(args.flag("--verbose"));
    assert!(!args.flag("--quiet"));
    assert_eq!(args.positional::<u8>("n"), Ok(1));
    assert_eq!(args.finish(), Ok(()));
}

#[test]
fn a_flag_given_a_value_is_an_error() {
    let args = args("--verbose=yes");
    assert!(!args.flag("--verbose"));
    assert_eq!(message(args.finish()), "option '--verbose' takes no value");
}

#[test]
fn finish_reports_the_first_extra_argument() {
    let args = args("1 x y");
    assert_eq!(args.positional::<u8>("n"), Ok(1));
    assert_eq!(
        args.finish(),
        Err(Error::UnexpectedArgument { text: "x".into() })
    );
    assert_eq!(message(args.finish()), "unexpected argument 'x'");
}

#[test]
fn finish_reports_unknown_options_with_the_valid_ones() {
    let args = args("--cout 3 0");
    assert_eq!(args.option::<u32>("--count"), Ok(None));
    assert!(!args.flag("--verbose"));
    assert_eq!(
        message(args.finish()),
        "unknown option '--cout' (valid: --count, --verbose)"
    );
    assert_eq!(
        message(self::args("--x=5").finish()),
        "unknown option '--x' (this command takes no options)"
    );
}

#[test]
fn a_positional_that_meets_an_untaken_option_reports_it() {
    let args = args("--cout 3 0");
    assert!(!args.flag("--verbose"));
    assert_eq!(
        message(args.positional::<u8>("core")),
        "unknown option '--cout' (valid: --verbose)"
    );
}

#[test]
fn quoted_dashes_and_bare_double_dash_are_plain_text() {
    let args = args("\"--verbose\" -- -5");
    assert!(!args.flag("--verbose"));
    assert_eq!(args.positional::<&str>("a"), Ok("--verbose"));
    assert_eq!(args.positional::<&str>("b"), Ok("--"));
    assert_eq!(args.positional::<i64>("c"), Ok(-5));
    assert_eq!(args.finish(), Ok(()));
}

#[test]
fn rest_takes_everything_left() {
    let args = args("--n 2 a \"b  c\" --d");
    assert_eq!(args.option::<u8>("--n"), Ok(Some(2)));
    assert_eq!(args.rest(), ["a", "b  c", "--d"]);
    assert_eq!(args.finish(), Ok(()));
    assert_eq!(args.rest(), [] as [&str; 0]);
}

#[test]
fn borrowed_values_can_be_held_together() {
    let args = args("a b");
    let (first, second): (&str, &str) =
        (args.positional("a").unwrap(), args.positional("b").unwrap());
    assert_eq!((first, second), ("a", "b"));
}

#[test]
fn a_trailing_ampersand_means_background() {
    let args = args("5 &");
    assert!(args.background());
    assert_eq!(args.positional::<u32>("ms"), Ok(5));
    assert_eq!(args.finish(), Ok(()));
    assert!(!self::args("5").background());
}

#[test]
fn an_ampersand_elsewhere_or_quoted_is_an_argument() {
    let args = args("& 5");
    assert!(!args.background());
    assert_eq!(args.positional::<&str>("x"), Ok("&"));
    let args = self::args("5 \"&\"");
    assert!(!args.background());
    assert_eq!(args.rest(), ["5", "&"]);
}

#[test]
fn finish_refuses_an_ampersand_nobody_asked_about() {
    let args = args("5 &");
    assert_eq!(args.positional::<u32>("ms"), Ok(5));
    let refused = args.finish().unwrap_err();
    assert_eq!(refused, Error::NoBackground { command: None });
    assert_eq!(
        refused.to_string(),
        "this command cannot run in the background; run it without '&'"
    );
    assert!(args.background());
    assert_eq!(args.finish(), Ok(()));
}

#[test]
fn an_unterminated_quote_is_an_error() {
    assert_eq!(Args::parse("\"abc").unwrap_err(), Error::UnterminatedQuote);
}
