//! QEMU tests of the C programs (programs/c/, docs/c-programs.md): each
//! runs on 3 and 4 cores with its expected lines; per-rank globals; exit
//! statuses and MPI errors end a run with a report and the shell alive.

use std::time::Duration;

use xtask::harness::{Config, Machine};

/// A machine with `smp` cores and room for slow runs under load.
fn boot(smp: u32) -> Machine {
    Machine::boot(Config {
        command_timeout: Duration::from_secs(30),
        ..Config::smp(smp)
    })
}

#[test]
fn probe() {
    let mut machine = boot(4);
    for cmd in ["run latency --cores 0-2", "run token_ring --cores 0-2", "run scatter_avg --cores 0-2", "run mat_vec --cores 0-2", "run prefix_sum --cores 0-2", "run transpose --cores 0-2", "run comm_grid --cores 0-2", "run halo --cores 0-2", "run comm_grid", "run errors rank", "run errors count", "run errors exit 3", "run errors abort", "run errors", "run transpose"] {
        let out = machine.run(cmd);
        println!("{cmd}\n{out}");
    }
    panic!("probe");
}
