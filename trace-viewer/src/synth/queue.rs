//! One simulated bus queue: the receiver posts buffers, the sender fills
//! and publishes them, the receiver consumes and re-posts, emitting the bus
//! events of the contract with consistent descriptors and ring positions.

use std::collections::VecDeque;

use trace_wire::Value::U64;
use trace_wire::contract::bus;

use super::writer::Writer;

/// Bytes of the bus's fragment header (bus/src/frag.rs).
const FRAG_HEADER: u64 = 8;
/// Simulated cost of filling one buffer.
const FILL_NS: u64 = 60;
/// Simulated cost of a used.idx store.
const PUBLISH_NS: u64 = 20;
/// Simulated cost of consuming one buffer.
const CONSUME_NS: u64 = 50;
/// Simulated cost of posting one buffer.
const POST_NS: u64 = 15;

/// A message on the used ring, not yet received.
#[derive(Clone, Copy, Debug)]
struct InFlight {
    /// Used position of its first fragment.
    first: u16,
    /// Fragments.
    frags: u16,
    /// Bytes.
    len: u64,
    /// Sender's message number.
    seq: u64,
}

/// One queue (src → dst).
#[derive(Debug)]
pub struct SimQueue {
    /// Sending core.
    src: u16,
    /// Receiving core.
    dst: u16,
    /// Bytes per buffer.
    buf_size: u64,
    /// avail.idx.
    avail: u16,
    /// Sender's next position.
    next: u16,
    /// Posted buffers in avail order, not yet taken.
    posted: VecDeque<u16>,
    /// Buffer at each used position not yet consumed, oldest first.
    used: VecDeque<u16>,
    /// Messages published, not yet received.
    messages: VecDeque<InFlight>,
    /// Messages sent so far.
    seq: u64,
}

/// Which end of the queue emits an event.
#[derive(Clone, Copy)]
enum Side {
    /// Core `src`: fill, publish, send, stall.
    Sender,
    /// Core `dst`: post, consume, receive.
    Receiver,
}

impl SimQueue {
    /// Builds the queue at `ts_ns`: `bus.init` (from core 0, which builds the
    /// bus) and the receiver posting every buffer. Returns the time after.
    pub fn init(
        w: &mut Writer,
        pair: (u16, u16),
        size: u16,
        buf_size: u64,
        ts_ns: u64,
    ) -> (Self, u64) {
        let (src, dst) = pair;
        let mut q = Self {
            src,
            dst,
            buf_size,
            avail: 0,
            next: 0,
            posted: VecDeque::new(),
            used: VecDeque::new(),
            messages: VecDeque::new(),
            seq: 0,
        };
        let fields = [
            ("src", src.into()),
            ("dst", dst.into()),
            ("size", size.into()),
            ("buf_size", buf_size),
        ];
        w.event(0, ts_ns, bus::INIT, &fields.map(|(k, v)| (k, U64(v))));
        let mut ts = ts_ns;
        for desc in 0..size {
            ts = q.post(w, ts, desc);
        }
        (q, ts)
    }

    /// Buffers posted and not yet taken: the room the sender has.
    pub fn room(&self) -> usize {
        self.posted.len()
    }

    /// Core `src` sends `len` bytes at `ts_ns`. A full ring makes it report
    /// a stall and send nothing (`None`); else returns the time after.
    pub fn send(&mut self, w: &mut Writer, ts_ns: u64, len: u64) -> Option<u64> {
        let frags = len.div_ceil(self.payload()).max(1) as u16;
        if self.room() < usize::from(frags) {
            let heads = [
                ("avail_idx", self.avail.into()),
                ("used_idx", self.next.into()),
            ];
            self.emit(w, Side::Sender, ts_ns, bus::STALL, &heads);
            return None;
        }
        let (first, first_desc) = (self.next, *self.posted.front()?);
        let mut ts = ts_ns;
        for k in 0..frags {
            ts = self.fill(w, ts, self.frag_bytes(len, k));
        }
        ts += PUBLISH_NS;
        self.emit(
            w,
            Side::Sender,
            ts,
            bus::PUBLISH,
            &[("used_idx", self.next.into())],
        );
        let msg = InFlight {
            first,
            frags,
            len,
            seq: self.seq,
        };
        self.seq += 1;
        self.messages.push_back(msg);
        self.emit(
            w,
            Side::Sender,
            ts,
            bus::SEND,
            &message_fields(&msg, first_desc),
        );
        Some(ts)
    }

