//! `pci`: the PCI functions found at boot, lspci style: address, class,
//! vendor:device, the driver using it, and each BAR.

use core::fmt::Write;

use shell::{Args, Command, Error};

use super::Kernel;
use super::format::Bytes;
use crate::pci::{self, Bar, Function};

/// `pci`: lists the PCI functions.
pub const PCI: Command<Kernel> = Command {
    name: "pci",
    summary: "list the PCI devices, their BARs and which driver uses them",
    usage: "pci",
    help: "Lists every PCI function found at boot (bus 0 and the buses behind bridges), like \
           lspci: bus:device.function, class, [vendor:device], the driver that uses it, then one \
           line per BAR with its address, size and kind.",
    example: "pci",
    run: pci_command,
};

fn pci_command(_: &mut Kernel, args: &mut Args<'_>, out: &mut dyn Write) -> Result<(), Error> {
    args.finish()?;
    let functions = pci::functions();
    for function in functions {
        let _ = describe(function, out);
    }
    let _ = writeln!(out, "{} PCI functions", functions.len());
    Ok(())
}

fn describe(f: &Function, out: &mut dyn Write) -> core::fmt::Result {
    let [class, subclass, prog_if] = f.class;
    write!(
        out,
        "{} {} [{class:02x}{subclass:02x}]: ",
        f.address,
        pci::class_name(f.class)
    )?;
    if let Some(vendor) = pci::vendor_name(f.vendor) {
        write!(out, "{vendor} ")?;
    }
    write!(
        out,
        "[{:04x}:{:04x}] rev {:02x}",
        f.vendor, f.device, f.revision
    )?;
    if prog_if != 0 {
        write!(out, " prog-if {prog_if:02x}")?;
    }
    if !matches!(f.irq_line, 0 | 0xFF) {
        write!(out, ", irq {}", f.irq_line)?;
    }
    writeln!(
        out,
        "; driver: {}",
        pci::driver(f.address).unwrap_or("none")
    )?;
    for (slot, bar) in f.bars.iter().enumerate() {
        match bar {
            Some(Bar::Memory {
                base,
                size,
                wide,
                prefetchable,
            }) => writeln!(
                out,
                "    BAR{slot}: memory at {base:#x} ({}, {}{})",
                Bytes(*size as usize),
                if *wide { "64-bit" } else { "32-bit" },
                if *prefetchable { ", prefetchable" } else { "" }
            )?,
            Some(Bar::Io { port, size }) => {
                writeln!(out, "    BAR{slot}: I/O ports at {port:#x} ({size} ports)")?
            }
            None => {}
        }
    }
    Ok(())
}
