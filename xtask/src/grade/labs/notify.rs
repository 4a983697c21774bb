//! Lab 7, polling or interrupts: the student writes `need_event`, the event
//! index check of VIRTIO_F_EVENT_IDX (docs/labs/7-notify.md); the checks
//! read `vq stats` around demos in notify mode. The student version always
//! notifies, so it delivers everything but suppresses nothing.

use crate::grade::lab::{Check, Lab, MachineSpec, Miss, Note, ensure, has_line};
use crate::grade::session::Session;
use crate::vq_stats;

/// Lab 7.
pub static LAB: Lab = Lab {
    number: 7,
    name: "notify",
    title: "polling or interrupts: notification with event indices",
    feature: "lab-notify",
    removes: "bus/src/event.rs: need_event",
    needs: &["ring"],
    machine: MachineSpec {
        smp: 4,
        trace: false,
        host: false,
    },
    checks: &[
        Check {
            name: "`ping 1 2 --count 200` in notify mode sends at most one IPI per message",
            points: 3,
            run: at_most_one_per_message,
        },
        Check {
            name: "the same ping suppresses notifications",
            points: 2,
            run: ping_suppresses,
        },
        Check {
            name: "`reduce 1000 sum --cores 1-3` succeeds and suppresses notifications",
            points: 2,
            run: reduce_suppresses,
        },
    ],
};

/// Counts added on some queues, from the `vq stats` tables.
#[derive(Clone, Copy, Debug, Default)]
struct Totals {
    messages: u64,
    sent: u64,
    suppressed: u64,
}

impl Totals {
    /// Reads `vq stats`, counting only the queues whose both ends are in `cores`.
    fn read(s: &mut Session, cores: &[usize]) -> Result<Self, Miss> {
        let stats = s.run("vq stats")?;
        let sum = |title: &str| -> Result<u64, Miss> {
            let matrix = vq_stats::table(&stats, title).ok_or_else(|| {
                Miss::new(format!("`vq stats` has no '{title}' table")).with_lines(stats.lines())
            })?;
            Ok(vq_stats::sum_among(&matrix, cores))
        };
        Ok(Self {
            messages: sum("messages")?,
            sent: sum("notifications sent")?,
            suppressed: sum("notifications suppressed")?,
        })
    }

    fn since(self, before: Totals) -> Totals {
        Totals {
            messages: self.messages - before.messages,
            sent: self.sent - before.sent,
            suppressed: self.suppressed - before.suppressed,
        }
    }
}

/// Switches to notify mode, runs `command`, and returns what it printed
/// and the counts it added on the queues among `cores`.
fn in_notify_mode(
    s: &mut Session,
    command: &str,
    cores: &[usize],
) -> Result<(String, Totals), Miss> {
    let answer = s.run("bus mode notify")?;
    has_line(&answer, "bus mode: notify").map_err(|miss| miss.with_lines(answer.lines()))?;
    let before = Totals::read(s, cores)?;
    let out = s.run(command)?;
    let after = Totals::read(s, cores)?;
    Ok((out, after.since(before)))
}

const PING: &str = "ping 1 2 --count 200";

fn at_most_one_per_message(s: &mut Session) -> Result<Note, Miss> {
    let (out, added) = in_notify_mode(s, PING, &[1, 2])?;
    ensure(out.contains(": 200 round trips, "), || {
        "the ping did not finish its 200 round trips".into()
    })
    .map_err(|miss| miss.with_lines(out.lines()))?;
    ensure(
        added.messages == 400 && added.sent <= added.messages,
        || {
            format!(
                "{} notifications for {} messages: a core is notified though it does not wait",
                added.sent, added.messages
            )
        },
    )?;
    Ok(format!(
        "{} IPIs for {} messages",
        added.sent, added.messages
    ))
}

fn ping_suppresses(s: &mut Session) -> Result<Note, Miss> {
    let (_, added) = in_notify_mode(s, PING, &[1, 2])?;
    ensure(added.suppressed > 0, || {
        format!(
            "{} notifications sent and none suppressed: need_event never says no",
            added.sent
        )
    })?;
    Ok(format!(
        "{} sent, {} suppressed",
        added.sent, added.suppressed
    ))
}

fn reduce_suppresses(s: &mut Session) -> Result<Note, Miss> {
    let (out, added) = in_notify_mode(s, "reduce 1000 sum --cores 1-3", &[1, 2, 3])?;
    has_line(&out, "success! value: 6").map_err(|miss| miss.with_lines(out.lines()))?;
    ensure(added.suppressed > 0, || {
        format!("{} notifications sent and none suppressed", added.sent)
    })?;
    Ok(format!(
        "{} sent, {} suppressed",
        added.sent, added.suppressed
    ))
}
