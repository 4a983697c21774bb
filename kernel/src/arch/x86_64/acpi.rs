//! ACPI tables, read with the `acpi` crate: the cores and interrupt
//! controllers from the MADT, the power-off register from the FADT and the
//! S5 sleep type from the DSDT. Read before the heap exists, into fixed-size
//! storage: under PVH the memory map counts SeaBIOS's ACPI tables as RAM,
//! so the heap may reuse that memory afterwards.

use core::ptr::NonNull;

use arrayvec::ArrayVec;

use acpi::address::AddressSpace;
use acpi::fadt::Fadt;
use acpi::madt::{Madt, MadtEntry};
use acpi::{AcpiHandler, AcpiTables, PhysicalMapping};

/// Lets the `acpi` crate read tables: all of them lie in the identity-mapped
/// low 4 GiB, so mapping is the identity and unmapping does nothing.
#[derive(Clone)]
struct IdentityMapped;

impl AcpiHandler for IdentityMapped {
    unsafe fn map_physical_region<T>(
        &self,
        physical_address: usize,
        size: usize,
    ) -> PhysicalMapping<Self, T> {
        let virtual_start =
            NonNull::new(physical_address as *mut T).expect("ACPI table at address 0");
        // SAFETY: the caller guarantees a valid T at `physical_address`; the
        // identity map makes that physical address usable as a pointer for
        // `size` bytes.
        unsafe { PhysicalMapping::new(physical_address, virtual_start, size, size, self.clone()) }
    }

    fn unmap_physical_region<T>(_region: &PhysicalMapping<Self, T>) {}
}

/// One core the firmware lists as enabled.
#[derive(Debug, Clone, Copy)]
pub struct CpuInfo {
    /// Local APIC id (what IPIs address).
    pub apic_id: u32,
}

/// The I/O APIC that serves the ISA interrupts.
#[derive(Debug, Clone, Copy)]
pub struct IoApicInfo {
    /// Register window (physical = virtual).
    pub address: u64,
    /// First global system interrupt it handles.
    pub gsi_base: u32,
}

/// An ISA IRQ the firmware wired differently from the default.
#[derive(Debug, Clone, Copy)]
pub struct IsaOverride {
    /// ISA IRQ number.
    pub irq: u8,
    /// Global system interrupt it arrives on.
    pub gsi: u32,
    /// Polarity: active low instead of high.
    pub active_low: bool,
    /// Trigger: level instead of edge.
    pub level_triggered: bool,
}

/// Most cores ringlab drives.
pub const MAX_CPUS: usize = 32;

/// What the kernel needs from ACPI.
#[derive(Debug, Default)]
pub struct Platform {
    /// Enabled cores in MADT order, at most MAX_CPUS.
    pub cpus: ArrayVec<CpuInfo, MAX_CPUS>,
    /// Enabled cores ringlab cannot use: past MAX_CPUS, or x2APIC ids > 254.
    pub skipped_cpus: usize,
    /// The I/O APIC for ISA interrupts, if any.
    pub ioapic: Option<IoApicInfo>,
    /// ISA interrupt source overrides (there are 16 ISA IRQs).
    pub isa_overrides: ArrayVec<IsaOverride, 16>,
    /// I/O port of PM1a_CNT (ACPI power-off), if the FADT gives one.
    pub pm1a_control_port: Option<u16>,
    /// SLP_TYPa value for S5 (soft off) from the DSDT's `\_S5_` package.
    pub s5_sleep_type: Option<u16>,
}