    /// Core `dst` receives the oldest message at `ts_ns`, consuming and
    /// re-posting its buffers. Returns the time after (`None` if empty).
    pub fn recv(&mut self, w: &mut Writer, ts_ns: u64) -> Option<u64> {
        let msg = self.messages.pop_front()?;
        let first_desc = *self.used.front()?;
        let mut ts = ts_ns;
        let mut freed = Vec::new();
        for k in 0..msg.frags {
            let desc = self.used.pop_front()?;
            ts += CONSUME_NS;
            let fields = [
                ("desc", desc.into()),
                ("len", self.frag_bytes(msg.len, k)),
                ("used_idx", msg.first.wrapping_add(k).into()),
            ];
            self.emit(w, Side::Receiver, ts, bus::CONSUME, &fields);
            freed.push(desc);
        }
        self.emit(
            w,
            Side::Receiver,
            ts,
            bus::RECV,
            &message_fields(&msg, first_desc),
        );
        for desc in freed {
            ts = self.post(w, ts, desc);
        }
        Some(ts)
    }

    /// The sender takes the next posted buffer and fills `len` bytes of it.
    fn fill(&mut self, w: &mut Writer, ts_ns: u64, len: u64) -> u64 {
        let desc = self.posted.pop_front().unwrap_or(0);
        let ts = ts_ns + FILL_NS;
        let fields = [
            ("desc", desc.into()),
            ("len", len),
            ("used_idx", self.next.into()),
        ];
        self.emit(w, Side::Sender, ts, bus::FILL, &fields);
        self.used.push_back(desc);
        self.next = self.next.wrapping_add(1);
        ts
    }

    /// The receiver posts buffer `desc`.
    fn post(&mut self, w: &mut Writer, ts_ns: u64, desc: u16) -> u64 {
        let ts = ts_ns + POST_NS;
        self.emit(
            w,
            Side::Receiver,
            ts,
            bus::POST,
            &[("desc", desc.into()), ("avail_idx", self.avail.into())],
        );
        self.posted.push_back(desc);
        self.avail = self.avail.wrapping_add(1);
        ts
    }

    /// Emits bus event `name` from one end: `src`, `dst`, then `fields`.
    fn emit(
        &self,
        w: &mut Writer,
        side: Side,
        ts_ns: u64,
        name: &'static str,
        fields: &[(&str, u64)],
    ) {
        let core = match side {
            Side::Sender => self.src,
            Side::Receiver => self.dst,
        };
        let mut values = vec![("src", U64(self.src.into())), ("dst", U64(self.dst.into()))];
        values.extend(fields.iter().map(|&(k, v)| (k, U64(v))));
        w.event(core, ts_ns, name, &values);
    }

    /// Payload bytes per buffer.
    fn payload(&self) -> u64 {
        self.buf_size - FRAG_HEADER
    }

    /// Bytes in buffer `k` of a `len`-byte message, header included.
    fn frag_bytes(&self, len: u64, k: u16) -> u64 {
        let done = u64::from(k) * self.payload();
        len.saturating_sub(done).min(self.payload()) + FRAG_HEADER
    }
}

/// The fields of `bus.send` / `bus.recv` after `src` and `dst`.
fn message_fields(msg: &InFlight, desc: u16) -> [(&'static str, u64); 5] {
    [
        ("len", msg.len),
        ("frags", msg.frags.into()),
        ("desc", desc.into()),
        ("used_idx", msg.first.into()),
        ("seq", msg.seq),
    ]
}
