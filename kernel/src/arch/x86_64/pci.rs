//! PCI configuration space through the legacy I/O ports 0xCF8 (address) and
//! 0xCFC (data), "configuration mechanism #1" (PCI Local Bus 3.0, 3.2.2.3.2).
//! Only the access; enumeration and BARs are in `crate::pci`.

use core::fmt;

use spin::Mutex;
use x86_64::instructions::port::Port;

const CONFIG_ADDRESS: u16 = 0xCF8;
const CONFIG_DATA: u16 = 0xCFC;
/// Bit 31 of CONFIG_ADDRESS: the access goes to configuration space.
const ENABLE: u32 = 1 << 31;

/// A function's place on the bus: `bus:device.function`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PciAddress {
    bus: u8,
    device: u8,
    function: u8,
}

impl PciAddress {
    /// The address `bus:device.function`; `None` if device > 31 or function > 7.
    pub const fn new(bus: u8, device: u8, function: u8) -> Option<Self> {
        if device < 32 && function < 8 {
            Some(Self {
                bus,
                device,
                function,
            })
        } else {
            None
        }
    }

    /// The bus number.
    pub const fn bus(self) -> u8 {
        self.bus
    }

    /// What CONFIG_ADDRESS takes for the dword at `offset`.
    fn config_address(self, offset: u8) -> u32 {
        ENABLE
            | u32::from(self.bus) << 16
            | u32::from(self.device) << 11
            | u32::from(self.function) << 8
            | u32::from(offset & 0xFC)
    }
}

impl fmt::Display for PciAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02x}:{:02x}.{}", self.bus, self.device, self.function)
    }
}

/// Lock rule: held across the address write and the data access, which
/// must not interleave with another core's.
static PORTS: Mutex<()> = Mutex::new(());

/// Reads the configuration dword at `offset` (rounded down to 4).
pub fn read_u32(address: PciAddress, offset: u8) -> u32 {
    let _held = PORTS.lock();
    // SAFETY: 0xCF8/0xCFC are the PC's PCI configuration ports; selecting a
    // register and reading it has no side effect on memory.
    unsafe {
        Port::new(CONFIG_ADDRESS).write(address.config_address(offset));
        Port::new(CONFIG_DATA).read()
    }
}

/// Writes the configuration dword at `offset` (rounded down to 4).
///
/// Writing configuration space can move a device's registers (BARs) or stop
/// it decoding; callers own the device they write.
pub fn write_u32(address: PciAddress, offset: u8, value: u32) {
    let _held = PORTS.lock();
    // SAFETY: as in read_u32; what the write does to the device is the
    // caller's responsibility (see above), not a memory-safety matter here.
    unsafe {
        Port::new(CONFIG_ADDRESS).write(address.config_address(offset));
        Port::new(CONFIG_DATA).write(value);
    }
}
