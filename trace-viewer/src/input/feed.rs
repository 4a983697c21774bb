//! Feeding the UI from a reader thread: decoded items go over a bounded
//! channel in batches; the UI shows how far it trails (`decoded` − applied).
//! Not the UI, not the decoding rules.
//!
//! The channel's bound is backpressure, never loss: a lagging UI blocks the
//! reader, the socket fills, and the kernel counts and reports drops.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::Duration;

use trace_wire::Decoder;

use super::pacer::{Clock, Pacer, SystemClock};
use super::socket::connect_retry;
use crate::item::Item;

/// Batches the channel holds before the reader has to wait.
pub const QUEUE_BATCHES: usize = 256;
/// Bytes read from the socket at a time.
const READ_CHUNK: usize = 64 * 1024;
/// Most items in one replay batch.
const BATCH: usize = 4096;
/// Shorter replay waits are not slept: the next deadline catches up.
const MIN_SLEEP: Duration = Duration::from_millis(5);
/// How often a paused replay looks at the pause flag.
const PAUSE_POLL: Duration = Duration::from_millis(50);

/// Where the source is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Waiting for the socket to appear (attempt number).
    Waiting(u32),
    /// Connected and reading.
    Connected,
    /// The other end closed; waiting for it to come back.
    Disconnected,
    /// A replay reached the end of its file.
    Ended,
    /// The source failed for good.
    Failed(String),
}

/// What the reader sends.
#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    /// Decoded items, in stream order.
    Items(Vec<Item>),
    /// A change of source status.
    Status(Status),
}

/// Counters the reader and the UI share. Relaxed: each is a statistic read
/// for display, and no other memory is published through it.
#[derive(Debug, Default)]
pub struct Shared {
    /// Bytes read from the source.
    pub bytes: AtomicU64,
    /// Items handed to the channel (or waiting to be).
    pub decoded: AtomicU64,
    /// Set by the UI to hold a replay.
    pub paused: AtomicBool,
}

/// The UI's end of a reader thread.
#[derive(Debug)]
pub struct Feed {
    /// Batches and status changes.
    pub rx: Receiver<Msg>,
    /// Shared counters.
    pub shared: Arc<Shared>,
}

/// Reads the socket at `path` on a thread, reconnecting whenever it closes;
/// every byte read is also written to `tee` when given (`live --record`).
pub fn live(path: PathBuf, tee: Option<File>) -> Feed {
    let (tx, rx) = sync_channel(QUEUE_BATCHES);
    let shared = Arc::new(Shared::default());
    let s = Arc::clone(&shared);
    std::thread::spawn(move || live_loop(&path, tee, &tx, &s));
    Feed { rx, shared }
}

/// The live reader: connect, pump until closed, repeat while the UI lives.
fn live_loop(path: &std::path::Path, mut tee: Option<File>, tx: &SyncSender<Msg>, shared: &Shared) {
    loop {
        let waiting = |n: u32, _: &io::Error| tx.send(Msg::Status(Status::Waiting(n))).is_ok();
        let stream = match connect_retry(path, waiting) {
            Ok(s) => s,
            Err(e) => {
                let _ = tx.send(Msg::Status(Status::Failed(format!(
                    "{}: {e}",
                    path.display()
                ))));
                return;
            }
        };
        if tx.send(Msg::Status(Status::Connected)).is_err() {
            return;
        }
        match pump(stream, tee.as_mut(), tx, shared) {
            Ok(true) if tx.send(Msg::Status(Status::Disconnected)).is_ok() => {}
            Ok(_) => return,
            Err(e) => {
                let _ = tx.send(Msg::Status(Status::Failed(e.to_string())));
                return;
            }
        }
    }
}

/// Reads `src` to its end, decoding into batches. Returns whether the UI
/// is still listening.
pub fn pump(
    mut src: impl Read,
    mut tee: Option<&mut File>,
    tx: &SyncSender<Msg>,
    shared: &Shared,
) -> io::Result<bool> {
    let mut dec = Decoder::new();
    let mut buf = vec![0u8; READ_CHUNK];
    loop {
        let n = match src.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if let Some(f) = tee.as_mut() {
            f.write_all(&buf[..n])?;
        }
        shared.bytes.fetch_add(n as u64, Relaxed);
        let batch: Vec<Item> = dec.push(&buf[..n]).map(Item::from).collect();
        if !send(tx, shared, batch) {
            return Ok(false);
        }
    }
    let tail: Vec<Item> = dec.finish().map(Item::Damaged).into_iter().collect();
    Ok(send(tx, shared, tail))
}

/// Counts and sends a batch (empty ones are skipped); false if the UI left.
fn send(tx: &SyncSender<Msg>, shared: &Shared, batch: Vec<Item>) -> bool {
    if batch.is_empty() {
        return true;
    }
    shared.decoded.fetch_add(batch.len() as u64, Relaxed);
    tx.send(Msg::Items(batch)).is_ok()
}

/// Replays decoded `items` on a thread at `speed` times real time.
pub fn replay(items: Vec<Item>, speed: Option<f64>) -> Feed {
    let (tx, rx) = sync_channel(QUEUE_BATCHES);
    let shared = Arc::new(Shared::default());
    let s = Arc::clone(&shared);
    std::thread::spawn(move || {
        let mut pacer = Pacer::new(speed);
        let _ = tx.send(Msg::Status(Status::Connected));
        let done = replay_items(
            &items,
            &mut pacer,
            &SystemClock::default(),
            &s.paused,
            |b| send(&tx, &s, b),
        );
        if done {
            let _ = tx.send(Msg::Status(Status::Ended));
        }
    });
    Feed { rx, shared }
}

/// Hands `items` to `deliver` in batches, each record no earlier than the
/// pacer says, holding while `paused` is set. Returns false if `deliver`
/// said the receiver is gone.
pub fn replay_items<C: Clock>(
    items: &[Item],
    pacer: &mut Pacer,
    clock: &C,
    paused: &AtomicBool,
    mut deliver: impl FnMut(Vec<Item>) -> bool,
) -> bool {
    let mut batch = Vec::new();
    for item in items {
        while paused.load(Relaxed) {
            clock.sleep(PAUSE_POLL);
            pacer.hold(PAUSE_POLL);
        }
        if let Some(ts) = item_ts(item) {
            let wait = pacer.delay(ts, clock.now());
            if wait >= MIN_SLEEP {
                if !batch.is_empty() && !deliver(std::mem::take(&mut batch)) {
                    return false;
                }
                clock.sleep(wait);
            }
        }
        batch.push(item.clone());
        if batch.len() >= BATCH && !deliver(std::mem::take(&mut batch)) {
            return false;
        }
    }
    batch.is_empty() || deliver(batch)
}

/// The timestamp of a record item.
fn item_ts(item: &Item) -> Option<u64> {
    match item {
        Item::Record(r) => r.ts_ns(),
        Item::Damaged(_) => None,
    }
}
