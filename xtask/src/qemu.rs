//! The QEMU command line ringlab boots with, shared by `cargo xtask run`, the
//! test harness and the benchmarks, and what QEMU's exit status means.
//! Only building the `Command`: spawning and talking to it is elsewhere.

use std::path::Path;
use std::process::{Command, ExitStatus};

/// The QEMU binary.
pub const PROGRAM: &str = "qemu-system-x86_64";

/// The exit status QEMU reports after the kernel's `poweroff` wrote 0x10 to
/// the isa-debug-exit port: `(0x10 << 1) | 1`.
pub const POWEROFF_STATUS: i32 = (0x10 << 1) | 1;

/// Which accelerator QEMU uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Accel {
    /// Tiny Code Generator: pure emulation, works everywhere.
    #[default]
    Tcg,
    /// Linux KVM with the host's CPU model; needs a usable /dev/kvm.
    Kvm,
}

impl Accel {
    /// The QEMU arguments that select this accelerator.
    pub fn args(self) -> &'static [&'static str] {
        match self {
            Self::Tcg => &["-accel", "tcg"],
            Self::Kvm => &["-accel", "kvm", "-cpu", "host"],
        }
    }
}

/// Checks `text` is a memory size as QEMU's `-m` takes it: a number of MiB,
/// or a number with a `K`, `M`, `G` or `T` suffix (`512M`, `1.5G`), not 0;
/// for clap, so a typo is refused before the kernel is built.
pub fn parse_memory(text: &str) -> Result<String, String> {
    let number = text
        .strip_suffix(['k', 'K', 'm', 'M', 'g', 'G', 't', 'T'])
        .unwrap_or(text);
    let (whole, fraction) = number.split_once('.').unwrap_or((number, "0"));
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(fraction) {
        return Err(format!(
            "'{text}' is not a memory size: give MiB (512) or a number with K, M, G or T (512M, 2G)"
        ));
    }
    if whole.bytes().chain(fraction.bytes()).all(|b| b == b'0') {
        return Err("the machine needs some memory: give more than 0".into());
    }
    Ok(text.to_string())
}

/// The machine every ringlab boot uses: q35 with `memory` and `smp` cores,
/// the kernel ELF loaded through its PVH note, no reboot on triple fault and,
/// with `debug_exit`, the isa-debug-exit port `poweroff` writes to. Serial
/// and display are the caller's to add.
pub fn command(elf: &Path, smp: u32, memory: &str, accel: Accel, debug_exit: bool) -> Command {
    let mut qemu = Command::new(PROGRAM);
    qemu.args(["-M", "q35", "-m", memory, "-smp", &smp.to_string()])
        .arg("-kernel")
        .arg(elf)
        .args(accel.args())
        .arg("-no-reboot");
    if debug_exit {
        qemu.args(["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]);
    }
    qemu
}

/// Which device carries the kernel's trace stream to the host.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum TraceChannel {
    /// A virtio console on PCI (virtio-serial-pci, the trace on port 1, a
    /// `virtserialport`, which QEMU throttles rather than drops when the
    /// host reads slowly): the default, fast (the kernel lends its trace
    /// rings to the device).
    #[default]
    Virtio,
    /// The second serial port: the kernel's fallback when there is no
    /// virtio console (one VM exit per byte).
    Com2,
}

/// The QEMU arguments that put the trace stream on `chardev`, a `-chardev`
/// backend without its id (e.g. `file,path=t.trace` or
/// `socket,path=t.sock,server=on,wait=off`), over `channel`.
pub fn trace_args(chardev: &str, channel: TraceChannel) -> Vec<String> {
    let mut args = vec!["-chardev".to_string(), format!("{chardev},id=trace")];
    match channel {
        TraceChannel::Virtio => args.extend([
            "-device".into(),
            "virtio-serial-pci,max_ports=2".into(),
            "-device".into(),
            "virtserialport,chardev=trace,nr=1,name=ringlab.trace".into(),
        ]),
        TraceChannel::Com2 => args.extend(["-serial".into(), "chardev:trace".into()]),
    }
    args
}

/// The exit code `cargo xtask run` reports for QEMU's `status`: 0 after a
/// clean poweroff or a normal QEMU exit, QEMU's own code otherwise, and
/// 128 + N when a signal N killed it (as shells do).
pub fn exit_code(status: ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(POWEROFF_STATUS), _) => 0,
        (Some(code), _) => code,
        (None, Some(signal)) => 128 + signal,
        (None, None) => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    #[test]
    fn memory_sizes_are_checked_as_qemu_reads_them() {
        for good in ["512M", "512", "2G", "1.5g", "65536k", "1T"] {
            assert_eq!(parse_memory(good).as_deref(), Ok(good));
        }
        for bad in [
            "1Q", "", "M", "-1G", "1.G", ".5G", "512 M", "1e3", "0", "0.0M",
        ] {
            assert!(parse_memory(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn poweroff_and_normal_exit_are_success() {
        assert_eq!(POWEROFF_STATUS, 33);
        assert_eq!(exit_code(ExitStatus::from_raw(33 << 8)), 0);
        assert_eq!(exit_code(ExitStatus::from_raw(0)), 0);
        assert_eq!(exit_code(ExitStatus::from_raw(1 << 8)), 1);
        assert_eq!(exit_code(ExitStatus::from_raw(9)), 137);
    }

    #[test]
    fn the_trace_goes_to_a_virtio_console_or_com2() {
        let virtio = trace_args("file,path=t.trace", TraceChannel::Virtio).join(" ");
        assert_eq!(
            virtio,
            "-chardev file,path=t.trace,id=trace -device virtio-serial-pci,max_ports=2 -device virtserialport,chardev=trace,nr=1,name=ringlab.trace"
        );
        let com2 = trace_args("file,path=t.trace", TraceChannel::Com2).join(" ");
        assert_eq!(
            com2,
            "-chardev file,path=t.trace,id=trace -serial chardev:trace"
        );
    }

    #[test]
    fn command_has_the_contract_arguments() {
        let qemu = command(Path::new("k.elf"), 4, "512M", Accel::Kvm, true);
        let args: Vec<_> = qemu.get_args().map(|a| a.to_str().unwrap()).collect();
        let line = args.join(" ");
        assert!(line.starts_with("-M q35 -m 512M -smp 4 -kernel k.elf -accel kvm -cpu host"));
        assert!(line.ends_with("-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04"));
        let without = command(Path::new("k.elf"), 1, "128M", Accel::Tcg, false);
        assert!(
            !without
                .get_args()
                .any(|a| a.to_str().unwrap().contains("isa-debug-exit"))
        );
    }
}