/// Finds the ACPI tables (from the PVH RSDP, else by the BIOS-area search)
/// and reads them. Errors are reported as text for the boot log.
pub fn read_platform(rsdp: Option<u64>) -> Result<Platform, &'static str> {
    // SAFETY: the PVH loader's RSDP address is valid, and the BIOS search
    // only reads the EBDA and 0xE0000-0xFFFFF, all identity-mapped.
    let tables = unsafe {
        match rsdp {
            Some(address) => AcpiTables::from_rsdp(IdentityMapped, address as usize),
            None => AcpiTables::search_for_rsdp_bios(IdentityMapped),
        }
    }
    .map_err(|_| "no valid ACPI RSDP/RSDT found")?;
    let mut platform = Platform::default();
    let madt = tables
        .find_table::<Madt>()
        .map_err(|_| "no MADT in the ACPI tables")?;
    for entry in madt.get().entries() {
        read_madt_entry(&mut platform, entry);
    }
    if let Ok(fadt) = tables.find_table::<Fadt>() {
        platform.pm1a_control_port = fadt
            .pm1a_control_block()
            .ok()
            .filter(|block| block.address_space == AddressSpace::SystemIo)
            .map(|block| block.address as u16);
    }
    if let Ok(dsdt) = tables.dsdt() {
        // SAFETY: the DSDT's AML body lies in ACPI memory, identity-mapped.
        let aml =
            unsafe { core::slice::from_raw_parts(dsdt.address as *const u8, dsdt.length as usize) };
        platform.s5_sleep_type = find_s5_sleep_type(aml);
    }
    Ok(platform)
}

fn read_madt_entry(platform: &mut Platform, entry: MadtEntry<'_>) {
    const ENABLED: u32 = 1;
    const XAPIC_MAX_ID: u32 = 254;
    let mut add_cpu = |apic_id: u32| {
        if apic_id > XAPIC_MAX_ID || platform.cpus.try_push(CpuInfo { apic_id }).is_err() {
            platform.skipped_cpus += 1;
        }
    };
    match entry {
        MadtEntry::LocalApic(e) if e.flags & ENABLED != 0 => {
            add_cpu(u32::from(e.apic_id));
        }
        MadtEntry::LocalX2Apic(e) if e.flags & ENABLED != 0 => add_cpu(e.x2apic_id),
        MadtEntry::IoApic(e) if platform.ioapic.is_none() => {
            platform.ioapic = Some(IoApicInfo {
                address: u64::from(e.io_apic_address),
                gsi_base: e.global_system_interrupt_base,
            });
        }
        MadtEntry::InterruptSourceOverride(e) if e.bus == 0 => {
            // MPS INTI flags: polarity in bits 0-1 (3 = active low), trigger
            // in bits 2-3 (3 = level).
            let flags = e.flags;
            // Room for all 16 ISA IRQs; a 17th entry would repeat one.
            let _ = platform.isa_overrides.try_push(IsaOverride {
                irq: e.irq,
                gsi: e.global_system_interrupt,
                active_low: flags & 0b11 == 0b11,
                level_triggered: (flags >> 2) & 0b11 == 0b11,
            });
        }
        _ => {}
    }
}

/// Finds `Name(_S5_, Package(){ SLP_TYPa, ... })` in AML and returns SLP_TYPa.
/// A byte scan rather than an AML interpreter: the object is a constant
/// package in every firmware ringlab runs on (QEMU's SeaBIOS tables).
fn find_s5_sleep_type(aml: &[u8]) -> Option<u16> {
    const PACKAGE_OP: u8 = 0x12;
    const BYTE_PREFIX: u8 = 0x0A;
    let at = aml.windows(4).position(|w| w == b"_S5_")?;
    let rest = aml.get(at + 4..)?;
    if *rest.first()? != PACKAGE_OP {
        return None;
    }
    // PkgLength: the top two bits of its lead byte count extra length bytes.
    let length_bytes = 1 + usize::from(rest.get(1)? >> 6);
    let first_element = rest.get(1 + length_bytes + 1..)?; // skip NumElements
    match *first_element.first()? {
        BYTE_PREFIX => first_element.get(1).map(|&v| u16::from(v)),
        v @ (0x00 | 0x01) => Some(u16::from(v)), // ZeroOp / OneOp
        _ => None,
    }
}
