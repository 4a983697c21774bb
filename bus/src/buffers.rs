//! The data buffers of one queue, one per descriptor, and the only code that
//! touches their bytes. Plain (non-atomic) memory: who may touch a buffer is
//! decided by the ring indices, and every access here is `unsafe` for that.
//!
//! Ownership of buffer `id`, which the callers' SAFETY comments rely on:
//! * the **sender** owns it from the moment an Acquire load of `avail.idx`
//!   shows it posted until its Release store of `used.idx` publishes it;
//! * the **receiver** owns it from the moment an Acquire load of `used.idx`
//!   shows it used until its Release store of `avail.idx` re-posts it;
//! * nobody else ever touches the bytes (snapshots read descriptors and rings,
//!   never buffers).
//!
//! Each hand-over is a Release store read by an Acquire load, so every access
//! by the old owner happens-before every access by the new one: no data race.
//! Under loom each buffer is a `loom::cell::UnsafeCell`, which checks exactly that.

#[cfg(not(loom))]
pub(crate) use flat::Buffers;
#[cfg(loom)]
pub(crate) use model::Buffers;

/// Real buffers: `count × buf_size` contiguous bytes, 64-byte aligned.
#[cfg(not(loom))]
mod flat {
    use crate::mem::SharedMem;
    use core::ptr;

    /// The buffers of one queue.
    pub(crate) struct Buffers {
        mem: SharedMem,
        count: usize,
        buf_size: usize,
    }

    impl Buffers {
        /// `count` zeroed buffers of `buf_size` bytes (a multiple of 64).
        pub(crate) fn new(count: u16, buf_size: u32) -> Self {
            let (count, buf_size) = (usize::from(count), buf_size as usize);
            Self {
                mem: SharedMem::zeroed(count * buf_size),
                count,
                buf_size,
            }
        }

        /// Address of buffer `id`, for its descriptor.
        pub(crate) fn addr(&self, id: u16) -> u64 {
            self.mem.addr() + (usize::from(id) * self.buf_size) as u64
        }

        /// Pointer to byte `offset` of buffer `id`.
        ///
        /// # Safety
        /// `id < count` and `offset + len <= buf_size` for the `len` bytes
        /// the caller then touches (debug builds check both).
        #[inline]
        unsafe fn at(&self, id: u16, offset: usize, len: usize) -> *mut u8 {
            let id = usize::from(id);
            debug_assert!(
                id < self.count && offset + len <= self.buf_size,
                "buffer {id} span {offset}+{len}"
            );
            // SAFETY: inside the `count × buf_size` bytes (the caller's promise).
            unsafe { self.mem.base().add(id * self.buf_size + offset) }
        }

        /// Writes a fragment into buffer `id`: the 8-byte header `head` at
        /// its start (one store: buffers start on 64-byte boundaries) and
        /// the payload `src` after it.
        ///
        /// # Safety
        /// The caller owns buffer `id` under the rules in this module's doc,
        /// `id < count` and `8 + src.len() <= buf_size`. The receiver and
        /// sender check ids and lengths before they get here, so the hot
        /// path pays no second bounds check.
        #[inline]
        pub(crate) unsafe fn write_fragment(&self, id: u16, head: [u8; 8], src: &[u8]) {
            // SAFETY: `at`'s bounds are ours; `base()` may be written through;
            // the caller owns these bytes, so nothing else accesses them now;
            // the header's 8 bytes are aligned (`buf_size` is a multiple of
            // 64); `src` is the caller's own slice, never our memory (which
            // no safe API hands out), so no overlap.
            unsafe {
                let buf = self.at(id, 0, 8 + src.len());
                buf.cast::<[u8; 8]>().write(head);
                ptr::copy_nonoverlapping(src.as_ptr(), buf.add(8), src.len());
            }
        }

