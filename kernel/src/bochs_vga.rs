//! QEMU's standard VGA (the Bochs VBE "DISPI" interface, PCI 1234:1111) as a
//! linear framebuffer: BAR0 is the video memory, BAR2 an MMIO window onto the
//! DISPI and VGA registers. Mode setting and panning only; drawing is fbcon's.

use crate::arch::{PhysAddr, VirtAddr, paging};
use crate::pci::{self, Bar, Function};

/// PCI vendor id of QEMU's standard VGA.
pub const VENDOR: u16 = 0x1234;
/// PCI device id of QEMU's standard VGA.
pub const DEVICE: u16 = 0x1111;

/// The DISPI registers, 16 bits each (Bochs `vbe.h`). The I/O interface
/// selects them by index through ports 0x1CE/0x1CF; the MMIO window used
/// here has them at `0x500 + 2 * index`.
#[derive(Clone, Copy, Debug)]
#[repr(u16)]
enum Dispi {
    Id = 0,
    XRes = 1,
    YRes = 2,
    Bpp = 3,
    Enable = 4,
    Bank = 5,
    VirtWidth = 6,
    VirtHeight = 7,
    XOffset = 8,
    YOffset = 9,
    VideoMemory64K = 10,
}

/// Bits of [`Dispi::Enable`].
mod enable {
    pub const ENABLED: u16 = 0x01;
    pub const LINEAR_FRAMEBUFFER: u16 = 0x40;
}

/// [`Dispi::Id`] values start here; 0xB0C5 is the newest interface.
const DISPI_ID_MIN: u16 = 0xB0C0;
/// Offset of the DISPI registers in the BAR2 window.
const DISPI_MMIO: usize = 0x500;
/// Offset of the VGA ports 0x3C0.. in the BAR2 window.
const VGA_PORTS_MMIO: usize = 0x400;
/// VGA attribute controller (index/data) and input status 1 (colour) ports.
const VGA_ATTRIBUTE: u16 = 0x3C0;
const VGA_MISC_WRITE: u16 = 0x3C2;
const VGA_INPUT_STATUS_1: u16 = 0x3DA;

/// A linear framebuffer of 32-bit `0x00RRGGBB` pixels.
#[derive(Debug)]
pub struct FrameBuffer {
    /// First pixel of video memory.
    pub base: *mut u32,
    /// Visible width in pixels.
    pub width: usize,
    /// Visible height in pixels.
    pub height: usize,
    /// Pixels from one line to the next.
    pub stride: usize,
    /// Lines of video memory (at least `height`); the display can pan over them.
    pub lines: usize,
}

// SAFETY: `base` is a physical (identity-mapped) address of video memory,
// valid on every core; who may write through it is fbcon's lock rule.
unsafe impl Send for FrameBuffer {}

/// The device, its register window mapped.
pub struct BochsVga {
    function: &'static Function,
    /// BAR2: DISPI and VGA registers.
    mmio: *mut u8,
    /// BAR0: video memory, and its size in bytes.
    vram: (VirtAddr, u64),
}

// SAFETY: the pointers are MMIO addresses, valid from any core; fbcon keeps
// the one BochsVga behind its lock.
unsafe impl Send for BochsVga {}

