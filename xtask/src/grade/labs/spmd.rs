//! Lab 6, write an SPMD program: the student writes `histogram` (docs/labs/6-spmd.md).
//! The checks run it as host threads on 1 to 8 ranks, also on inputs the handout
//! does not show, against a histogram computed here from the handout's definition.

use rand_core::{Rng, SeedableRng};
use rand_xorshift::XorShiftRng;

use crate::grade::lab::{Check, Lab, MachineSpec, Miss, Note, ensure};
use crate::grade::session::{Session, shown};

/// Lab 6.
pub static LAB: Lab = Lab {
    number: 6,
    name: "spmd",
    title: "write an SPMD program: a parallel histogram",
    feature: "lab-spmd",
    removes: "programs/src/histogram.rs: main",
    needs: &[],
    machine: MachineSpec {
        smp: 0,
        trace: false,
        host: true,
    },
    checks: &[
        Check {
            name: "`histogram 1000 10 1` on 1 rank is the serial histogram",
            points: 1,
            run: one_rank,
        },
        Check {
            name: "`histogram 1000 10 1` on 4 ranks: each rank draws its own share",
            points: 2,
            run: four_ranks,
        },
        Check {
            name: "only rank 0 prints",
            points: 1,
            run: only_the_root_prints,
        },
        Check {
            name: "two inputs the handout does not show, on 3 ranks",
            points: 2,
            run: hidden_inputs,
        },
        Check {
            name: "more ranks than samples, on 8 ranks",
            points: 1,
            run: idle_ranks,
        },
        Check {
            name: "a million samples on 4 ranks in time",
            points: 1,
            run: a_million,
        },
    ],
};

/// Samples are `0..RANGE` (the handout's definition).
const RANGE: u32 = 100;

/// Rank `rank`'s own stream: the handout's `SEED * 1000003 + rank`, wrapping.
fn stream_seed(seed: u64, rank: usize) -> u64 {
    seed.wrapping_mul(1_000_003).wrapping_add(rank as u64)
}

/// Rank 0's lines for `histogram n bins seed` on `ranks` ranks, from the
/// handout: each rank draws `n / ranks` samples (the first `n % ranks`
/// ranks one more) from its own stream; bin = sample · bins / 100.
fn expected(n: usize, bins: usize, seed: u64, ranks: usize) -> Vec<String> {
    let mut counts = vec![0u64; bins];
    for rank in 0..ranks {
        let mut rng = XorShiftRng::seed_from_u64(stream_seed(seed, rank));
        for _ in 0..n / ranks + usize::from(rank < n % ranks) {
            counts[(rng.next_u32() % RANGE) as usize * bins / RANGE as usize] += 1;
        }
    }
    let mut lines: Vec<String> = counts
        .iter()
        .enumerate()
        .map(|(bin, count)| format!("[0] bin {bin}: {count}"))
        .collect();
    lines.push(format!("[0] total {n}"));
    lines
}

/// Runs `histogram n bins seed` on `ranks` ranks; passes if it succeeded
/// and rank 0 printed the expected lines.
fn histogram(s: &mut Session, ranks: usize, [n, bins, seed]: [u64; 3]) -> Result<String, Miss> {
    let out = s.threads(ranks, &format!("histogram {n} {bins} {seed}"))?;
    let failed: Vec<&str> = out.lines().filter(|l| l.contains("] failed: ")).collect();
    ensure(failed.is_empty(), || "a rank failed".into())
        .map_err(|m| m.with_lines(failed.iter().copied()))?;
    let root: Vec<&str> = out.lines().filter(|l| l.starts_with("[0] ")).collect();
    let want = expected(n as usize, bins as usize, seed, ranks);
    if root != want {
        let why = format!(
            "rank 0's lines differ; expected:\n    {}",
            want.join("\n    ")
        );
        return Err(Miss::new(why).with_lines(shown(&root.join("\n"))));
    }
    Ok(out)
}

fn one_rank(s: &mut Session) -> Result<Note, Miss> {
    histogram(s, 1, [1000, 10, 1]).map(|_| Note::new())
}

fn four_ranks(s: &mut Session) -> Result<Note, Miss> {
    histogram(s, 4, [1000, 10, 1]).map(|_| Note::new())
}

fn only_the_root_prints(s: &mut Session) -> Result<Note, Miss> {
    let out = histogram(s, 4, [200, 4, 3])?;
    let others: Vec<&str> = out.lines().filter(|l| !l.starts_with("[0] ")).collect();
    ensure(others.is_empty(), || "ranks other than 0 printed".into())
        .map_err(|m| m.with_lines(shown(&others.join("\n"))))?;
    Ok(Note::new())
}

fn hidden_inputs(s: &mut Session) -> Result<Note, Miss> {
    histogram(s, 3, [9973, 7, 2026])?;
    histogram(s, 3, [12, 100, 5]).map(|_| Note::new())
}

fn idle_ranks(s: &mut Session) -> Result<Note, Miss> {
    histogram(s, 8, [5, 3, 77]).map(|_| Note::new())
}

fn a_million(s: &mut Session) -> Result<Note, Miss> {
    histogram(s, 4, [1_000_000, 20, 123]).map(|_| Note::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expected_histogram_counts_every_sample_once() {
        let lines = expected(1001, 7, 9, 3);
        assert_eq!(lines.len(), 8);
        assert_eq!(lines.last().unwrap(), "[0] total 1001");
        let sum: u64 = lines[..7]
            .iter()
            .map(|l| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
            .sum();
        assert_eq!(sum, 1001);
    }
}
