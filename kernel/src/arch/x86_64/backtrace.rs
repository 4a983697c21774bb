//! Frame-pointer stack walking for fault and panic reports. The kernel is
//! built with frame pointers kept (`.cargo/config.toml`), so each frame
//! starts with the caller's `rbp` and, above it, the return address.
//! It reads only inside the stack range it is given, so a broken chain
//! ends the walk instead of faulting inside a fault report.

use core::ops::Range;

use super::VirtAddr;

/// The most frames a report shows.
pub const MAX_FRAMES: usize = 16;

/// The frame pointer of the code calling this (its `rbp`).
#[inline(always)]
pub fn current_frame_pointer() -> u64 {
    let rbp: u64;
    // SAFETY: reads a register into a local; touches no memory or flags.
    unsafe {
        core::arch::asm!("mov {}, rbp", out(reg) rbp, options(nomem, nostack, preserves_flags))
    };
    rbp
}

/// Calls `each` with the return address of every frame on the chain that
/// starts at frame pointer `rbp`, innermost first, at most [`MAX_FRAMES`].
/// The walk stops at a frame pointer outside `stack`, misaligned, or not
/// above the previous one (stacks grow down, so callers sit higher).
pub fn walk(rbp: u64, stack: Range<VirtAddr>, mut each: impl FnMut(u64)) {
    let (low, high) = (stack.start.as_u64(), stack.end.as_u64());
    let mut frame = rbp;
    for _ in 0..MAX_FRAMES {
        if !frame.is_multiple_of(8) || frame < low || frame.saturating_add(16) > high {
            return;
        }
        let slot = frame as *const u64;
        // SAFETY: `frame..frame + 16` lies inside `stack`, which the caller
        // gives as a mapped stack of this kernel, and is 8-aligned; the
        // reads race nothing (a faulted or panicking core's stack is still).
        let (caller_frame, return_address) = unsafe { (slot.read(), slot.add(1).read()) };
        if return_address == 0 {
            return;
        }
        each(return_address);
        if caller_frame <= frame {
            return;
        }
        frame = caller_frame;
    }
}
