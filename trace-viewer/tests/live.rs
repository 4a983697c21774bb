//! The live path over a real Unix socket: the viewer waits for the socket,
//! connects, decodes the stream into batches, reports the close and tees
//! the raw bytes; `record` copies a stream byte for byte.

mod common;

use std::io::Write;
use std::os::unix::net::UnixListener;
use std::path::PathBuf;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use trace_viewer::cmd::record::copy;
use trace_viewer::input::{Msg, Status, feed};
use trace_viewer::item::{Item, decode_all};

/// A fresh path in the temp directory.
fn temp(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("trace-viewer-{}-{name}", std::process::id()));
    let _ = std::fs::remove_file(&p);
    p
}

#[test]
fn live_feed_waits_connects_decodes_and_tees() {
    let sock = temp("live.sock");
    let tee_path = temp("live.tee");
    let bytes = common::reduce_bytes();
    let f = feed::live(
        sock.clone(),
        Some(std::fs::File::create(&tee_path).unwrap()),
    );
    let first = f.rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(
        matches!(first, Msg::Status(Status::Waiting(_))),
        "{first:?}"
    );

    let listener = UnixListener::bind(&sock).unwrap();
    let (mut conn, _) = listener.accept().unwrap();
    for piece in bytes.chunks(777) {
        conn.write_all(piece).unwrap();
    }
    drop(conn);

    let mut items: Vec<Item> = Vec::new();
    loop {
        match f
            .rx
            .recv_timeout(Duration::from_secs(5))
            .expect("the feed keeps talking")
        {
            Msg::Items(batch) => items.extend(batch),
            Msg::Status(Status::Disconnected) => break,
            Msg::Status(_) => {}
        }
    }
    assert_eq!(items, decode_all(&bytes));
    assert_eq!(f.shared.decoded.load(Relaxed), items.len() as u64);
    assert_eq!(f.shared.bytes.load(Relaxed), bytes.len() as u64);
    assert_eq!(std::fs::read(&tee_path).unwrap(), bytes);
    let _ = std::fs::remove_file(&sock);
    let _ = std::fs::remove_file(&tee_path);
}

#[test]
fn record_copies_every_byte_and_counts_damage() {
    let mut bytes = common::reduce_bytes();
    bytes[50] ^= 0x10;
    let mut out = Vec::new();
    let dec = copy(bytes.as_slice(), &mut out).unwrap();
    assert_eq!(out, bytes);
    assert_eq!(dec.stats().bytes, bytes.len() as u64);
    assert_eq!(dec.stats().damaged, 1);
}
