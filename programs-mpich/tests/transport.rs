//! [`programs_mpich::MpichTransport`] against its contract on the installed
//! MPICH: `mpich-transport-check` under `mpiexec -n 4` (messages of 0 to
//! `MAX_MESSAGE` bytes, more than `MAX_IN_FLIGHT` at a time, checked byte by byte).

use std::process::Command;

#[test]
fn the_transport_delivers_every_message_whole_and_in_order() {
    let output = Command::new("mpiexec")
        .args(["-n", "4"])
        .arg(env!("CARGO_BIN_EXE_mpich-transport-check"))
        .output()
        .expect("mpiexec runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.starts_with("transport check: 4 processes, 256 messages ("),
        "{stdout}"
    );
}
