//! Misbehaviour on demand, written so the optimiser cannot remove it.

use core::hint::black_box;

use cosmwasm_std::{StdError, StdResult};

/// Spins forever. `black_box` makes every iteration an observable use of the
/// counter, so the loop survives optimisation; only running out of gas (or
/// any other host-imposed stop) ends it.
pub(crate) fn spin() -> ! {
    let mut counter: u64 = 0;
    loop {
        counter = black_box(counter.wrapping_add(1));
    }
}

/// Recurses `depth` frames deep and returns `depth`.
///
/// The recursion is not a tail call: each frame keeps a buffer alive across
/// the inner call (handed to `black_box` afterwards), so the compiler
/// can turn it neither into a loop nor into a constant. The buffer lives on
/// the shadow stack in linear memory, so deep recursion exhausts both that
/// stack and the engine's native call stack.
#[inline(never)]
pub(crate) fn recurse(depth: u32) -> u64 {
    if depth == 0 {
        return 0;
    }
    let frame = black_box([depth.to_le_bytes(); 4]);
    let below = recurse(black_box(depth - 1));
    black_box(&frame);
    below + 1
}

/// Grows linear memory by `pages` and returns the previous size in pages.
pub(crate) fn grow_memory(pages: u32) -> StdResult<u32> {
    #[cfg(target_arch = "wasm32")]
    {
        // Pages are counted in u32 on wasm32, where `usize` is 32 bits.
        let previous = core::arch::wasm32::memory_grow::<0>(pages as usize);
        if previous == usize::MAX {
            return Err(StdError::msg(format!(
                "memory.grow by {pages} pages failed"
            )));
        }
        Ok(previous as u32)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = pages;
        Err(StdError::msg("memory.grow exists only in the wasm32 build"))
    }
}

/// Allocates `bytes` on the heap, writes one byte in every 64 KiB page of it
/// (so the memory is really used) and returns the allocation's length.
///
/// A failed allocation aborts the Rust runtime: a Wasm `unreachable` trap.
pub(crate) fn allocate(bytes: u64) -> StdResult<u64> {
    const PAGE_BYTES: usize = 64 * 1024;
    let len = usize::try_from(bytes)
        .map_err(|_| StdError::msg(format!("{bytes} bytes do not fit in usize")))?;
    let mut buffer = black_box(vec![0_u8; len]);
    for index in (0..len).step_by(PAGE_BYTES) {
        buffer[index] = 1;
    }
    let buffer = black_box(buffer);
    Ok(buffer.len() as u64)
}
