//! Lab 2, virtqueues: the student writes the sender's used-ring publication
//! (docs/labs/2-ring.md), and the checks hold `vq dump` to the predictions
//! the handout asks for. Two cores, fresh queues; the checks run in order.

use std::collections::BTreeMap;

use super::fields;
use crate::grade::lab::{Check, Lab, MachineSpec, Miss, Note, ensure, has_line, line_starting};
use crate::grade::session::Session;

/// Lab 2.
pub static LAB: Lab = Lab {
    number: 2,
    name: "ring",
    title: "virtqueues: publish on the used ring",
    feature: "lab-ring",
    removes: "bus/src/send.rs: SendHalf::put_used and SendHalf::publish_used",
    needs: &[],
    machine: MachineSpec {
        smp: 2,
        trace: false,
        host: false,
    },
    checks: &[
        Check {
            name: "`ping 0 1` gets its pong",
            points: 2,
            run: ping_pong,
        },
        Check {
            name: "after three pings, `vq dump 0 1` is as predicted",
            points: 2,
            run: three_pings,
        },
        Check {
            name: "`vq send 0 1 hello` leaves one entry filled-unread",
            points: 2,
            run: send_unread,
        },
        Check {
            name: "`vq recv 0 1` delivers it and frees the entry",
            points: 1,
            run: recv_frees,
        },
        Check {
            name: "300 round trips reuse every slot and keep counting",
            points: 2,
            run: ring_reuse,
        },
        Check {
            name: "a 4024-byte message takes four buffers",
            points: 2,
            run: four_fragments,
        },
    ],
};

/// Entries per queue (the kernel's default `Config`).
const SIZE: u64 = 64;

/// `vq dump` read back: the header's numbers and one row per descriptor.
struct Dump {
    /// The header line, as printed.
    header: String,
    /// Its `key=value` numbers.
    fields: BTreeMap<String, u64>,
    /// Rows by descriptor: (avail[i], used[i].id, used[i].len, state).
    rows: Vec<(u64, u64, u64, String)>,
}

impl Dump {
    /// Runs `vq dump <src> <dst>` and reads it.
    fn take(s: &mut Session, src: usize, dst: usize) -> Result<Self, Miss> {
        let out = s.run(&format!("vq dump {src} {dst}"))?;
        let header = line_starting(&out, &format!("vq {src}->{dst} "))?.to_string();
        let rows = out
            .lines()
            .filter_map(|line| {
                let w: Vec<&str> = line.split_whitespace().collect();
                let number = |i: usize| w.get(i)?.parse::<u64>().ok();
                w.first()?.parse::<u64>().ok()?;
                Some((number(5)?, number(6)?, number(7)?, w.get(8)?.to_string()))
            })
            .collect();
        Ok(Self {
            fields: fields(&header),
            header,
            rows,
        })
    }

    /// The header's value of `key`.
    fn get(&self, key: &str) -> Result<u64, Miss> {
        let missing = || Miss::new(format!("the dump has no {key}")).with_lines([&self.header]);
        self.fields.get(key).copied().ok_or_else(missing)
    }

    /// Fails, naming every difference, unless the header has these values.
    fn expect(&self, expected: &[(&str, u64)]) -> Result<(), Miss> {
        let wrong: Vec<String> = expected
            .iter()
            .filter(|(key, want)| self.fields.get(*key) != Some(want))
            .map(|(key, want)| match self.fields.get(*key) {
                Some(got) => format!("{key}={got} (expected {want})"),
                None => format!("{key} missing (expected {want})"),
            })
            .collect();
        ensure(wrong.is_empty(), || {
            format!("the dump's header differs: {}", wrong.join(", "))
        })
        .map_err(|miss| miss.with_lines([&self.header]))
    }

    /// Fails unless `avail.idx` is between `low` and `high`: the receiver
    /// re-posts in batches, and when it flushes depends on timing.
    fn expect_avail(&self, low: u64, high: u64) -> Result<(), Miss> {
        let avail = self.get("avail.idx")?;
        ensure((low..=high).contains(&avail), || {
            format!("avail.idx={avail}, expected {low} to {high}")
        })
        .map_err(|miss| miss.with_lines([&self.header]))
    }

