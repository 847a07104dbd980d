//! A counting global allocator: how many heap bytes the current thread
//! holds, and the most it held since the last [`measure`]. Wasmer runs a
//! call's Wasm and its imports on the calling thread, so a call's host-side
//! heap use is measured exactly, whatever other tests do meanwhile (guest
//! linear memory is mapped, not heap, and is bounded by the memory limit).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static LIVE: Cell<i64> = const { Cell::new(0) };
    static PEAK: Cell<i64> = const { Cell::new(0) };
}

fn add(bytes: i64) {
    // `try_with`: a thread being torn down has no counters any more.
    let _ = LIVE.try_with(|live| {
        let now = live.get() + bytes;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

fn size(layout: Layout) -> i64 {
    i64::try_from(layout.size()).unwrap_or(i64::MAX)
}

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged; the counters are plain thread-local cells and never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded; the caller upholds `alloc`'s contract.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            add(size(layout));
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded; the caller upholds `alloc_zeroed`'s contract.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            add(size(layout));
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded; `ptr` was allocated by `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        add(-size(layout));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded; the caller upholds `realloc`'s contract.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            add(i64::try_from(new_size).unwrap_or(i64::MAX) - size(layout));
        }
        new
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// Heap use of one closure on this thread.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HeapUse {
    /// The most bytes held at once above the level at the start.
    pub peak_bytes: i64,
    /// Bytes still held at the end, above the level at the start.
    pub retained_bytes: i64,
}

/// Runs `f` and reports its heap use on this thread.
pub(crate) fn measure<R>(f: impl FnOnce() -> R) -> (R, HeapUse) {
    let start = LIVE.with(Cell::get);
    PEAK.with(|peak| peak.set(start));
    let result = f();
    let end = LIVE.with(Cell::get);
    let peak = PEAK.with(Cell::get);
    (
        result,
        HeapUse {
            peak_bytes: peak - start,
            retained_bytes: end - start,
        },
    )
}

/// The process's resident set in bytes (`/proc/self/statm`, second field,
/// in pages).
pub(crate) fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}