impl BochsVga {
    /// Finds the device on PCI and maps its windows. `Err` says why there is
    /// no usable display (no such device, missing BAR, old interface).
    pub fn probe() -> Result<Self, &'static str> {
        let function = pci::find(VENDOR, DEVICE).ok_or("no QEMU standard VGA on PCI")?;
        let Some(Bar::Memory { base, size, .. }) = function.bars[0] else {
            return Err("the VGA has no framebuffer BAR");
        };
        let Some(Bar::Memory {
            base: mmio_base,
            size: mmio_size,
            ..
        }) = function.bars[2]
        else {
            return Err("the VGA has no MMIO register BAR (QEMU older than 1.3?)");
        };
        if base == 0 || mmio_base == 0 {
            return Err("the firmware left the VGA's BARs unassigned");
        }
        let vram = paging::map_device(PhysAddr::new(base), size)?;
        let mmio = paging::map_device(PhysAddr::new(mmio_base), mmio_size)?.as_mut_ptr::<u8>();
        let vga = Self {
            function,
            mmio,
            vram: (vram, size),
        };
        if vga.read(Dispi::Id) < DISPI_ID_MIN {
            return Err("the VGA does not speak the Bochs DISPI interface");
        }
        Ok(vga)
    }

    /// The PCI function this is.
    pub fn function(&self) -> &'static Function {
        self.function
    }

    /// Switches to a `width` x `height` 32 bpp linear framebuffer mode and
    /// returns it, its virtual height spanning all of video memory.
    pub fn set_mode(&mut self, width: u16, height: u16) -> Result<FrameBuffer, &'static str> {
        self.write(Dispi::Enable, 0);
        self.write(Dispi::Bpp, 32);
        self.write(Dispi::XRes, width);
        self.write(Dispi::YRes, height);
        self.write(Dispi::Bank, 0);
        self.write(Dispi::VirtWidth, width);
        self.write(Dispi::VirtHeight, u16::MAX); // QEMU clamps it to video memory
        self.write(Dispi::XOffset, 0);
        self.write(Dispi::YOffset, 0);
        self.write(Dispi::Enable, enable::ENABLED | enable::LINEAR_FRAMEBUFFER);
        self.unblank();
        let (got_w, got_h) = (self.read(Dispi::XRes), self.read(Dispi::YRes));
        if (got_w, got_h, self.read(Dispi::Bpp)) != (width, height, 32) {
            return Err("the VGA refused the mode");
        }
        let stride = usize::from(self.read(Dispi::VirtWidth));
        let vram_bytes = self
            .vram
            .1
            .min(u64::from(self.read(Dispi::VideoMemory64K)) << 16);
        let lines = usize::from(self.read(Dispi::VirtHeight))
            .min(vram_bytes as usize / 4 / stride.max(1))
            .max(usize::from(height));
        Ok(FrameBuffer {
            base: self.vram.0.as_mut_ptr::<u32>(),
            width: usize::from(width),
            height: usize::from(height),
            stride,
            lines,
        })
    }

    /// Shows video memory from line `y` on (hardware scrolling).
    pub fn pan_to(&self, y: usize) {
        self.write(Dispi::YOffset, y as u16);
    }

    /// Turns the picture on: the VGA attribute controller's "palette
    /// address source" bit, as the Linux bochs driver does.
    fn unblank(&self) {
        self.vga_write(VGA_MISC_WRITE, 0x01); // colour I/O addresses (0x3Dx)
        let _ = self.vga_read(VGA_INPUT_STATUS_1); // resets the index/data flip-flop
        self.vga_write(VGA_ATTRIBUTE, 0x20);
    }

    fn read(&self, register: Dispi) -> u16 {
        // SAFETY: BAR2 is mapped (probe) and this offset is a DISPI register.
        unsafe { self.dispi(register).read_volatile() }
    }

    fn write(&self, register: Dispi, value: u16) {
        // SAFETY: as in read; DISPI writes change the display, not memory.
        unsafe { self.dispi(register).write_volatile(value) }
    }

    fn dispi(&self, register: Dispi) -> *mut u16 {
        self.mmio.wrapping_add(DISPI_MMIO + 2 * register as usize) as *mut u16
    }

    fn vga_write(&self, port: u16, value: u8) {
        let at = VGA_PORTS_MMIO + usize::from(port - VGA_ATTRIBUTE);
        // SAFETY: BAR2 maps the VGA ports 0x3C0-0x3DF at 0x400-0x41F.
        unsafe { self.mmio.wrapping_add(at).write_volatile(value) }
    }

    fn vga_read(&self, port: u16) -> u8 {
        let at = VGA_PORTS_MMIO + usize::from(port - VGA_ATTRIBUTE);
        // SAFETY: as in vga_write; reading input status 1 only resets the
        // attribute controller's flip-flop, which is what we want.
        unsafe { self.mmio.wrapping_add(at).read_volatile() }
    }
}
