//! What the firmware told the kernel at boot (ACPI), kept for later use:
//! power-off registers, the I/O APIC and its overrides.

use spin::Once;

pub use crate::arch::acpi::Platform;

static PLATFORM: Once<Platform> = Once::new();

/// Stores the platform description; once, at boot.
pub fn set(platform: Platform) -> &'static Platform {
    PLATFORM.call_once(|| platform)
}

/// The platform description (empty if ACPI was missing).
pub fn get() -> &'static Platform {
    PLATFORM.call_once(Platform::default)
}
