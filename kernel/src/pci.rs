//! PCI devices, found once at boot by walking the buses from bus 0 through
//! the PCI-to-PCI bridges, each function's BARs sized then. Drivers find
//! their device here and claim it; the `pci` command lists what was found.

use arrayvec::ArrayVec;
use spin::{Mutex, Once};

pub use crate::arch::pci::PciAddress;
use crate::arch::pci::{read_u32, write_u32};

/// Most functions kept; QEMU's q35 machine has about six.
const MAX_FUNCTIONS: usize = 64;

/// Configuration-space offsets (PCI Local Bus 3.0, 6.1).
mod reg {
    pub const ID: u8 = 0x00; // vendor (low), device (high)
    pub const COMMAND: u8 = 0x04; // command (low), status (high)
    pub const CLASS: u8 = 0x08; // revision, prog-if, subclass, class
    pub const HEADER: u8 = 0x0C; // header type in bits 16..24
    pub const BAR0: u8 = 0x10;
    pub const BUSES: u8 = 0x18; // bridges: primary, secondary, subordinate
    pub const INTERRUPT: u8 = 0x3C; // line (low), pin
}

const COMMAND_IO_SPACE: u32 = 1 << 0;
const COMMAND_MEMORY_SPACE: u32 = 1 << 1;
const HEADER_MULTIFUNCTION: u8 = 0x80;
const HEADER_BRIDGE: u8 = 0x01;

/// A base address register, decoded and sized.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bar {
    /// A memory window.
    Memory {
        /// Physical base address.
        base: u64,
        /// Size in bytes.
        size: u64,
        /// Whether the BAR is 64 bits wide (it then uses the next slot too).
        wide: bool,
        /// Whether reads have no side effects (may be cached or combined).
        prefetchable: bool,
    },
    /// An I/O port window.
    Io {
        /// First port.
        port: u32,
        /// Number of ports.
        size: u32,
    },
}

/// One PCI function as found at boot.
#[derive(Clone, Copy, Debug)]
pub struct Function {
    /// Where it is.
    pub address: PciAddress,
    /// Vendor id.
    pub vendor: u16,
    /// Device id.
    pub device: u16,
    /// Class code (base class, subclass, programming interface).
    pub class: [u8; 3],
    /// Revision id.
    pub revision: u8,
    /// The BARs by slot; the upper half of a 64-bit BAR is `None`.
    pub bars: [Option<Bar>; 6],
    /// The legacy interrupt line the firmware assigned (0xFF: none).
    pub irq_line: u8,
}

/// Every function found; set once by `init`.
static FUNCTIONS: Once<ArrayVec<Function, MAX_FUNCTIONS>> = Once::new();
/// Which driver uses which function. Lock rule: any core, briefly.
static DRIVERS: Mutex<ArrayVec<(PciAddress, &'static str), 8>> = Mutex::new(ArrayVec::new_const());

/// Walks the buses and sizes every BAR. Call once at boot, before any
/// driver touches a device (sizing briefly turns decoding off).
pub fn init() {
    FUNCTIONS.call_once(|| {
        let mut found = ArrayVec::new();
        scan_bus(0, &mut found, 0);
        found
    });
}

/// Every function found at boot (empty before `init`).
pub fn functions() -> &'static [Function] {
    FUNCTIONS.get().map_or(&[], |found| found.as_slice())
}

/// The first function with this vendor and device id.
pub fn find(vendor: u16, device: u16) -> Option<&'static Function> {
    functions()
        .iter()
        .find(|f| f.vendor == vendor && f.device == device)
}

/// Records that `driver` uses the function at `address`.
pub fn claim(address: PciAddress, driver: &'static str) {
    let _ = DRIVERS.lock().try_push((address, driver));
}

/// The driver that claimed `address`, if any.
pub fn driver(address: PciAddress) -> Option<&'static str> {
    DRIVERS
        .lock()
        .iter()
        .find(|(at, _)| *at == address)
        .map(|&(_, driver)| driver)
}

/// Adds every function on `bus`, and on the buses behind its bridges.
fn scan_bus(bus: u8, found: &mut ArrayVec<Function, MAX_FUNCTIONS>, depth: u8) {
    for device in 0..32 {
        let Some(first) = PciAddress::new(bus, device, 0) else {
            continue;
        };
        if vendor_of(first).is_none() {
            continue;
        }
        let functions = if header_type(first) & HEADER_MULTIFUNCTION != 0 {
            8
        } else {
            1
        };
        for function in 0..functions {
            let Some(address) = PciAddress::new(bus, device, function) else {
                continue;
            };
            if vendor_of(address).is_some() && found.try_push(read_function(address)).is_ok() {
                visit_bridge(address, found, depth);
            }
        }
    }
}

/// Scans the bus behind `address` if it is a PCI-to-PCI bridge.
fn visit_bridge(address: PciAddress, found: &mut ArrayVec<Function, MAX_FUNCTIONS>, depth: u8) {
    const MAX_DEPTH: u8 = 8; // a firmware loop of bridges cannot recurse for ever
    if header_type(address) & 0x7F != HEADER_BRIDGE || depth >= MAX_DEPTH {
        return;
    }
    let secondary = (read_u32(address, reg::BUSES) >> 8) as u8;
    if secondary > address.bus() {
        scan_bus(secondary, found, depth + 1);
    }
}

