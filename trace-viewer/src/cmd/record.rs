//! `trace-viewer record <socket> -o FILE`: copies the raw stream to a file,
//! byte for byte (damage included, for `stats` to find), until the kernel's
//! side closes; a progress line on stderr counts records and damage.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::unix::fs::FileTypeExt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use trace_wire::Decoder;

use crate::input::socket::connect_retry;

/// How often the progress line is refreshed.
const PROGRESS: Duration = Duration::from_secs(1);

/// Record the raw stream from QEMU's COM2 socket to a file.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The Unix socket QEMU serves COM2 on.
    pub socket: PathBuf,
    /// The file to write.
    #[arg(long, short)]
    pub output: PathBuf,
}

impl Args {
    /// Records until the socket closes (QEMU exits) or Ctrl-C.
    pub fn run(self) -> anyhow::Result<()> {
        if super::same_file(&self.socket, &self.output) {
            bail!(
                "{} is both the socket to read and the file to write",
                self.output.display()
            );
        }
        if let Ok(meta) = std::fs::metadata(&self.socket)
            && !meta.file_type().is_socket()
        {
            bail!(
                "{} is not a socket: record reads the Unix socket QEMU serves the trace on (`trace-viewer stats` reads a recorded file)",
                self.socket.display()
            );
        }
        let stream = connect_retry(&self.socket, |n, e| {
            if n == 1 {
                eprintln!(
                    "waiting for {} ({e}); start QEMU with COM2 on it",
                    self.socket.display()
                );
            }
            true
        })
        .with_context(|| format!("connecting to {}", self.socket.display()))?;
        // Created only once connected, so a wrong socket costs no file.
        let mut file = File::create(&self.output)
            .with_context(|| format!("creating {}", self.output.display()))?;
        eprintln!("connected; recording to {}", self.output.display());
        let dec = copy(stream, &mut file)?;
        let s = dec.stats();
        eprintln!(
            "\nsocket closed: {} bytes, {} records, {} damaged stretches ({} bytes)",
            s.bytes, s.records, s.damaged, s.damaged_bytes
        );
        Ok(())
    }
}

/// Copies `src` into `out` until it ends, decoding alongside only to count;
/// each chunk is written as it arrives, so an interrupted recording keeps
/// everything received.
pub fn copy(mut src: impl Read, out: &mut impl Write) -> io::Result<Decoder> {
    let mut dec = Decoder::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut shown = Instant::now();
    loop {
        let n = match src.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        out.write_all(&buf[..n])?;
        dec.push(&buf[..n]).for_each(drop);
        if shown.elapsed() >= PROGRESS {
            let s = dec.stats();
            eprint!(
                "\rrecorded {} bytes, {} records, {} damaged   ",
                s.bytes, s.records, s.damaged
            );
            shown = Instant::now();
        }
    }
    out.flush()?;
    dec.finish();
    Ok(dec)
}
