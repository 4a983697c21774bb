//! `programs-threads NAME [-n RANKS] [--limit SECS] [ARGS...]`: runs a
//! program as host threads and prints every rank's lines as `[rank] line`,
//! rank by rank — the lab 6 grader's way to run a student's program.

use std::process::ExitCode;
use std::time::Duration;

use programs::threads::run;
use programs::{Failure, find, nearest};

/// Ranks when `-n` is not given.
const DEFAULT_RANKS: usize = 4;

/// Seconds before every rank is stopped, when `--limit` is not given.
const DEFAULT_LIMIT: u64 = 10;

fn main() -> ExitCode {
    let words: Vec<String> = std::env::args().skip(1).collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    match start(&words) {
        Ok(code) => code,
        Err(why) => {
            println!("error: {why}");
            ExitCode::from(2)
        }
    }
}

/// Parses the command line, runs the program and prints its lines.
fn start(words: &[&str]) -> Result<ExitCode, String> {
    let (name, rest) = words
        .split_first()
        .ok_or("usage: programs-threads NAME [-n RANKS] [--limit SECS] [ARGS...]")?;
    let program = find(name).ok_or_else(|| match nearest(name) {
        Some(near) => format!("unknown program '{name}' (did you mean '{near}'?)"),
        None => format!("unknown program '{name}'"),
    })?;
    let (ranks, limit, args) = options(rest)?;
    let runs =
        run(program, args, ranks, Duration::from_secs(limit)).map_err(|failure| match failure {
            Failure::Usage(why) => format!("{why}; usage: {}", program.usage),
            other => other.to_string(),
        })?;
    let mut failed = false;
    for (rank, ran) in runs.iter().enumerate() {
        ran.lines
            .iter()
            .for_each(|line| println!("[{rank}] {line}"));
        if let Err(why) = &ran.result {
            println!("[{rank}] failed: {why}");
            failed = true;
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// `-n RANKS` and `--limit SECS` (in any order, before the program's
/// arguments), then the program's arguments.
fn options<'w>(mut rest: &'w [&'w str]) -> Result<(usize, u64, &'w [&'w str]), String> {
    let (mut ranks, mut limit) = (DEFAULT_RANKS, DEFAULT_LIMIT);
    while let [flag @ ("-n" | "--limit"), value, tail @ ..] = rest {
        let number: u64 = value
            .parse()
            .ok()
            .filter(|&v| v > 0)
            .ok_or_else(|| format!("{flag} takes a positive number, not '{value}'"))?;
        match *flag {
            "-n" => ranks = number as usize,
            _ => limit = number,
        }
        rest = tail;
    }
    Ok((ranks, limit, rest))
}
