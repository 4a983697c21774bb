//! Every shipped program on 3 and 4 ranks (threads), its output checked
//! against values this file computes on its own; bad arguments, a failing
//! instance, a deadlock, and the table lookups.

use std::time::{Duration, Instant};

use mpi::Algorithm;
use programs::threads::{RankRun, run};
use programs::{Failure, Instance, PROGRAMS, Program, find, nearest};
use rand_core::{Rng, SeedableRng};
use rand_xorshift::XorShiftRng;

/// Generous: a correct program finishes in milliseconds.
const LIMIT: Duration = Duration::from_secs(20);

/// The seed of the programs without a seed argument (docs/programs.md).
const SEED: u64 = 2026;

/// Runs `name args` on `ranks` ranks and returns each rank's lines; every
/// instance must succeed.
fn lines(name: &str, args: &[&str], ranks: usize) -> Vec<Vec<String>> {
    let runs = run(find(name).unwrap(), args, ranks, LIMIT).unwrap();
    runs.into_iter()
        .enumerate()
        .map(|(rank, RankRun { lines, result })| {
            assert_eq!(
                result,
                Ok(()),
                "{name} {args:?}, rank {rank} of {ranks}: {lines:?}"
            );
            lines
        })
        .collect()
}

/// The first `count` numbers of the seeded generator, each `% bound`.
fn draws(rng: &mut XorShiftRng, count: usize, bound: u32) -> Vec<u64> {
    (0..count)
        .map(|_| u64::from(rng.next_u32() % bound))
        .collect()
}

/// How many of `n` items rank `rank` of `size` owns (the first `n % size` one more).
fn share_len(n: usize, size: usize, rank: usize) -> usize {
    n / size + usize::from(rank < n % size)
}

/// A program made up by a test: `main` and no arguments to check.
fn test_program(main: fn(&mut Instance<'_, '_>) -> Result<(), Failure>) -> Program {
    Program {
        name: "test",
        summary: "a test's program",
        usage: "test",
        source: "programs/tests/programs.rs",
        check: |_| Ok(()),
        main,
    }
}

#[test]
fn toro_reduce_says_hello_everywhere_and_succeeds_at_the_root() {
    for ranks in [3, 4] {
        let out = lines("toro-reduce", &[], ranks);
        let sum = (0..ranks).sum::<usize>();
        assert_eq!(
            out[0],
            [
                "hello from core 0".to_string(),
                format!("success! value: {sum}")
            ]
        );
        for (rank, rank_lines) in out.iter().enumerate().skip(1) {
            assert_eq!(rank_lines, &[format!("hello from core {rank}")]);
        }
    }
}

#[test]
fn pingpong_pings_every_rank_and_each_answers() {
    for ranks in [3, 4] {
        let out = lines("pingpong", &[], ranks);
        let pongs: Vec<String> = (1..ranks)
            .map(|d| format!("Core[{d}] -> Core[0]: pong"))
            .collect();
        assert_eq!(out[0], pongs);
        for (rank, rank_lines) in out.iter().enumerate().skip(1) {
            assert_eq!(rank_lines, &[format!("Core[0] -> Core[{rank}]: ping")]);
        }
    }
}

#[test]
fn pi_is_close_to_pi_and_its_time_line_says_time() {
    for ranks in [3, 4] {
        let out = lines("pi", &["1000"], ranks);
        let estimate: f64 = out[0][0]
            .strip_prefix("pi is approximately ")
            .and_then(|rest| rest.split(',').next())
            .unwrap()
            .parse()
            .unwrap();
        // The midpoint rule's error for 4/(1+x²) is about h²/12·|f'(1)-f'(0)| = 1.7e-7 h².
        let error = (estimate - std::f64::consts::PI).abs();
        assert!(error < 1e-6, "{estimate}");
        assert!(
            out[0][0].ends_with(&format!("error {error:.3e}")),
            "{:?}",
            out[0]
        );
        assert!(out[0][1].starts_with("wall time ") && out[0][1].contains("time"));
        assert!(out[1..].iter().all(Vec::is_empty));
    }
}

#[test]
fn ring_adds_every_rank_once_per_lap() {
    for ranks in [3, 4] {
        let out = lines("ring", &["5"], ranks);
        let per_lap = (0..ranks as u64).sum::<u64>();
        let mut expected: Vec<String> = (1..=5)
            .map(|k| format!("lap {k}: token {}", k * per_lap))
            .collect();
        expected.push(format!("success! token {} after 5 laps", 5 * per_lap));
        assert_eq!(out[0], expected);
        assert!(out[1..].iter().all(Vec::is_empty));
    }
}

