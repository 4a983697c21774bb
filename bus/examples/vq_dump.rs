//! `cargo run -p bus --example vq_dump`: prints what the kernel's `vq dump 0 1`
//! shows before a message, after it is sent, and after it is received; the
//! walk-through in docs/bus.md is this output (tests/docs.rs keeps it so).

use bus::{Bus, Config, Corruption};

/// The walk-through: a 2-core bus of 4-entry queues with 64-byte buffers,
/// one 100-byte message (two fragments) from core 0 to core 1.
pub fn walkthrough() -> String {
    let bus = Bus::new(2, Config::new(4, 64)).expect("valid config");
    let (mut core0, mut core1) = (
        bus.endpoint(0).expect("core 0"),
        bus.endpoint(1).expect("core 1"),
    );
    let dump = |title: &str| format!("## {title}\n{}\n", bus.snapshot(0, 1).expect("queue 0->1"));

    let mut out = dump("before");
    let message: Vec<u8> = (0..100).collect();
    core0.send(1, &message).expect("send");
    out += &dump("after core 0 sends 100 bytes");
    let mut buf = [0; 100];
    let len = core1.recv(0, &mut buf).expect("recv");
    assert_eq!(buf[..len], message[..]);
    out += &dump("after core 1 receives them");

    core0.send(1, b"hello").expect("send");
    let hit = bus
        .corrupt_used(0, 1, Corruption::IdOutOfRange)
        .expect("an unread entry");
    let err = core1.recv(0, &mut buf).expect_err("corrupt");
    out += &format!(
        "## vq corrupt 0 1\nused[{}]: {:?} -> {:?}\nrecv: {err}\n\n",
        hit.pos, hit.before, hit.after
    );
    out += &dump("after the corrupt entry was refused");
    out += &format!("## stats\n{}", bus.stats());
    out
}

#[allow(dead_code)]
fn main() {
    print!("{}", walkthrough());
}
