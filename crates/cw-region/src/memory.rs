//! The [`GuestMemory`] trait: the only way this crate touches guest memory.
//!
//! The trait is deliberately tiny and copy-based, so it can be implemented
//! over Wasmer's `MemoryView` (whose `read`/`write` take `&self` and copy) in
//! the crate that knows Wasmer, and over a `Vec<u8>` for tests
//! ([`VecMemory`](crate::testing::VecMemory) behind the `testing` feature).
//! It is object safe: the codec works on `&dyn GuestMemory`.

use crate::error::MemoryAccessError;

/// A contract's linear memory, addressed by 32-bit guest offsets.
///
/// Every method either performs the whole access or returns
/// [`MemoryAccessError`] having changed nothing; none may panic on any
/// offset or length. Methods take `&self` because Wasm memory is shared
/// mutable state (Wasmer's own API does the same).
pub trait GuestMemory {
    /// Current size of the memory in bytes (up to 4 GiB, hence `u64`).
    fn size_bytes(&self) -> u64;

    /// Copies `buf.len()` bytes starting at guest address `offset` into `buf`.
    ///
    /// # Errors
    /// [`MemoryAccessError`] if any byte of `offset..offset + buf.len()` is
    /// outside memory; `buf` is then unspecified but nothing else changed.
    fn read(&self, offset: u32, buf: &mut [u8]) -> Result<(), MemoryAccessError>;

    /// Copies `data` into memory starting at guest address `offset`.
    ///
    /// # Errors
    /// [`MemoryAccessError`] if any byte of `offset..offset + data.len()` is
    /// outside memory; memory is then unchanged.
    fn write(&self, offset: u32, data: &[u8]) -> Result<(), MemoryAccessError>;

    /// Appends exactly `length` bytes starting at guest address `offset` to
    /// `out`.
    ///
    /// The provided implementation zero-extends `out` and calls
    /// [`read`](Self::read). Implementations that can copy straight into
    /// uninitialized capacity (a slice-backed memory, or Wasmer's
    /// `MemoryView::read_uninit`) should override it: that makes reading a
    /// region into a fresh `Vec` a single copy.
    ///
    /// # Errors
    /// [`MemoryAccessError`] if the range is outside memory; `out` is then
    /// left as it was.
    fn read_to_vec(
        &self,
        offset: u32,
        length: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), MemoryAccessError> {
        let start = out.len();
        let end = start
            .checked_add(length)
            .ok_or_else(|| MemoryAccessError::new(offset, length, self.size_bytes()))?;
        out.resize(end, 0);
        let (_, tail) = out.split_at_mut(start);
        let result = self.read(offset, tail);
        if result.is_err() {
            out.truncate(start);
        }
        result
    }
}

impl<M: GuestMemory + ?Sized> GuestMemory for &M {
    fn size_bytes(&self) -> u64 {
        (**self).size_bytes()
    }

    fn read(&self, offset: u32, buf: &mut [u8]) -> Result<(), MemoryAccessError> {
        (**self).read(offset, buf)
    }

    fn write(&self, offset: u32, data: &[u8]) -> Result<(), MemoryAccessError> {
        (**self).write(offset, data)
    }

    fn read_to_vec(
        &self,
        offset: u32,
        length: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), MemoryAccessError> {
        (**self).read_to_vec(offset, length, out)
    }
}