fn vendor_of(address: PciAddress) -> Option<u16> {
    let vendor = read_u32(address, reg::ID) as u16;
    (vendor != 0xFFFF).then_some(vendor)
}

fn header_type(address: PciAddress) -> u8 {
    (read_u32(address, reg::HEADER) >> 16) as u8
}

fn read_function(address: PciAddress) -> Function {
    let id = read_u32(address, reg::ID);
    let class = read_u32(address, reg::CLASS);
    let bar_count = if header_type(address) & 0x7F == HEADER_BRIDGE {
        2
    } else {
        6
    };
    // Host and ISA bridges keep decoding while sized: what sits behind them
    // (the serial port, for one) must not vanish meanwhile (Linux does the same).
    let keep_decoding = matches!(class >> 16, 0x0600 | 0x0601);
    Function {
        address,
        vendor: id as u16,
        device: (id >> 16) as u16,
        class: [(class >> 24) as u8, (class >> 16) as u8, (class >> 8) as u8],
        revision: class as u8,
        bars: read_bars(address, bar_count, keep_decoding),
        irq_line: read_u32(address, reg::INTERRUPT) as u8,
    }
}

/// Decodes and sizes the first `count` BARs, with decoding off meanwhile
/// (unless `keep_decoding`) so the all-ones probe never answers on the bus.
fn read_bars(address: PciAddress, count: u8, keep_decoding: bool) -> [Option<Bar>; 6] {
    let command = read_u32(address, reg::COMMAND);
    if !keep_decoding {
        let decode = COMMAND_IO_SPACE | COMMAND_MEMORY_SPACE;
        write_u32(address, reg::COMMAND, command & 0xFFFF & !decode);
    }
    let mut bars = [None; 6];
    let mut slot = 0;
    while slot < count {
        let bar = size_bar(address, slot, count);
        bars[usize::from(slot)] = bar;
        slot += if matches!(bar, Some(Bar::Memory { wide: true, .. })) {
            2
        } else {
            1
        };
    }
    write_u32(address, reg::COMMAND, command & 0xFFFF);
    bars
}

/// Writes all ones to a BAR register and reads back which bits stick.
fn probe(address: PciAddress, offset: u8) -> (u32, u32) {
    let original = read_u32(address, offset);
    write_u32(address, offset, u32::MAX);
    let mask = read_u32(address, offset);
    write_u32(address, offset, original);
    (original, mask)
}

/// BAR `slot`, or `None` if it is unimplemented (reads back 0).
fn size_bar(address: PciAddress, slot: u8, count: u8) -> Option<Bar> {
    let offset = reg::BAR0 + 4 * slot;
    let (low, low_mask) = probe(address, offset);
    if low_mask == 0 {
        return None;
    }
    if low & 1 == 1 {
        let size = (!(low_mask & !0x3)).wrapping_add(1) & 0xFFFF;
        return Some(Bar::Io {
            port: low & !0x3,
            size,
        });
    }
    let wide = (low >> 1) & 0x3 == 0x2 && slot + 1 < count;
    let (high, high_mask) = if wide {
        probe(address, offset + 4)
    } else {
        (0, u32::MAX)
    };
    let base = u64::from(high) << 32 | u64::from(low & !0xF);
    let mask = u64::from(high_mask) << 32 | u64::from(low_mask & !0xF);
    Some(Bar::Memory {
        base,
        size: (!mask).wrapping_add(1),
        wide,
        prefetchable: low & 0x8 != 0,
    })
}

/// lspci's name for a class code (base class, subclass).
pub fn class_name(class: [u8; 3]) -> &'static str {
    match (class[0], class[1]) {
        (0x00, _) => "Unclassified device",
        (0x01, 0x00) => "SCSI storage controller",
        (0x01, 0x01) => "IDE interface",
        (0x01, 0x06) => "SATA controller",
        (0x01, 0x08) => "Non-Volatile memory controller",
        (0x01, _) => "Mass storage controller",
        (0x02, 0x00) => "Ethernet controller",
        (0x02, _) => "Network controller",
        (0x03, 0x00) => "VGA compatible controller",
        (0x03, _) => "Display controller",
        (0x04, 0x01) => "Multimedia audio controller",
        (0x04, 0x03) => "Audio device",
        (0x04, _) => "Multimedia controller",
        (0x05, _) => "Memory controller",
        (0x06, 0x00) => "Host bridge",
        (0x06, 0x01) => "ISA bridge",
        (0x06, 0x04) => "PCI bridge",
        (0x06, _) => "Bridge",
        (0x07, 0x00) => "Serial controller",
        (0x07, _) => "Communication controller",
        (0x08, _) => "System peripheral",
        (0x09, _) => "Input device controller",
        (0x0C, 0x03) => "USB controller",
        (0x0C, 0x05) => "SMBus",
        (0x0C, _) => "Serial bus controller",
        _ => "Device",
    }
}

/// A short name for the vendors QEMU machines show.
pub fn vendor_name(vendor: u16) -> Option<&'static str> {
    match vendor {
        0x8086 => Some("Intel"),
        0x1234 => Some("QEMU/Bochs"),
        0x1AF4 | 0x1B36 => Some("Red Hat"),
        0x1022 => Some("AMD"),
        0x10DE => Some("NVIDIA"),
        0x10EC => Some("Realtek"),
        _ => None,
    }
}
