//! The docs' shell transcripts, run: every fenced block in README.md, docs/
//! and docs/labs/ that has `ringlab> ` lines is replayed on a fresh machine
//! and each command's output compared with what the block shows.
//!
//! Matching rules (so docs can show real output without going stale):
//! - a line must match exactly, except that in lines with measurements
//!   (cycles, us, ns, ms, s, GHz, 0x…) every number is a wildcard;
//! - consecutive lines that cores print on their own as a job starts
//!   (`hello from core N`, and a sweep's `... left over from before it
//!   started`) match in any order;
//! - a line ending in `...` matches any line starting with what precedes it;
//! - a line of just `…` matches any number of lines;
//! - a command shown with no output must print no `error:` line;
//! - `# comment` after a command is not typed.
//!
//! A block boots with 4 cores unless its info string says `smp=N`
//! (```` ```console smp=3 ````); blocks whose info string is `text` are
//! illustrations (e.g. a lab's prediction to fill in) and are not run.

use std::path::{Path, PathBuf};

use xtask::harness::{Config, Machine};

/// One command of a transcript and the output lines shown under it.
struct Step {
    command: String,
    expected: Vec<String>,
}

/// A fenced block with a transcript.
struct Transcript {
    place: String,
    smp: u32,
    steps: Vec<Step>,
}

fn markdown_files() -> Vec<PathBuf> {
    let root = xtask::workspace::root();
    let mut files = vec![root.join("README.md")];
    for dir in [root.join("docs"), root.join("docs").join("labs")] {
        let mut here: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("docs/ exists")
            .map(|entry| entry.expect("readable").path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
            .collect();
        here.sort();
        files.extend(here);
    }
    files
}

/// The transcripts in one markdown file.
fn transcripts(path: &Path) -> Vec<Transcript> {
    let text = std::fs::read_to_string(path).expect("readable markdown");
    let mut found = Vec::new();
    let mut block: Option<(usize, String, Vec<String>)> = None;
    for (number, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(info) = trimmed.strip_prefix("```") {
            match block.take() {
                None => block = Some((number + 1, info.trim().to_string(), Vec::new())),
                Some((start, info, lines)) => {
                    let place = format!("{}:{start}", path.display());
                    found.extend(parse_block(place, &info, &lines));
                }
            }
        } else if let Some((_, _, lines)) = block.as_mut() {
            lines.push(trimmed.to_string());
        }
    }
    found
}

fn parse_block(place: String, info: &str, lines: &[String]) -> Option<Transcript> {
    if info.split_whitespace().next() == Some("text")
        || !lines.iter().any(|l| l.starts_with("ringlab> "))
    {
        return None;
    }
    let smp = info
        .split_whitespace()
        .find_map(|word| word.strip_prefix("smp="))
        .map_or(4, |n| n.parse().expect("smp=N in a docs block"));
    let mut steps: Vec<Step> = Vec::new();
    for line in lines {
        if let Some(command) = line.strip_prefix("ringlab> ") {
            let command = command
                .split("  #")
                .next()
                .unwrap_or(command)
                .trim()
                .to_string();
            steps.push(Step {
                command,
                expected: Vec::new(),
            });
        } else if let Some(step) = steps.last_mut() {
            step.expected.push(line.trim_end().to_string());
        }
    }
    steps.retain(|step| !step.command.is_empty() && step.command != "poweroff");
    Some(Transcript { place, smp, steps })
}

fn has_measurement(line: &str) -> bool {
    [
        " cycles",
        " us",
        " ns",
        " ms",
        " s ",
        " s)",
        " s;",
        "GHz",
        "0x",
        "started in",
    ]
    .iter()
    .any(|unit| line.contains(unit))
        || line.ends_with(" s")
}

/// `line` with every number (decimal, with a fraction, or 0x hex) as `#`.
fn masked(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            while chars
                .peek()
                .is_some_and(|n| n.is_ascii_hexdigit() || *n == '.' || *n == 'x')
            {
                chars.next();
            }
            out.push('#');
        } else {
            out.push(c);
        }
    }
    out
}

