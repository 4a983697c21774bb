//! Set-up shared by every subcommand and by the test harness: the
//! `x86_64-unknown-none` rustup target, `qemu-system-x86_64`, `clang` (the
//! kernel build compiles programs/c/ with it, docs/c-programs.md) and MPICH.
//! Installs what it can (rustup target, Debian packages as root), else says how.

use std::env;
use std::fs::File;
use std::path::PathBuf;
use std::process::Command;

use anyhow::{Result, bail};

use crate::{cmd, kernel, qemu};

/// Makes sure the kernel target, QEMU and clang are installed.
pub fn ensure() -> Result<()> {
    ensure_target()?;
    ensure_qemu()?;
    ensure_program("clang", &["clang"])
}

/// Adds the kernel's rustup target if rustup does not list it as installed.
/// Without rustup (a distribution toolchain) it only warns: the build says
/// clearly enough if the target is missing.
fn ensure_target() -> Result<()> {
    let listed = cmd::stdout(Command::new("rustup").args(["target", "list", "--installed"]));
    match listed {
        Ok(list) if list.lines().any(|line| line.trim() == kernel::TARGET) => Ok(()),
        Ok(_) => cmd::run(Command::new("rustup").args(["target", "add", kernel::TARGET])),
        Err(err) => {
            eprintln!("warning: cannot ask rustup for installed targets ({err:#}); going on");
            Ok(())
        }
    }
}

/// Installs QEMU with apt when running as root, else fails with the command
/// the user should run.
fn ensure_qemu() -> Result<()> {
    ensure_program(qemu::PROGRAM, &["qemu-system-x86"])
}

/// Installs MPICH (for `cargo xtask bench`'s comparison and the C programs'
/// tests) the same way.
pub fn ensure_mpich() -> Result<()> {
    ensure_program("mpicc", &["mpich"])
}

/// Installs valgrind (`cargo xtask bench` counts the bus's instructions per
/// message under callgrind) the same way.
pub fn ensure_valgrind() -> Result<()> {
    ensure_program("valgrind", &["valgrind"])
}

/// Python modules the tests use: Perfetto's published trace schema
/// (`perfetto_trace_pb2`, in the `perfetto` wheel) to check the viewer's
/// export against Perfetto itself, and the `protobuf` runtime it needs.
const TEST_PYTHON_MODULES: &str =
    "import google.protobuf.unknown_fields, perfetto.protos.perfetto.trace.perfetto_trace_pb2";

/// What `cargo xtask test` needs beyond [`ensure`]: MPICH's build tools and
/// the Python modules of [`TEST_PYTHON_MODULES`], installed with pip when missing.
pub fn ensure_test_tools() -> Result<()> {
    ensure()?;
    ensure_mpich_build()?; // before the suites, which run in parallel
    let present = Command::new("python3")
        .args(["-c", TEST_PYTHON_MODULES])
        .output()
        .is_ok_and(|out| out.status.success());
    if present {
        return Ok(());
    }
    cmd::run(Command::new("python3").args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "perfetto",
        "protobuf>=4.22",
    ]))
}

/// What the `programs-mpich` crate needs to build and run: MPICH with its
/// headers and pkg-config file (`mpiexec`, `libmpich-dev`), and clang with
/// libclang, which rsmpi's bindgen loads to read `mpi.h`.
pub const MPICH_BUILD: [(&str, &[&str]); 2] = [
    ("mpiexec", &["mpich", "libmpich-dev"]),
    ("clang", &["clang", "libclang-dev"]),
];

/// Installs what [`MPICH_BUILD`] lists the same way (`cargo xtask mpirun`,
/// and the MPICH suite of `cargo xtask test`).
pub fn ensure_mpich_build() -> Result<()> {
    MPICH_BUILD
        .iter()
        .try_for_each(|(program, packages)| ensure_program(program, packages))
}

/// Makes sure `program` is on PATH, installing Debian `packages` as root.
fn ensure_program(program: &str, packages: &[&str]) -> Result<()> {
    if find_on_path(program).is_some() {
        return Ok(());
    }
    if !is_root() {
        bail!("{}", missing(program, packages));
    }
    // Tests run in parallel and apt-get takes dpkg's lock without waiting:
    // one installer at a time, and whoever waited looks again first.
    let lock = File::create(env::temp_dir().join("ringlab-apt.lock"))?;
    lock.lock()?;
    if find_on_path(program).is_some() {
        return Ok(());
    }
    cmd::run(Command::new("apt-get").arg("update"))?;
    let mut apt = Command::new("apt-get");
    apt.env("DEBIAN_FRONTEND", "noninteractive")
        .args(["install", "-y"])
        .args(packages);
    cmd::run(&mut apt)
}

/// The error for a missing `program` when we cannot install it ourselves.
fn missing(program: &str, packages: &[&str]) -> String {
    format!(
        "`{program}` is not on PATH; install it with:\n    sudo apt-get update && sudo apt-get install -y {}",
        packages.join(" ")
    )
}

/// The first executable file called `program` in a `PATH` directory.
pub fn find_on_path(program: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|file| {
            file.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// Whether we run as root (`id -u` is 0).
fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_sh_but_not_a_made_up_program() {
        assert!(find_on_path("sh").is_some());
        assert!(find_on_path("ringlab-no-such-program").is_none());
    }

    #[test]
    fn a_missing_program_names_the_install_command() {
        let (program, packages) = MPICH_BUILD[0];
        assert_eq!(
            missing(program, packages),
            "`mpiexec` is not on PATH; install it with:\n    \
             sudo apt-get update && sudo apt-get install -y mpich libmpich-dev"
        );
    }
}
