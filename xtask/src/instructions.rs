//! Instructions per message, for `cargo xtask bench`: runs bus/examples/
//! instructions.rs under `valgrind --tool=callgrind`, counting only inside its
//! `counted_*` function (`--toggle-collect`), and divides by the message count.

use std::fs;
use std::process::Command;

use anyhow::{Context, Result, bail};
use xtask::workspace;
use xtask::{cmd, setup};

use crate::bench::Measurement;

/// Messages each count runs: enough that the ring wraps many times, few
/// enough that callgrind (about 50x slower) takes a second.
const MESSAGES: u64 = 160_000;

/// One queue the example knows, and the result it gives.
struct Counted {
    /// The example's first argument.
    queue: &'static str,
    /// The result's name.
    name: &'static str,
}

/// The queues counted, single-threaded, send plus receive.
#[rustfmt::skip]
const COUNTED: &[Counted] = &[
    Counted { queue: "bus", name: "bus_instructions_per_msg" },
    Counted { queue: "bus-batch", name: "bus_batch_instructions_per_msg" },
    Counted { queue: "rtrb", name: "rtrb_instructions_per_msg" },
];

/// Builds the example, counts each queue's instructions and adds the
/// results, then the ratios of the bus's to rtrb's (goal ≤ 1.5).
pub fn count(results: &mut Vec<Measurement>) -> Result<()> {
    setup::ensure_valgrind()?;
    let example = [
        "build",
        "--release",
        "-p",
        "bus",
        "--example",
        "instructions",
    ];
    cmd::run(cmd::cargo().args(example))?;
    let binary = workspace::target_dir().join("release/examples/instructions");
    for counted in COUNTED {
        let out = workspace::target_dir().join(format!("bench/callgrind.{}", counted.queue));
        fs::create_dir_all(out.parent().expect("a file in a folder"))?;
        let mut valgrind = Command::new("valgrind");
        valgrind
            .arg("--tool=callgrind")
            .arg(format!("--callgrind-out-file={}", out.display()))
            .arg("--toggle-collect=*counted_*")
            .arg(&binary)
            .args([counted.queue, &MESSAGES.to_string()]);
        cmd::run(&mut valgrind)?;
        let text =
            fs::read_to_string(&out).with_context(|| format!("cannot read {}", out.display()))?;
        let total = totals(&text).with_context(|| format!("no totals in {}", out.display()))?;
        results.push(Measurement {
            name: counted.name.into(),
            value: total as f64 / MESSAGES as f64,
            unit: "instr/msg".into(),
        });
    }
    for (bus, ratio) in [
        ("bus_instructions_per_msg", "bus_vs_rtrb_instructions_ratio"),
        (
            "bus_batch_instructions_per_msg",
            "bus_batch_vs_rtrb_instructions_ratio",
        ),
    ] {
        let value = |name: &str| results.iter().find(|m| m.name == name).map(|m| m.value);
        let (Some(b), Some(r)) = (value(bus), value("rtrb_instructions_per_msg")) else {
            bail!("an instruction count is missing");
        };
        results.push(Measurement {
            name: ratio.into(),
            value: b / r,
            unit: "x (goal <= 1.5)".into(),
        });
    }
    Ok(())
}

/// The instruction total of a callgrind output file (its `totals:` line, or
/// `summary:` in older formats).
fn totals(text: &str) -> Option<u64> {
    text.lines()
        .find_map(|line| {
            line.strip_prefix("totals:")
                .or_else(|| line.strip_prefix("summary:"))
        })
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_are_read_from_callgrind_output() {
        let text = "events: Ir\nfn=(1) main\n0 5\nsummary: 7516414\ntotals: 7516414\n";
        assert_eq!(totals(text), Some(7516414));
        assert_eq!(totals("summary: 12 \n"), Some(12));
        assert_eq!(totals("events: Ir\n"), None);
    }
}