fn line_matches(expected: &str, actual: &str) -> bool {
    if let Some(prefix) = expected
        .strip_suffix("...")
        .or_else(|| expected.strip_suffix('…'))
    {
        return actual.starts_with(prefix.trim_end())
            || masked(actual).starts_with(masked(prefix.trim_end()).as_str());
    }
    expected == actual || (has_measurement(expected) && masked(expected) == masked(actual))
}

/// Whether `line` is one each core prints on its own as a job starts, so
/// its order among the cores' other such lines is not determined.
fn printed_by_each_core(line: &str) -> bool {
    line.starts_with("hello from core ") || line.ends_with("left over from before it started")
}

/// Whether `actual` looks as `expected` shows it.
fn output_matches(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first.trim() == "…" => {
            (0..=actual.len()).any(|skip| output_matches(rest, &actual[skip..]))
        }
        Some((first, _)) if printed_by_each_core(first) => {
            let shown = expected
                .iter()
                .take_while(|l| printed_by_each_core(l))
                .count();
            let (mut want, mut got) = (
                expected[..shown].to_vec(),
                actual
                    .iter()
                    .take(shown)
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>(),
            );
            want.sort();
            got.sort();
            want == got
                && output_matches(&expected[shown..], actual.get(shown..).unwrap_or_default())
        }
        Some((first, rest)) => {
            actual.first().is_some_and(|a| line_matches(first, a))
                && output_matches(rest, &actual[1..])
        }
    }
}

fn run_transcript(transcript: &Transcript) {
    let stream = std::env::temp_dir().join(format!("ringlab-docs-{}.trace", std::process::id()));
    let extra_args = xtask::qemu::trace_args(
        &format!("file,path={}", stream.display()),
        xtask::qemu::TraceChannel::Virtio,
    );
    let mut machine = Machine::boot(Config {
        extra_args,
        ..Config::smp(transcript.smp)
    });
    for step in &transcript.steps {
        let output = machine.run(&step.command);
        let actual: Vec<&str> = output.lines().collect();
        let ok = if step.expected.is_empty() {
            !actual.iter().any(|l| l.starts_with("error: "))
        } else {
            output_matches(&step.expected, &actual)
        };
        assert!(
            ok,
            "{}: `{}` no longer prints what the docs show.\n--- docs ---\n{}\n--- kernel ---\n{}",
            transcript.place,
            step.command,
            step.expected.join("\n"),
            output
        );
    }
}

#[test]
fn every_shell_transcript_in_the_docs_still_holds() {
    let all: Vec<Transcript> = markdown_files()
        .iter()
        .flat_map(|path| transcripts(path))
        .collect();
    assert!(all.len() >= 4, "found only {} transcripts", all.len());
    for transcript in &all {
        run_transcript(transcript);
    }
}

#[test]
fn the_matching_rules_catch_what_they_should() {
    let shown = |lines: &[&str]| lines.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert!(output_matches(
        &shown(&["success! value: 6"]),
        &["success! value: 6"]
    ));
    assert!(
        !output_matches(&shown(&["success! value: 6"]), &["success! value: 7"]),
        "plain numbers are exact"
    );
    assert!(output_matches(
        &shown(&["took 123 cycles = 4.5 us"]),
        &["took 999 cycles = 0.1 us"]
    ));
    assert!(output_matches(
        &shown(&["hello from core 0", "hello from core 1", "ok"]),
        &["hello from core 1", "hello from core 0", "ok"]
    ));
    assert!(!output_matches(
        &shown(&["hello from core 0", "hello from core 1"]),
        &["hello from core 1", "hello from core 2"]
    ));
    let sweep = "barrier: discarded 1 damaged entry from the rings of core(s) 2, left over from before it started";
    assert!(output_matches(
        &shown(&[sweep, "hello from core 1", "hello from core 2"]),
        &["hello from core 1", sweep, "hello from core 2"]
    ));
    assert!(!output_matches(
        &shown(&[sweep, "hello from core 1"]),
        &["hello from core 1", "hello from core 2"]
    ));
    assert!(output_matches(
        &shown(&["vq 1->0 size=64 ..."]),
        &["vq 1->0 size=64 buf=1024"]
    ));
    assert!(output_matches(
        &shown(&["a", "…", "z"]),
        &["a", "b", "c", "z"]
    ));
    assert!(
        !output_matches(&shown(&["a", "z"]), &["a", "b", "z"]),
        "no silent extra lines"
    );
}
