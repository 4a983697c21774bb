//! The `trace-viewer` binary on files it must refuse or must not destroy:
//! no trace at all, a newer format, an export or a recording aimed at the
//! trace itself, a reader that stops early (`| head`), a replay with no
//! terminal or a speed that is none, and the drops an export reports.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use trace_wire::{Dropped, Header, Record, VERSION};

/// A fresh directory for one test's files.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("trace-viewer-cli-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

/// A scratch directory for `test` holding one trace, `run.trace`: the
/// directory, the trace's path and its bytes.
fn one_trace(test: &str) -> (PathBuf, PathBuf, Vec<u8>) {
    let dir = scratch(test);
    let trace = dir.join("run.trace");
    let bytes = common::reduce_bytes();
    std::fs::write(&trace, &bytes).unwrap();
    (dir, trace, bytes)
}

/// Runs the viewer with `args`; a run that has not ended after 30 s is
/// killed and fails the test (a refusal must not wait for anything).
fn viewer(args: &[&str]) -> Output {
    let mut child = spawn(args);
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().expect("waiting works").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("trace-viewer {args:?} still runs after 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("its output")
}

/// The viewer started with `args`, its stdout and stderr piped.
fn spawn(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_trace-viewer"))
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("trace-viewer runs")
}

/// `export --format perfetto -o output trace`.
fn export_perfetto(trace: &Path, output: &Path) -> Output {
    viewer(&[
        "export",
        "--format",
        "perfetto",
        "-o",
        path(output),
        path(trace),
    ])
}

/// A failure with one clear line on stderr, and no panic.
fn refused(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "accepted: {err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

#[test]
fn a_file_that_is_no_trace_is_refused_by_name() {
    let dir = scratch("none");
    let empty = dir.join("empty.trace");
    std::fs::write(&empty, b"").unwrap();
    let noise = dir.join("noise.bin");
    std::fs::write(
        &noise,
        (0..20_000u32)
            .map(|i| (i * 7919 % 251) as u8)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    for sub in [
        &["stats"][..],
        &["export", "--format", "perfetto", "-o", "/dev/null"],
    ] {
        let err = refused(&viewer(&[sub, &[path(&empty)]].concat()));
        assert!(err.contains("is empty"), "{err}");
        let err = refused(&viewer(&[sub, &[path(&noise)]].concat()));
        assert!(err.contains("is not a ringlab trace"), "{err}");
    }
}

#[test]
fn a_newer_format_is_refused_not_misread() {
    let dir = scratch("newer");
    let mut header = Header::new(1_000_000_000, 2, "a later ringlab");
    header.version = VERSION + 1;
    let mut bytes = synth_frame(&Record::Header(header));
    bytes.extend(common::reduce_bytes());
    let file = dir.join("newer.trace");
    std::fs::write(&file, bytes).unwrap();
    let err = refused(&viewer(&["stats", path(&file)]));
    assert!(
        err.contains(&format!("format version {}", VERSION + 1)),
        "{err}"
    );
}

fn synth_frame(record: &trace_wire::RecordRef<'_>) -> Vec<u8> {
    let mut buf = vec![0u8; trace_wire::MAX_FRAME];
    trace_wire::encode_frame(record, &mut buf)
        .expect("a header encodes")
        .to_vec()
}

#[test]
fn an_export_onto_its_own_trace_is_refused_and_the_trace_kept() {
    let (dir, trace, bytes) = one_trace("onto");
    let link = dir.join("link.trace");
    std::os::unix::fs::symlink(&trace, &link).unwrap();
    for output in [&trace, &link] {
        let out = export_perfetto(&trace, output);
        let err = refused(&out);
        assert!(err.contains("is the trace being exported"), "{err}");
    }
    assert_eq!(std::fs::read(&trace).unwrap(), bytes);
    // Elsewhere it works.
    let elsewhere = dir.join("run.pb");
    let out = export_perfetto(&trace, &elsewhere);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn recording_from_a_file_that_is_no_socket_is_refused_and_touches_nothing() {
    let (dir, trace, bytes) = one_trace("record");
    let other = dir.join("other.trace");
    std::fs::write(&other, &bytes).unwrap();
    // The trace as the socket, into itself or into another recording.
    for output in [&trace, &other] {
        let err = refused(&viewer(&["record", path(&trace), "-o", path(output)]));
        assert!(err.contains("socket"), "{err}");
    }
    assert_eq!(std::fs::read(&trace).unwrap(), bytes);
    assert_eq!(std::fs::read(&other).unwrap(), bytes);
}

#[test]
fn stats_into_a_reader_that_stops_early_ends_quietly() {
    let (_, trace, _) = one_trace("pipe");
    let mut child = spawn(&["stats", path(&trace)]);
    drop(child.stdout.take()); // the reader is gone before the first line
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(!err.contains("panicked"), "{err}");
    assert!(status.success(), "{err}");
}

#[test]
fn an_export_says_how_many_records_the_kernel_dropped() {
    let (dir, trace, mut bytes) = one_trace("dropped");
    bytes.extend(synth_frame(&Record::Dropped(Dropped {
        core: 1,
        ts_ns: 5_000,
        count: 35,
    })));
    std::fs::write(&trace, &bytes).unwrap();
    let pb = dir.join("run.pb");
    let out = export_perfetto(&trace, &pb);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(", 35 records dropped by the kernel, "),
        "{err}"
    );
}

#[test]
fn replay_refuses_a_speed_that_is_none_and_a_missing_terminal() {
    let (_, trace, _) = one_trace("replay");
    for speed in ["-1", "nan", "-inf", "inf", "fast"] {
        let flag = format!("--speed={speed}");
        let err = refused(&viewer(&["replay", &flag, path(&trace)]));
        assert!(err.contains("is no speed"), "{speed}: {err}");
    }
    // The test's stdin and stdout are no terminal.
    let err = refused(&viewer(&["replay", path(&trace)]));
    assert!(err.contains("draws in a terminal"), "{err}");
}
