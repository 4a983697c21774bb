//! Text forms of a queue snapshot, the one `vq dump <src> <dst>` prints: a
//! header line of indices and counters, a ring line, then one row per
//! descriptor. Formatting only; the loads are in snapshot.rs.

use core::fmt;

use crate::snapshot::{DescState, QueueSnapshot};
use crate::spec::{
    VIRTQ_AVAIL_F_NO_INTERRUPT, VIRTQ_DESC_F_INDIRECT, VIRTQ_DESC_F_NEXT, VIRTQ_DESC_F_WRITE,
    VIRTQ_USED_F_NO_NOTIFY,
};

/// Descriptor flags, displayed by name: `WRITE|NEXT`, `-` for none, unknown
/// bits in hex.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DescFlags(pub u16);

impl fmt::Display for DescFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (VIRTQ_DESC_F_WRITE, "WRITE"),
            (VIRTQ_DESC_F_NEXT, "NEXT"),
            (VIRTQ_DESC_F_INDIRECT, "INDIRECT"),
        ];
        let mut text = alloc::string::String::new();
        for (_, name) in names.into_iter().filter(|(bit, _)| self.0 & bit != 0) {
            if !text.is_empty() {
                text.push('|');
            }
            text.push_str(name);
        }
        let unknown = self.0 & !(VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_INDIRECT);
        if unknown != 0 {
            if !text.is_empty() {
                text.push('|');
            }
            text.push_str(&alloc::format!("{unknown:#x}"));
        }
        if text.is_empty() {
            text.push('-');
        }
        // `pad` so callers can align the column with `{:<11}`.
        f.pad(&text)
    }
}

impl fmt::Display for DescState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Self::Posted => "posted",
            Self::Filling => "filling",
            Self::FilledUnread => "filled-unread",
            Self::Free => "free",
        })
    }
}

/// A ring's flags word, by name when it is the one flag ringlab sets.
struct RingFlags(u16, u16, &'static str);

impl fmt::Display for RingFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            0 => write!(f, "0"),
            v if v == self.1 => write!(f, "{}", self.2),
            v => write!(f, "{v:#x}"),
        }
    }
}

impl fmt::Display for QueueSnapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.counters;
        writeln!(
            f,
            "vq {}->{} size={} buf={} avail.idx={} used.idx={} last_used={} last_avail={} in_flight={} \
             msgs={} bytes={} stalls={} received={} corrupt={} lost={}",
            self.src,
            self.dst,
            self.size,
            self.buf_size,
            self.avail.idx,
            self.used.idx,
            self.last_used,
            self.last_avail,
            self.in_flight(),
            c.messages,
            c.bytes,
            c.stalls,
            c.received,
            c.corrupt,
            c.lost,
        )?;
        let e = &self.events;
        writeln!(
            f,
            "avail @{:#x} flags={} used_event={} | used @{:#x} flags={} avail_event={}",
            self.avail.addr,
            RingFlags(self.avail.flags, VIRTQ_AVAIL_F_NO_INTERRUPT, "NO_INTERRUPT"),
            e.used_event,
            self.used.addr,
            RingFlags(self.used.flags, VIRTQ_USED_F_NO_NOTIFY, "NO_NOTIFY"),
            e.avail_event,
        )?;
        writeln!(
            f,
            "mode={} notifications: used {} sent {} suppressed, avail {} sent {} suppressed",
            if e.on { "notify" } else { "poll" },
            e.used_sent,
            e.used_suppressed,
            e.avail_sent,
            e.avail_suppressed,
        )?;
        writeln!(
            f,
            "{:>5}  {:<18} {:>7}  {:<11} {:>4}  {:>8}  {:>10} {:>9}  state",
            "i", "desc.addr", "len", "flags", "next", "avail[i]", "used[i].id", ".len"
        )?;
        let states = self.desc_states();
        for (i, d) in self.desc.iter().enumerate() {
            let used = self.used.ring[i];
            writeln!(
                f,
                "{i:>5}  {:#018x} {:>7}  {:<11} {:>4}  {:>8}  {:>10} {:>9}  {}",
                d.addr,
                d.len,
                DescFlags(d.flags),
                d.next,
                self.avail.ring[i],
                used.id,
                used.len,
                states[i],
            )?;
        }
        Ok(())
    }
}