#[test]
fn avg_averages_each_share_and_the_whole() {
    let n = 1001;
    let numbers = draws(&mut XorShiftRng::seed_from_u64(SEED), n, 1000);
    for ranks in [3, 4] {
        let out = lines("avg", &["1001"], ranks);
        let mut start = 0;
        for (rank, rank_lines) in out.iter().enumerate() {
            let len = share_len(n, ranks, rank);
            let part = &numbers[start..start + len];
            let average = part.iter().sum::<u64>() as f64 / len as f64;
            assert_eq!(
                rank_lines[0],
                format!("rank {rank}: {len} numbers, average {average:.3}")
            );
            start += len;
        }
        let serial = numbers.iter().sum::<u64>() as f64 / n as f64;
        let summary = format!("average of {n} numbers: {serial:.6} (serial {serial:.6})");
        assert_eq!(out[0][1..], [summary]);
    }
}

#[test]
fn matvec_matches_the_product_computed_here() {
    let n = 10;
    let mut rng = XorShiftRng::seed_from_u64(SEED);
    let (a, x) = (draws(&mut rng, n * n, 10), draws(&mut rng, n, 10));
    let y: Vec<u64> = (0..n)
        .map(|i| (0..n).map(|j| a[i * n + j] * x[j]).sum())
        .collect();
    for ranks in [3, 4] {
        let out = lines("matvec", &["10"], ranks);
        assert_eq!(
            out[0],
            [
                "y = A*x for N = 10: matches the serial product".to_string(),
                format!("y[0..8] = {:?}, sum {}", &y[..8], y.iter().sum::<u64>()),
            ]
        );
        assert!(out[1..].iter().all(Vec::is_empty));
    }
}

#[test]
fn sort_sorts_the_seeded_keys() {
    let n = 1001;
    let mut keys = draws(&mut XorShiftRng::seed_from_u64(SEED), n, 1_000_000);
    keys.sort();
    for ranks in [3, 4] {
        let out = lines("sort", &["1001"], ranks);
        let line = format!(
            "sorted {n} keys on {ranks} ranks: first {}, median {}, last {}",
            keys[0],
            keys[n / 2],
            keys[n - 1]
        );
        assert_eq!(out[0], [line]);
    }
}

#[test]
fn heat_matches_a_serial_rod() {
    let (n, steps) = (31, 40);
    let mut u: Vec<f64> = (0..n)
        .map(|i| {
            if i >= n / 3 && i < n - n / 3 {
                100.0
            } else {
                0.0
            }
        })
        .collect();
    for _ in 0..steps {
        let old = u.clone();
        for i in 0..n {
            let left = if i == 0 { 0.0 } else { old[i - 1] };
            let right = if i == n - 1 { 0.0 } else { old[i + 1] };
            u[i] = old[i] + 0.25 * (left - 2.0 * old[i] + right);
        }
    }
    for ranks in [3, 4] {
        let out = lines("heat", &["31", "40"], ranks);
        assert_eq!(
            out[0],
            [
                format!("heat {n} points, {steps} steps: matches the serial result"),
                format!(
                    "middle {:.6}, total heat {:.6}",
                    u[n / 2],
                    u.iter().sum::<f64>()
                ),
            ]
        );
    }
}

#[test]
fn histogram_counts_every_rank_stream() {
    let (n, bins, seed) = (1000, 7, 42u64);
    for ranks in [3, 4] {
        let mut counts = vec![0u64; bins];
        for rank in 0..ranks {
            let stream = seed.wrapping_mul(1_000_003).wrapping_add(rank as u64);
            let mut rng = XorShiftRng::seed_from_u64(stream);
            for v in draws(&mut rng, share_len(n, ranks, rank), 100) {
                counts[v as usize * bins / 100] += 1;
            }
        }
        let mut expected: Vec<String> = counts
            .iter()
            .enumerate()
            .map(|(b, c)| format!("bin {b}: {c}"))
            .collect();
        expected.push(format!("total {n}"));
        assert_eq!(lines("histogram", &["1000", "7", "42"], ranks)[0], expected);
    }
}

#[test]
fn deadlock_blocks_every_rank_until_aborted() {
    for ranks in [2, 3, 4] {
        let limit = Duration::from_millis(300);
        let start = Instant::now();
        let runs = run(find("deadlock").unwrap(), &[], ranks, limit).unwrap();
        assert!(start.elapsed() >= limit, "a rank got past its receive");
        for (rank, r) in runs.iter().enumerate() {
            let (from, to) = ((rank + 1) % ranks, (rank + ranks - 1) % ranks);
            assert_eq!(
                r.lines,
                [format!(
                    "rank {rank}: receive from rank {from}, then send to rank {to}"
                )]
            );
            assert_eq!(r.result, Err(Failure::Mpi(mpi::Error::Aborted)));
        }
    }
}

#[test]
fn wrong_arguments_are_usage_errors_before_any_rank_starts() {
    let cases: &[(&str, &[&str], &str)] = &[
        ("toro-reduce", &["1"], "expected 0 arguments, got 1"),
        ("pi", &[], "expected 1 argument, got 0"),
        (
            "pi",
            &["0"],
            "N must be a whole number from 1 to 1000000000, not '0'",
        ),
        (
            "ring",
            &["x"],
            "K must be a whole number from 1 to 1000000, not 'x'",
        ),
        ("avg", &["1", "2"], "expected 1 argument, got 2"),
        ("heat", &["5"], "expected 2 arguments, got 1"),
        (
            "sort",
            &["-3"],
            "N must be a whole number from 1 to 1000000, not '-3'",
        ),
        (
            "histogram",
            &["10", "101", "1"],
            "BINS must be a whole number from 1 to 100, not '101'",
        ),
    ];
    for &(name, args, why) in cases {
        let program = find(name).unwrap();
        assert_eq!(
            (program.check)(args),
            Err(Failure::Usage(why.to_string())),
            "{name} {args:?}"
        );
        assert_eq!(
            run(program, args, 3, LIMIT).unwrap_err(),
            Failure::Usage(why.to_string())
        );
    }
}