        /// Copies `dst.len()` bytes out of buffer `id` at `offset`.
        ///
        /// # Safety
        /// As for [`Self::write_fragment`], for the `dst.len()` bytes at `offset`.
        #[inline]
        pub(crate) unsafe fn read(&self, id: u16, offset: usize, dst: &mut [u8]) {
            // SAFETY: as in `write_fragment`, reading instead; `dst` is a `&mut` the
            // caller holds, which cannot alias our `UnsafeCell` memory.
            unsafe {
                ptr::copy_nonoverlapping(
                    self.at(id, offset, dst.len()),
                    dst.as_mut_ptr(),
                    dst.len(),
                )
            }
        }

        /// Reads the 8 bytes at the start of buffer `id` with one load.
        ///
        /// # Safety
        /// As for [`Self::write_fragment`], with 8 bytes at offset 0.
        #[inline]
        pub(crate) unsafe fn read_head(&self, id: u16) -> [u8; 8] {
            // SAFETY: as in `write_fragment`, reading instead; the 8 bytes
            // are aligned.
            unsafe { self.at(id, 0, 8).cast::<[u8; 8]>().read() }
        }
    }
}

/// Buffers under loom: one tracked cell per buffer.
#[cfg(loom)]
mod model {
    use alloc::boxed::Box;
    use alloc::vec;
    use alloc::vec::Vec;
    use loom::cell::UnsafeCell;

    /// The buffers of one queue (loom model).
    pub(crate) struct Buffers {
        cells: Box<[UnsafeCell<Vec<u8>>]>,
        buf_size: usize,
    }

    impl Buffers {
        /// `count` zeroed buffers of `buf_size` bytes.
        pub(crate) fn new(count: u16, buf_size: u32) -> Self {
            let buf_size = buf_size as usize;
            let cells: Vec<_> = (0..count)
                .map(|_| UnsafeCell::new(vec![0; buf_size]))
                .collect();
            Self {
                cells: cells.into_boxed_slice(),
                buf_size,
            }
        }

        /// A made-up address (loom objects have no stable one).
        pub(crate) fn addr(&self, id: u16) -> u64 {
            (usize::from(id) * self.buf_size) as u64
        }

        /// Writes a fragment into buffer `id`: `head`, then `src`.
        ///
        /// # Safety
        /// The caller owns buffer `id` under the rules in this module's doc.
        #[inline]
        pub(crate) unsafe fn write_fragment(&self, id: u16, head: [u8; 8], src: &[u8]) {
            self.cells[usize::from(id)].with_mut(|buf| {
                // SAFETY: loom itself checks the caller's ownership claim:
                // `with_mut` panics if another thread's access is concurrent.
                let buf = unsafe { &mut *buf };
                buf[..8].copy_from_slice(&head);
                buf[8..8 + src.len()].copy_from_slice(src);
            });
        }

        /// Copies `dst.len()` bytes out of buffer `id` at `offset`.
        ///
        /// # Safety
        /// The caller owns buffer `id` under the rules in this module's doc.
        #[inline]
        pub(crate) unsafe fn read(&self, id: u16, offset: usize, dst: &mut [u8]) {
            self.cells[usize::from(id)].with(|buf| {
                // SAFETY: as in `write_fragment`; loom checks no write is concurrent.
                let buf = unsafe { &*buf };
                dst.copy_from_slice(&buf[offset..offset + dst.len()]);
            });
        }

        /// Reads the fragment header at the start of buffer `id`.
        ///
        /// # Safety
        /// The caller owns buffer `id` under the rules in this module's doc.
        #[inline]
        pub(crate) unsafe fn read_head(&self, id: u16) -> [u8; 8] {
            let mut head = [0; 8];
            // SAFETY: the caller's contract is ours.
            unsafe { self.read(id, 0, &mut head) };
            head
        }
    }

    // SAFETY: the cells are reached only through `write_fragment`/`read`, whose
    // callers own the buffer by the Release/Acquire hand-over in the module
    // doc; loom's cells verify that claim on every access.
    unsafe impl Sync for Buffers {}
}
