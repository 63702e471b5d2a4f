//! The binary's allocator: jemalloc, with zeroed blocks below 16 MiB zeroed
//! by writing zeros rather than by jemalloc.
//!
//! Why jemalloc: the engine's large queries allocate and free hundreds of
//! megabytes of columns, row lists and hash tables. The system allocator
//! gives each large block a fresh mapping and returns it on free, so every
//! query pays the kernel for fresh pages again, and on the 2-core virtual
//! machine we measure on that cost swings with the host's state (a
//! 10-million-row join took 0.48 s or 1.25 s depending on the hour).
//! jemalloc keeps freed memory and hands it out again: in one `bench/compare`
//! run at a slow hour the large-by-large join went from 1.25 s to 0.57 s and
//! the 10^7-group aggregate from 5.1 s to 2.4 s; at a fast hour the two
//! allocators took the same time. Peak memory was 15–20% lower every time
//! (1.8 GB against 2.2 GB for the load and six large queries).
//!
//! Why the zeroing: jemalloc zeroes a reused block by handing its pages back
//! to the kernel and faulting them in again (`MADV_DONTNEED`), which on a
//! machine with several threads also interrupts every other core to flush
//! its page tables. A query that zeroes a 256 KiB scratch array per morsel
//! paid 100 ms for that where writing the zeros takes a few. Large blocks
//! keep jemalloc's way: a fresh mapping is zero already.
//!
//! Only the binary uses it: a program that embeds itq keeps its own allocator.

use std::alloc::{GlobalAlloc, Layout};
use tikv_jemallocator::Jemalloc;

/// Zeroed blocks at least this large are left to jemalloc.
const ZERO_BY_JEMALLOC: usize = 16 << 20;

/// The allocator (see the module's comment).
pub struct Allocator;

// SAFETY: every call is jemalloc's, except that a zeroed block below the
// threshold is a plain jemalloc block with zeros written over it, which is
// what `alloc_zeroed` promises; blocks are freed by jemalloc either way.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as given.
        unsafe { Jemalloc.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.size() >= ZERO_BY_JEMALLOC {
            // SAFETY: forwarded as given.
            return unsafe { Jemalloc.alloc_zeroed(layout) };
        }
        // SAFETY: forwarded as given; a non-null block holds `size` bytes.
        unsafe {
            let p = Jemalloc.alloc(layout);
            if !p.is_null() {
                std::ptr::write_bytes(p, 0, layout.size());
            }
            p
        }
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        // SAFETY: forwarded as given.
        unsafe { Jemalloc.dealloc(p, layout) }
    }

    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded as given.
        unsafe { Jemalloc.realloc(p, layout, new_size) }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn zeroed_blocks_are_zero_also_when_memory_is_reused() {
        for size in [1usize, 4096, 256 << 10, 20 << 20] {
            // Dirty a block, free it, and ask for a zeroed one of the same size.
            drop(vec![0xAAu8; size]);
            let v = vec![0u8; size];
            assert!(v.iter().all(|&b| b == 0), "{size}");
        }
    }
}