#[test]
fn a_failing_instance_reports_why() {
    let runs = run(find("heat").unwrap(), &["2", "1"], 3, LIMIT).unwrap();
    for r in runs {
        assert_eq!(
            r.result,
            Err(Failure::Failed("heat needs N >= ranks (3)".into()))
        );
    }
}

#[test]
fn one_failing_rank_stops_the_others() {
    fn main(inst: &mut Instance<'_, '_>) -> Result<(), Failure> {
        if inst.rank() == 1 {
            return Err(inst.fail("rank 1 gives up"));
        }
        let (mpi, comm) = inst.mpi();
        mpi.recv(comm, 1, 0u32, &mut [0u32; 1])?;
        Ok(())
    }
    let start = Instant::now();
    let runs = run(&test_program(main), &[], 3, LIMIT).unwrap();
    assert!(start.elapsed() < LIMIT / 2);
    assert_eq!(
        runs[1].result,
        Err(Failure::Failed("rank 1 gives up".into()))
    );
    assert_eq!(runs[0].result, Err(Failure::Mpi(mpi::Error::Aborted)));
}

#[test]
fn a_panicking_rank_is_a_failure_and_stops_the_others() {
    fn main(inst: &mut Instance<'_, '_>) -> Result<(), Failure> {
        if inst.rank() == 2 {
            panic!("rank 2 breaks");
        }
        let (mpi, comm) = inst.mpi();
        mpi.barrier(comm, Algorithm::Tree)?;
        Ok(())
    }
    let runs = run(&test_program(main), &[], 3, LIMIT).unwrap();
    assert_eq!(
        runs[2].result,
        Err(Failure::Failed("panicked: rank 2 breaks".into()))
    );
    assert_eq!(runs[0].result, Err(Failure::Mpi(mpi::Error::Aborted)));
}

#[test]
fn output_is_cut_into_lines_and_finish_flushes_the_last() {
    fn main(inst: &mut Instance<'_, '_>) -> Result<(), Failure> {
        use std::fmt::Write;
        write!(inst, "a")?;
        write!(inst, "b\nc\n\nd")?;
        Ok(())
    }
    let runs = run(&test_program(main), &[], 1, LIMIT).unwrap();
    assert_eq!(runs[0].lines, ["ab", "c", "", "d"]);
}

#[test]
fn find_and_nearest() {
    assert_eq!(find("pi").map(|p| p.usage), Some("pi N"));
    assert!(find("pj").is_none());
    assert_eq!(nearest("pj"), Some("pi"));
    assert_eq!(nearest("pingpog"), Some("pingpong"));
    assert_eq!(nearest("toro"), Some("toro-reduce"));
    assert_eq!(nearest("hist"), Some("histogram"));
    assert_eq!(nearest("xyzzy"), None);
}

#[test]
fn every_table_entry_is_consistent() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for (i, p) in PROGRAMS.iter().enumerate() {
        assert!(
            PROGRAMS[..i].iter().all(|q| q.name != p.name),
            "{} twice",
            p.name
        );
        assert!(p.usage.split(' ').next() == Some(p.name), "{}", p.usage);
        assert!(root.join(p.source).is_file(), "{}", p.source);
        assert!(!p.summary.is_empty());
    }
}

/// A line longer than `MAX_LINE` reaches the host in pieces of at most
/// that many bytes, cut at character boundaries, none lost; a program
/// that never ends its line cannot fill memory (it used to hold it all).
#[test]
fn a_line_longer_than_max_line_goes_out_in_pieces() {
    fn long_line(inst: &mut Instance<'_, '_>) -> Result<(), Failure> {
        use std::fmt::Write;
        for _ in 0..3000 {
            write!(inst, "ab\u{e9}").expect("the host takes it"); // 4 bytes, one of 2
        }
        writeln!(inst, "|end").expect("the host takes it");
        Ok(())
    }
    let program = Program {
        name: "long-line",
        summary: "",
        usage: "long-line",
        source: file!(),
        check: |_| Ok(()),
        main: long_line,
    };
    let runs = run(&program, &[], 1, LIMIT).unwrap();
    let lines = &runs[0].lines;
    assert!(lines.len() > 2, "{} lines", lines.len());
    assert!(
        lines.iter().all(|l| l.len() <= programs::MAX_LINE),
        "a piece is too long"
    );
    assert_eq!(lines.concat(), "ab\u{e9}".repeat(3000) + "|end");
}
