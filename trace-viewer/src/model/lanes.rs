//! What the timeline view draws, kept as the records arrive: each core's
//! spans as bars (with their nesting depth) and each message with its send
//! and its receive, times on core 0's clock. The oldest are forgotten past
//! [`LANES_KEPT`]. Drawing is in ui/timeline.rs.

use std::collections::{HashMap, VecDeque};

use crate::bus::{Message, QueueId};
use crate::export::flows::Matcher;

/// Bars, and messages, kept.
pub const LANES_KEPT: usize = 20_000;

/// One span on one core, from enter to exit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    /// The core.
    pub core: u16,
    /// Spans the core was already inside when it entered this one.
    pub depth: u16,
    /// The span's name.
    pub name: String,
    /// Entered.
    pub begin_ns: u64,
    /// Left; `None` while the core is still inside.
    pub end_ns: Option<u64>,
}

/// One end of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageEnd {
    /// The core that sent or received it.
    pub core: u16,
    /// When.
    pub ts_ns: u64,
    /// The event's fields as text.
    pub fields: String,
}

/// One message on a queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageLine {
    /// The queue.
    pub queue: QueueId,
    /// The message as its first-seen end described it.
    pub msg: Message,
    /// Its `bus.send`, once seen.
    pub send: Option<MessageEnd>,
    /// Its `bus.recv`, once seen.
    pub recv: Option<MessageEnd>,
}

impl MessageLine {
    /// The earlier of its two ends' times.
    pub fn ts_ns(&self) -> u64 {
        let ends = [self.send.as_ref(), self.recv.as_ref()];
        ends.into_iter()
            .flatten()
            .map(|e| e.ts_ns)
            .min()
            .unwrap_or(0)
    }
}

/// Bars and messages, oldest first. Ids are positions counted from the
/// first ever kept, so they stay valid while old entries are forgotten.
#[derive(Clone, Debug, Default)]
pub struct Lanes {
    /// Bars, by id − `bars_base`.
    bars: VecDeque<Bar>,
    /// Id of `bars[0]`.
    bars_base: usize,
    /// Bars still open, by (core, span).
    open: HashMap<(u16, u64), usize>,
    /// Messages, by id − `messages_base`.
    messages: VecDeque<MessageLine>,
    /// Id of `messages[0]`.
    messages_base: usize,
    /// Message ids waiting for their other end.
    matcher: Matcher<usize>,
}

impl Lanes {
    /// `core` entered span `span` named `name` at `ts_ns`, `depth` deep.
    pub fn enter(&mut self, core: u16, span: u64, name: &str, depth: u16, ts_ns: u64) {
        if self.bars.len() == LANES_KEPT {
            self.bars.pop_front();
            self.bars_base += 1;
        }
        let id = self.bars_base + self.bars.len();
        self.bars.push_back(Bar {
            core,
            depth,
            name: name.to_string(),
            begin_ns: ts_ns,
            end_ns: None,
        });
        self.open.insert((core, span), id);
    }

    /// `core` left span `span` at `ts_ns`.
    pub fn exit(&mut self, core: u16, span: u64, ts_ns: u64) {
        let Some(id) = self.open.remove(&(core, span)) else {
            return;
        };
        if let Some(bar) = id
            .checked_sub(self.bars_base)
            .and_then(|i| self.bars.get_mut(i))
        {
            bar.end_ns = Some(ts_ns);
        }
    }

    /// A `bus.send` (`sent`) or `bus.recv` on `queue`.
    pub fn message(&mut self, queue: QueueId, msg: Message, sent: bool, end: MessageEnd) {
        let id = self.messages_base + self.messages.len();
        let other = if sent {
            self.matcher.send(queue, &msg, id)
        } else {
            self.matcher.recv(queue, &msg, id)
        };
        let line = match other.and_then(|o| self.line_mut(o)) {
            Some(line) => line,
            None => {
                self.push_message(MessageLine {
                    queue,
                    msg,
                    send: None,
                    recv: None,
                });
                self.messages.back_mut().expect("just pushed")
            }
        };
        match sent {
            true => line.send = Some(end),
            false => line.recv = Some(end),
        }
    }

    /// Every bar kept, oldest first.
    pub fn bars(&self) -> impl Iterator<Item = &Bar> {
        self.bars.iter()
    }

    /// Every message kept with its id, oldest first.
    pub fn messages(&self) -> impl Iterator<Item = (usize, &MessageLine)> {
        let base = self.messages_base;
        self.messages
            .iter()
            .enumerate()
            .map(move |(i, m)| (base + i, m))
    }

    /// Message `id`, if still kept.
    pub fn line(&self, id: usize) -> Option<&MessageLine> {
        self.messages.get(id.checked_sub(self.messages_base)?)
    }

    /// Earliest and latest time of anything kept.
    pub fn extent(&self) -> Option<(u64, u64)> {
        let bar_times = self
            .bars
            .iter()
            .flat_map(|b| [Some(b.begin_ns), b.end_ns])
            .flatten();
        let message_times = self
            .messages
            .iter()
            .flat_map(|m| [&m.send, &m.recv])
            .flatten()
            .map(|e| e.ts_ns);
        let mut all = bar_times.chain(message_times);
        let first = all.next()?;
        Some(all.fold((first, first), |(lo, hi), t| (lo.min(t), hi.max(t))))
    }

    /// The deepest bar kept on any core, plus one.
    pub fn depth(&self) -> u16 {
        self.bars.iter().map(|b| b.depth + 1).max().unwrap_or(1)
    }

    /// Appends a message, forgetting the oldest when full.
    fn push_message(&mut self, line: MessageLine) {
        if self.messages.len() == LANES_KEPT {
            self.messages.pop_front();
            self.messages_base += 1;
        }
        self.messages.push_back(line);
    }

    /// Message `id` to fill in its other end.
    fn line_mut(&mut self, id: usize) -> Option<&mut MessageLine> {
        self.messages.get_mut(id.checked_sub(self.messages_base)?)
    }
}
