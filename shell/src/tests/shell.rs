//! Tests for `Shell`: dispatch, error printing, the built-in `help`,
//! suggestions, completion, events, and recovery after every kind of bad input.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write;

use crate::args::Args;
use crate::command::Command;
use crate::cores::{CoreOrAll, CoreSet, parse_core};
use crate::error::Error;
use crate::shell::{Shell, ShellEvent};
use crate::testing::{Broken, type_shell};

const CORES: usize = 4;

/// What the test commands did.
#[derive(Default)]
struct Lab {
    pings: Vec<(usize, CoreOrAll, u32, bool)>,
    sleeps: Vec<(u64, bool)>,
}

fn echo(_: &mut Lab, args: &mut Args<'_>, out: &mut dyn Write) -> Result<(), Error> {
    let words = args.rest();
    args.finish()?;
    writeln!(out, "{}", words.join(" "))?;
    Ok(())
}

fn ping(lab: &mut Lab, args: &mut Args<'_>, out: &mut dyn Write) -> Result<(), Error> {
    let count = args.option::<u32>("--count")?.unwrap_or(1);
    let verbose = args.flag("--verbose");
    let from = parse_core(args.positional("from")?, CORES)?;
    let to = CoreOrAll::parse(args.positional("to")?, CORES)?;
    args.finish()?;
    lab.pings.push((from, to, count, verbose));
    writeln!(out, "ping {from} -> {to:?} x{count}")?;
    Ok(())
}

fn sleep(lab: &mut Lab, args: &mut Args<'_>, _: &mut dyn Write) -> Result<(), Error> {
    let ms = args.positional_in::<u64>("ms", 1..=10_000)?;
    let background = args.background();
    args.finish()?;
    lab.sleeps.push((ms, background));
    Ok(())
}

fn trace(_: &mut Lab, args: &mut Args<'_>, out: &mut dyn Write) -> Result<(), Error> {
    let cores = CoreSet::parse(args.positional("cores")?, CORES)?;
    args.finish()?;
    // No line end on purpose: the shell must add one before the prompt.
    write!(out, "tracing {cores}")?;
    Ok(())
}

fn busy(_: &mut Lab, args: &mut Args<'_>, _: &mut dyn Write) -> Result<(), Error> {
    args.finish()?;
    Err(Error::invalid("core 2 is busy running ping"))
}

/// Takes one argument and forgets `finish`: the shell must catch extras.
fn sloppy(_: &mut Lab, args: &mut Args<'_>, _: &mut dyn Write) -> Result<(), Error> {
    let _: &str = args.positional("x")?;
    Ok(())
}

/// A table entry with placeholder texts where a test does not look at them.
const fn command(name: &'static str, usage: &'static str, run: RunFn) -> Command<Lab> {
    Command {
        name,
        summary: "does a thing",
        usage,
        help: "Does a thing.",
        example: name,
        run,
    }
}

