//! Connecting to the Unix socket QEMU serves COM2 on (`-chardev socket,
//! server=on,wait=off`): retry until it appears, reporting each attempt so
//! the caller can show that it is waiting.

use std::io;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

/// Time between connection attempts.
pub const RETRY: Duration = Duration::from_millis(250);

/// Connects to `path`, retrying every [`RETRY`] while the socket is missing
/// or refuses. Before each wait calls `waiting(attempt, &error)`; if it
/// returns false, gives up with that error.
pub fn connect_retry(
    path: &Path,
    mut waiting: impl FnMut(u32, &io::Error) -> bool,
) -> io::Result<UnixStream> {
    let mut attempt = 0;
    loop {
        match UnixStream::connect(path) {
            Ok(s) => return Ok(s),
            Err(e) if retryable(&e) => {
                attempt += 1;
                if !waiting(attempt, &e) {
                    return Err(e);
                }
                std::thread::sleep(RETRY);
            }
            Err(e) => return Err(e),
        }
    }
}

/// Errors that mean "not there yet": no socket file, or nobody listening.
fn retryable(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused
    )
}
