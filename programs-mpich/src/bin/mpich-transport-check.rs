//! `mpiexec -n N mpich-transport-check`: checks [`MpichTransport`]'s contract
//! on this MPI installation. Every process sends every other one messages of
//! 0 to `MAX_MESSAGE` bytes, more than `MAX_IN_FLIGHT` at a time, and checks
//! that each arrives whole, once and in order. Rank 0 prints one line.

use std::process::ExitCode;

use mpi::Transport;
use programs_mpich::{MAX_IN_FLIGHT, MAX_MESSAGE, MpichTransport};
use rsmpi::topology::Communicator;

/// Messages each process sends to each other process.
const PER_PEER: usize = 4 * MAX_IN_FLIGHT;

/// The length of message `seq`: 0, `MAX_MESSAGE`, then lengths spread
/// between them.
fn length(seq: usize) -> usize {
    match seq {
        0 => 0,
        1 => MAX_MESSAGE,
        _ => seq * 7919 % (MAX_MESSAGE + 1),
    }
}

/// Byte `i` of message `seq` from `src` to `dst`.
fn byte(src: usize, dst: usize, seq: usize, i: usize) -> u8 {
    (src * 31 + dst * 17 + seq * 13 + i) as u8
}

/// What one process still has to do.
struct Check {
    /// The transport under test.
    link: MpichTransport,
    /// Next sequence number to send to each peer.
    sent: Vec<usize>,
    /// Next sequence number expected from each peer.
    received: Vec<usize>,
}

impl Check {
    /// Whether every message has gone and come.
    fn done(&self) -> bool {
        let me = self.link.core();
        let all = |counts: &[usize]| (0..counts.len()).all(|p| p == me || counts[p] == PER_PEER);
        all(&self.sent) && all(&self.received)
    }

    /// Tries to send the next message to every peer that has one left.
    fn send_round(&mut self) -> Result<(), String> {
        let me = self.link.core();
        for dst in (0..self.sent.len()).filter(|&d| d != me) {
            let seq = self.sent[dst];
            if seq == PER_PEER {
                continue;
            }
            let msg: Vec<u8> = (0..length(seq)).map(|i| byte(me, dst, seq, i)).collect();
            if self.link.try_send(dst, &msg).map_err(|e| e.to_string())? {
                self.sent[dst] += 1;
            }
        }
        Ok(())
    }

    /// Takes every message that is there and checks it.
    fn recv_all(&mut self, buf: &mut [u8]) -> Result<(), String> {
        let me = self.link.core();
        while let Some((src, len)) = self.link.try_recv(buf).map_err(|e| e.to_string())? {
            let seq = self.received[src];
            let expected = (seq < PER_PEER && len == length(seq))
                .then(|| (0..len).all(|i| buf[i] == byte(src, me, seq, i)));
            if expected != Some(true) {
                return Err(format!(
                    "message {seq} from {src}: {len} bytes, not as sent"
                ));
            }
            self.received[src] += 1;
        }
        Ok(())
    }
}

fn main() -> ExitCode {
    let universe = rsmpi::initialize().expect("MPI initializes once");
    let world = universe.world();
    let link = MpichTransport::new(&world);
    let size = link.cores();
    let mut check = Check {
        link,
        sent: vec![0; size],
        received: vec![0; size],
    };
    let mut buf = vec![0; MAX_MESSAGE];
    while !check.done() {
        if let Err(why) = check.send_round().and_then(|()| check.recv_all(&mut buf)) {
            eprintln!("error: rank {}: {why}", world.rank());
            world.abort(1);
        }
    }
    if world.rank() == 0 {
        let bytes: usize = (0..PER_PEER).map(length).sum();
        println!(
            "transport check: {size} processes, {PER_PEER} messages ({bytes} bytes) per pair, whole and in order"
        );
    }
    ExitCode::SUCCESS
}