    /// Fails unless descriptor row `i` shows used entry `{id, len}` in one
    /// of `states`.
    fn expect_row(&self, i: u64, id: u64, len: u64, states: &[&str]) -> Result<(), Miss> {
        let row = self
            .rows
            .get(i as usize)
            .ok_or_else(|| Miss::new(format!("the dump has no row {i}")))?;
        let (_, got_id, got_len, got_state) = row;
        let state_ok = states.contains(&got_state.as_str());
        ensure((*got_id, *got_len) == (id, len) && state_ok, || {
            format!(
                "row {i}: used[{i}] = {{id {got_id}, len {got_len}}} {got_state}, \
                 expected {{id {id}, len {len}}} {}",
                states.join(" or ")
            )
        })
        .map_err(|miss| miss.with_lines([&self.header]))
    }
}

/// What a consumed descriptor shows: `free` until the receiver's next
/// batched re-post, then `posted` again.
const CONSUMED: &[&str] = &["free", "posted"];

/// Runs `ping 0 1` and fails unless the pong came back.
fn ping(s: &mut Session) -> Result<(), Miss> {
    let out = s.run("ping 0 1")?;
    has_line(&out, "Core[0] -> Core[1]: ping")?;
    has_line(&out, "Core[1] -> Core[0]: pong")
}

fn ping_pong(s: &mut Session) -> Result<Note, Miss> {
    ping(s)?;
    Ok(String::new())
}

fn three_pings(s: &mut Session) -> Result<Note, Miss> {
    ping(s)?;
    ping(s)?;
    let dump = Dump::take(s, 0, 1)?;
    dump.expect_avail(SIZE, SIZE + 3)?;
    dump.expect(&[
        ("used.idx", 3),
        ("last_used", 3),
        ("last_avail", 3),
        ("in_flight", 0),
        ("msgs", 3),
        ("bytes", 12),
        ("received", 3),
    ])?;
    for i in 0..3 {
        dump.expect_row(i, i, 12, CONSUMED)?;
    }
    dump.expect_row(3, 0, 0, &["posted"])?;
    Ok(String::new())
}

fn send_unread(s: &mut Session) -> Result<Note, Miss> {
    let out = s.run("vq send 0 1 hello")?;
    has_line(&out, "Core[0] -> Core[1]: sent \"hello\" (len 5), unread")?;
    let dump = Dump::take(s, 0, 1)?;
    dump.expect(&[
        ("used.idx", 4),
        ("last_used", 3),
        ("last_avail", 4),
        ("in_flight", 1),
        ("msgs", 4),
        ("bytes", 17),
    ])?;
    dump.expect_row(3, 3, 13, &["filled-unread"])?;
    Ok(String::new())
}

fn recv_frees(s: &mut Session) -> Result<Note, Miss> {
    let out = s.run("vq recv 0 1")?;
    has_line(&out, "Core[0] -> Core[1]: \"hello\"")?;
    let dump = Dump::take(s, 0, 1)?;
    dump.expect(&[("last_used", 4), ("in_flight", 0), ("received", 4)])?;
    dump.expect_row(3, 3, 13, CONSUMED)?;
    Ok(String::new())
}

fn ring_reuse(s: &mut Session) -> Result<Note, Miss> {
    let out = s.run("ping 0 1 --count 300")?;
    ensure(out.contains("Core[0] <-> Core[1]: 300 round trips"), || {
        "expected a line for 300 round trips".into()
    })?;
    let there = Dump::take(s, 0, 1)?;
    there.expect(&[
        ("used.idx", 304),
        ("last_used", 304),
        ("msgs", 304),
        ("received", 304),
        ("in_flight", 0),
    ])?;
    let back = Dump::take(s, 1, 0)?;
    back.expect(&[
        ("used.idx", 303),
        ("last_used", 303),
        ("msgs", 303),
        ("in_flight", 0),
    ])?;
    Ok(String::new())
}

fn four_fragments(s: &mut Session) -> Result<Note, Miss> {
    let before = Dump::take(s, 1, 0)?;
    let out = s.run("reduce 1000 sum")?;
    has_line(&out, "success! value: 1")?;
    let after = Dump::take(s, 1, 0)?;
    let first = before.get("used.idx")?;
    after.expect(&[
        ("used.idx", first + 4),
        ("msgs", before.get("msgs")? + 1),
        ("bytes", before.get("bytes")? + 4024),
    ])?;
    // Three full buffers (8-byte header + 1016) and the rest: 4024 - 3 * 1016.
    for (k, len) in [1024, 1024, 1024, 8 + 976].into_iter().enumerate() {
        let slot = (first + k as u64) % SIZE;
        let posted = after.rows.get(slot as usize).map_or(u64::MAX, |row| row.0);
        after.expect_row(slot, posted, len, CONSUMED)?;
    }
    Ok(String::new())
}
