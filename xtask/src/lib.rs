//! The library half of `xtask`: workspace paths, set-up, the kernel build and
//! the QEMU test harness used by `xtask/tests/` and `cargo xtask bench`.
//! The subcommands themselves live in the binary (`main.rs` and one file each).

pub mod cmd;
pub mod console;
pub mod grade;
pub mod harness;
pub mod kernel;
pub mod module_graph;
pub mod monitor;
pub mod mpicc;
pub mod qemu;
pub mod setup;
pub mod symbols;
pub mod vq_stats;
pub mod workspace;
