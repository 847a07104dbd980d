//! Direct calls to host imports that cosmwasm-std does not let a contract
//! make: writing or removing inside a query, and `abort` with an exact text.
//!
//! Only the Wasm build can call imports; elsewhere (the `library` build that
//! host-side tests link for the message types) these return an error.

use cosmwasm_std::StdResult;

/// Calls `db_write` with `key` and `value`, unchecked (empty values too).
pub(crate) fn db_write(key: &[u8], value: &[u8]) -> StdResult<()> {
    #[cfg(target_arch = "wasm32")]
    {
        let key = wasm::Region::borrowing(key);
        let value = wasm::Region::borrowing(value);
        // SAFETY: both Regions and the slices they describe outlive the call,
        // and the host only reads through them. Calling this inside a query is
        // the misbehaviour under test, not a memory-safety concern.
        unsafe { wasm::db_write(key.address(), value.address()) };
        Ok(())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (key, value);
        Err(unavailable())
    }
}

/// Calls `db_remove` with `key`.
pub(crate) fn db_remove(key: &[u8]) -> StdResult<()> {
    #[cfg(target_arch = "wasm32")]
    {
        let key = wasm::Region::borrowing(key);
        // SAFETY: the Region and its slice outlive the call, and the host only
        // reads through it.
        unsafe { wasm::db_remove(key.address()) };
        Ok(())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = key;
        Err(unavailable())
    }
}

/// Calls `abort` with exactly `msg`. A conforming host never returns from it.
pub(crate) fn abort(msg: &str) -> StdResult<()> {
    #[cfg(target_arch = "wasm32")]
    {
        let msg = wasm::Region::borrowing(msg.as_bytes());
        // SAFETY: the Region and its slice outlive the call, and the host only
        // reads through it.
        unsafe { wasm::abort(msg.address()) };
        Ok(())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = msg;
        Err(unavailable())
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn unavailable() -> cosmwasm_std::StdError {
    cosmwasm_std::StdError::msg("raw imports exist only in the wasm32 build")
}

#[cfg(target_arch = "wasm32")]
mod wasm {
    /// The guest-side Region (offset, capacity, length; each a `u32`), laid
    /// out as cosmwasm-vm reads it.
    #[repr(C)]
    pub struct Region {
        offset: u32,
        capacity: u32,
        length: u32,
    }

    impl Region {
        /// Describes `data`; `data` must outlive every use of `address()`.
        pub fn borrowing(data: &[u8]) -> Self {
            // Pointers and `usize` are 32 bits on wasm32: the casts are lossless.
            let length = data.len() as u32;
            Region {
                offset: data.as_ptr().addr() as u32,
                capacity: length,
                length,
            }
        }

        /// The Region's own address in linear memory, which imports take.
        pub fn address(&self) -> u32 {
            core::ptr::from_ref(self).addr() as u32
        }
    }

    // Declared as in cosmwasm-std (module "env", same signatures), so the
    // linker merges them into the imports cosmwasm-std already has.
    unsafe extern "C" {
        pub fn db_write(key: u32, value: u32);
        pub fn db_remove(key: u32);
        pub fn abort(source_ptr: u32);
    }
}
