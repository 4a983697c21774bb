//! The architecture fence: the one place that picks the hardware port.
//! ringlab runs on x86_64 only; a grep for `target_arch` finds nothing else.

#[cfg(target_arch = "x86_64")]
mod x86_64;
#[cfg(target_arch = "x86_64")]
pub use self::x86_64::*;