type RunFn = fn(&mut Lab, &mut Args<'_>, &mut dyn Write) -> Result<(), Error>;

static COMMANDS: &[Command<Lab>] = &[
    Command {
        name: "echo",
        summary: "print the arguments",
        usage: "echo <text>...",
        help: "Prints its arguments, separated by single spaces.\nQuote to keep spaces.",
        example: "echo hello world",
        run: echo,
    },
    Command {
        name: "ping",
        summary: "send messages between cores",
        usage: "ping <from> <to|all> [--count N] [--verbose]",
        help: "Sends N messages from one core to another, or to all.",
        example: "ping 0 all --count 3",
        run: ping,
    },
    command("sleep", "sleep <ms> [&]", sleep),
    command("trace", "trace <cores>", trace),
    command("busy", "busy", busy),
    command("sloppy", "sloppy <x>", sloppy),
];

/// A shell over `COMMANDS` with prompt `> `.
fn shell() -> Shell<Lab> {
    Shell::new("> ", COMMANDS)
}

/// Types `input` into a fresh shell; returns the output, the events and the lab.
fn session(input: &[u8]) -> (String, Vec<ShellEvent>, Lab) {
    let mut lab = Lab::default();
    let (out, events) = type_shell(&mut shell(), &mut lab, input);
    (out, events, lab)
}

/// The output of one line typed at a fresh shell, without its echo.
fn output_of(line: &str) -> String {
    let typed = alloc::format!("{line}\r");
    let (out, _, _) = session(typed.as_bytes());
    out.strip_prefix(&alloc::format!("{line}\r\n"))
        .expect("echo first")
        .into()
}

/// The event of one line typed at a fresh shell.
fn event_of(line: &str) -> Option<ShellEvent> {
    session(alloc::format!("{line}\r").as_bytes()).1.pop()
}

#[test]
fn a_command_runs_and_the_prompt_returns() {
    let (out, events, _) = session(b"echo hello   world\r");
    assert_eq!(out, "echo hello   world\r\nhello world\r\n> ");
    assert_eq!(
        events,
        [ShellEvent::Ran {
            name: "echo",
            ok: true
        }]
    );
}

#[test]
fn quotes_and_options_reach_the_command() {
    assert_eq!(output_of("echo \"a  b\" c"), "a  b c\r\n> ");
    let (_, _, lab) = session(b"ping --verbose 1 all --count=3\r");
    assert_eq!(lab.pings, [(1, CoreOrAll::All, 3, true)]);
}

#[test]
fn output_without_a_line_end_gets_one_before_the_prompt() {
    assert_eq!(output_of("trace 0,2-3"), "tracing 0,2-3\r\n> ");
}

#[test]
fn empty_lines_just_reprompt() {
    let (out, events, _) = session(b"\r   \r");
    assert_eq!(out, "\r\n>    \r\n> ");
    assert!(events.is_empty());
}

#[test]
fn unknown_command_gets_a_suggestion() {
    assert_eq!(
        output_of("pnig 0 1"),
        "error: unknown command 'pnig' (did you mean 'ping'?); type 'help' for the list\r\n> "
    );
    assert_eq!(event_of("pnig 0 1"), Some(ShellEvent::Rejected));
    assert_eq!(
        output_of("sle 5"),
        "error: unknown command 'sle' (did you mean 'sleep'?); type 'help' for the list\r\n> "
    );
    assert_eq!(
        output_of("sl 5"),
        "error: unknown command 'sl'; type 'help' for the list\r\n> "
    );
    assert_eq!(
        output_of("hlep"),
        "error: unknown command 'hlep' (did you mean 'help'?); type 'help' for the list\r\n> "
    );
}

#[test]
fn unknown_command_without_anything_close() {
    assert_eq!(
        output_of("xyzzy"),
        "error: unknown command 'xyzzy'; type 'help' for the list\r\n> "
    );
}

#[test]
fn argument_shape_errors_print_the_usage() {
    let usage = "usage: ping <from> <to|all> [--count N] [--verbose]\r\n> ";
    let cases = [
        ("ping 0", "missing argument 'to'"),
        ("ping 0 1 2", "unexpected argument '2'"),
        ("ping x 1", "'x' is not a number"),
        ("ping 0 1 --count", "option '--count' needs a value"),
        (
            "ping 0 1 --count 1 --count=2",
            "option '--count' is given twice",
        ),
        (
            "ping 0 1 --cout 2",
            "unknown option '--cout' (valid: --count, --verbose)",
        ),
    ];
    for (line, message) in cases {
        assert_eq!(
            output_of(line),
            alloc::format!("error: {message}\r\n{usage}"),
            "line {line:?}"
        );
        assert_eq!(
            event_of(line),
            Some(ShellEvent::Ran {
                name: "ping",
                ok: false
            })
        );
    }
}

#[test]
fn value_errors_print_no_usage() {
    assert_eq!(
        output_of("ping 9 1"),
        "error: core 9 is out of range (valid: 0-3)\r\n> "
    );
    assert_eq!(
        output_of("ping 99999999999999999999 1"),
        "error: '99999999999999999999' is too large (at most 18446744073709551615)\r\n> "
    );
    assert_eq!(
        output_of("sleep 0"),
        "error: ms 0 is out of range (valid: 1-10000)\r\n> "
    );
    assert_eq!(
        output_of("trace 2,2"),
        "error: core 2 is listed twice\r\n> "
    );
}

#[test]
fn command_errors_print_as_one_line() {
    assert_eq!(
        output_of("busy"),
        "error: core 2 is busy running ping\r\n> "
    );
    assert_eq!(
        event_of("busy"),
        Some(ShellEvent::Ran {
            name: "busy",
            ok: false
        })
    );
}

#[test]
fn extra_arguments_are_caught_even_if_the_command_forgets_to_finish() {
    assert_eq!(
        output_of("sloppy a b"),
        "error: unexpected argument 'b'\r\nusage: sloppy <x>\r\n> "
    );
    assert_eq!(output_of("sloppy a"), "> ");
}

#[test]
fn background_runs_only_where_asked() {
    let (_, events, lab) = session(b"sleep 5 &\rsleep 6\r");
    assert_eq!(lab.sleeps, [(5, true), (6, false)]);
    assert_eq!(
        events,
        [
            ShellEvent::Ran {
                name: "sleep",
                ok: true
            },
            ShellEvent::Ran {
                name: "sleep",
                ok: true
            }
        ]
    );
    // Refused before it runs: nothing is printed but the error.
    assert_eq!(
        output_of("echo hi &"),
        "error: 'echo' cannot run in the background; run it without '&'\r\n> "
    );
    assert_eq!(
        event_of("echo hi &"),
        Some(ShellEvent::Ran {
            name: "echo",
            ok: false
        })
    );
    assert_eq!(
        output_of("busy &"),
        "error: 'busy' cannot run in the background; run it without '&'\r\n> "
    );
    assert_eq!(
        output_of("help &"),
        "error: 'help' cannot run in the background; run it without '&'\r\n> "
    );
}

#[test]
fn an_unterminated_quote_is_rejected() {
    assert_eq!(
        output_of("echo \"abc"),
        "error: unterminated quote: every '\"' needs a closing '\"'\r\n> "
    );
    assert_eq!(event_of("echo \"abc"), Some(ShellEvent::Rejected));
}

#[test]
fn help_lists_every_command_aligned() {
    let expected = [
        "commands:",
        "  echo    print the arguments",
        "  ping    send messages between cores",
        "  sleep   does a thing",
        "  trace   does a thing",
        "  busy    does a thing",
        "  sloppy  does a thing",
        "  help    list the commands, or describe one",
        "type 'help <command>' for its usage and an example",
        "> ",
    ];
    assert_eq!(output_of("help"), expected.join("\r\n"));
    assert_eq!(
        event_of("help"),
        Some(ShellEvent::Ran {
            name: "help",
            ok: true
        })
    );
}

#[test]
fn help_describes_one_command() {
    let expected = [
        "usage: echo <text>...",
        "Prints its arguments, separated by single spaces.",
        "Quote to keep spaces.",
        "example: echo hello world",
        "> ",
    ];
    assert_eq!(output_of("help echo"), expected.join("\r\n"));
    assert!(output_of("help help").starts_with("usage: help [command]\r\n"));
}

#[test]
fn help_errors() {
    assert_eq!(
        output_of("help pnig"),
        "error: unknown command 'pnig' (did you mean 'ping'?); type 'help' for the list\r\n> "
    );
    assert_eq!(
        event_of("help pnig"),
        Some(ShellEvent::Ran {
            name: "help",
            ok: false
        })
    );
    assert_eq!(
        output_of("help echo ping"),
        "error: unexpected argument 'ping'\r\nusage: help [command]\r\n> "
    );
}

#[test]
fn execute_returns_errors_instead_of_printing_them() {
    let (shell, mut lab, mut out) = (shell(), Lab::default(), String::new());
    assert_eq!(shell.execute(&mut lab, "echo a  b", &mut out), Ok(()));
    assert_eq!(out, "a b\r\n");
    assert_eq!(shell.execute(&mut lab, "", &mut out), Ok(()));
    assert_eq!(
        shell.execute(&mut lab, "pnig", &mut out),
        Err(Error::UnknownCommand {
            name: "pnig".into(),
            suggestion: Some("ping")
        })
    );
    assert_eq!(
        shell.execute(&mut lab, "ping 0", &mut out),
        Err(Error::MissingArgument { name: "to" })
    );
    assert_eq!(shell.execute(&mut lab, "ping 0 2", &mut out), Ok(()));
    assert_eq!(lab.pings, [(0, CoreOrAll::Core(2), 1, false)]);
}

#[test]
fn a_failing_sink_makes_an_output_error() {
    let (mut shell, mut lab) = (shell(), Lab::default());
    assert_eq!(
        shell.execute(&mut lab, "echo hi", &mut Broken),
        Err(Error::Output)
    );
    assert_eq!(Error::Output.to_string(), "could not write the output");
    let events: Vec<ShellEvent> = b"echo hi\r"
        .iter()
        .filter_map(|&byte| shell.feed(&mut lab, byte, &mut Broken))
        .collect();
    assert_eq!(
        events,
        [ShellEvent::Ran {
            name: "echo",
            ok: false
        }]
    );
}

#[test]
fn tab_completes_command_names_including_help() {
    let (out, _, _) = session(b"he\t");
    assert_eq!(out, "help ");
    let (out, _, _) = session(b"help pi\t");
    assert_eq!(out, "help ping ");
    let (out, _, _) = session(b"s\t\t");
    assert_eq!(out, "sl\r\nsleep  sloppy\r\n> sl");
    let (out, _, _) = session(b"echo pi\t");
    assert_eq!(out, "echo pi");
}

#[test]
fn ctrl_c_and_ctrl_l_are_reported() {
    let (_, events, _) = session(b"ping\x03\x0c");
    assert_eq!(events, [ShellEvent::Interrupt, ShellEvent::ClearScreen]);
}

#[test]
fn the_editor_prints_the_first_prompt() {
    let mut out = String::new();
    shell().editor().prompt(&mut out);
    assert_eq!(out, "> ");
}

#[test]
fn a_good_line_runs_after_every_kind_of_bad_input() {
    let bad: [&[u8]; 13] = [
        b"\x07",
        b"\x00",
        "\u{e9}".as_bytes(),
        b"\xff\xfe",
        b"\xe2\x82",
        b"\x1b[Z",
        b"\x1b[99~",
        b"\x1b",
        &[b'y'; 300],
        b"garbage\x03",
        b"nosuch 1 2\r",
        b"ping x\r",
        b"echo \"unclosed\r",
    ];
    for input in bad {
        let input = [input, b"\recho ok\r"].concat();
        let (out, events, _) = session(&input);
        assert!(out.ends_with("\r\nok\r\n> "), "after {input:?}: {out:?}");
        assert_eq!(
            events.last(),
            Some(&ShellEvent::Ran {
                name: "echo",
                ok: true
            }),
            "after {input:?}"
        );
    }
}
