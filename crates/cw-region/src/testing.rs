//! Test doubles and oracles for code that uses this crate (feature `testing`).
//!
//! - [`VecMemory`]: a [`GuestMemory`] over a `Vec<u8>`, with a helper that
//!   places regions the way a contract's allocator would.
//! - [`model`]: a deliberately naive reference implementation of region reads
//!   and writes over a byte slice, used as the oracle in property tests and
//!   the fuzz target.

use std::cell::RefCell;

use crate::error::{MemoryAccessError, RegionError};
use crate::memory::GuestMemory;
use crate::region::Region;

/// An in-memory [`GuestMemory`]: a byte vector addressed from 0.
///
/// Bounds are checked on every access; an access that does not fit returns
/// [`MemoryAccessError`] and changes nothing. Interior mutability (a
/// `RefCell`) gives writes through `&self`, like Wasm memory.
#[derive(Debug, Clone, Default)]
pub struct VecMemory {
    bytes: RefCell<Vec<u8>>,
}

impl VecMemory {
    /// A zero-filled memory of `size_bytes` bytes.
    #[must_use]
    pub fn new(size_bytes: usize) -> Self {
        Self::from_bytes(vec![0; size_bytes])
    }

    /// A memory holding exactly `bytes`.
    #[must_use]
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self {
            bytes: RefCell::new(bytes),
        }
    }

    /// A copy of the whole memory.
    #[must_use]
    pub fn to_vec(&self) -> Vec<u8> {
        self.bytes.borrow().clone()
    }

    /// The memory's bytes.
    #[must_use]
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes.into_inner()
    }

    /// Appends `data` followed by `capacity - data.len()` zero bytes, then a
    /// 12-byte [`Region`] describing them (`length = data.len()`), and
    /// returns the region's address, as a contract allocator would. The
    /// memory grows to fit; address 0 is never used.
    ///
    /// # Errors
    /// [`RegionError::WriteExceedsCapacity`] if `data` is longer than
    /// `capacity`; [`RegionError::CapacityOverflow`] if the memory would grow
    /// past the 32-bit address space.
    pub fn place_region(&self, data: &[u8], capacity: u32) -> Result<u32, RegionError> {
        let too_big = || RegionError::WriteExceedsCapacity {
            data_length: data.len(),
            capacity,
        };
        let length = u32::try_from(data.len()).map_err(|_| too_big())?;
        if length > capacity {
            return Err(too_big());
        }
        let mut bytes = self.bytes.borrow_mut();
        if bytes.is_empty() {
            // Keep address 0 free: it means "null" to the codec.
            bytes.push(0);
        }
        let overflow = |offset| RegionError::CapacityOverflow { offset, capacity };
        let offset = u32::try_from(bytes.len()).map_err(|_| overflow(u32::MAX))?;
        let ptr = offset
            .checked_add(capacity)
            .ok_or_else(|| overflow(offset))?;
        ptr.checked_add(12).ok_or_else(|| overflow(offset))?;
        bytes.extend_from_slice(data);
        let padded_end = bytes.len() + crate::region::usize_from(capacity - length);
        bytes.resize(padded_end, 0);
        let region = Region {
            offset,
            capacity,
            length,
        };
        bytes.extend_from_slice(&region.to_le_bytes());
        Ok(ptr)
    }

    fn access_error(&self, offset: u32, length: usize) -> MemoryAccessError {
        MemoryAccessError::new(offset, length, self.size_bytes())
    }
}

/// `offset..offset + length` as a range, if it does not overflow.
fn span(offset: u32, length: usize) -> Option<std::ops::Range<usize>> {
    let start = crate::region::usize_from(offset);
    Some(start..start.checked_add(length)?)
}

impl GuestMemory for VecMemory {
    fn size_bytes(&self) -> u64 {
        // usize is at most 64 bits on every supported target.
        self.bytes.borrow().len() as u64
    }

    fn read(&self, offset: u32, buf: &mut [u8]) -> Result<(), MemoryAccessError> {
        let bytes = self.bytes.borrow();
        let source = span(offset, buf.len())
            .and_then(|range| bytes.get(range))
            .ok_or_else(|| self.access_error(offset, buf.len()))?;
        buf.copy_from_slice(source);
        Ok(())
    }

    fn write(&self, offset: u32, data: &[u8]) -> Result<(), MemoryAccessError> {
        let mut bytes = self.bytes.borrow_mut();
        match span(offset, data.len()).and_then(|range| bytes.get_mut(range)) {
            Some(target) => {
                target.copy_from_slice(data);
                Ok(())
            }
            None => {
                drop(bytes);
                Err(self.access_error(offset, data.len()))
            }
        }
    }

    fn read_to_vec(
        &self,
        offset: u32,
        length: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), MemoryAccessError> {
        let bytes = self.bytes.borrow();
        let source = span(offset, length)
            .and_then(|range| bytes.get(range))
            .ok_or_else(|| self.access_error(offset, length))?;
        out.extend_from_slice(source);
        Ok(())
    }
}

/// A reference model of the region codec over a plain byte slice.
///
/// It is written independently of [`GuestRegion`](crate::GuestRegion): 64-bit
/// arithmetic throughout and slice `get` for every access, no shared helpers.
/// Property tests and the fuzz target compare the codec against it; the two
/// must agree on every input, errors included.
pub mod model {
    use crate::error::RegionError;

    /// The 12-byte region struct at `ptr`, decoded and its fields checked,
    /// as `(offset, capacity, length)`.
    ///
    /// # Errors
    /// The same [`RegionError`] the codec must return for this input.
    pub fn load_region(memory: &[u8], ptr: u32) -> Result<(u32, u32, u32), RegionError> {
        let memory_size_bytes = memory.len() as u64;
        let start = u64::from(ptr);
        let raw = usize::try_from(start)
            .ok()
            .and_then(|s| memory.get(s..s.checked_add(12)?))
            .ok_or(RegionError::PointerOutOfMemory {
                ptr,
                memory_size_bytes,
            })?;
        let field = |i: usize| -> u32 {
            raw.iter()
                .skip(4 * i)
                .take(4)
                .rev()
                .fold(0u32, |acc, &b| (acc << 8) | u32::from(b))
        };
        let (offset, capacity, length) = (field(0), field(1), field(2));
        if offset == 0 {
            return Err(RegionError::NullOffset { ptr });
        }
        if length > capacity {
            return Err(RegionError::LengthExceedsCapacity { length, capacity });
        }
        let end = u64::from(offset) + u64::from(capacity);
        if end > u64::from(u32::MAX) {
            return Err(RegionError::CapacityOverflow { offset, capacity });
        }
        Ok((offset, capacity, length))
    }

    /// What reading the region at `ptr` with a limit of `limit_bytes` must
    /// return.
    ///
    /// # Errors
    /// The same [`RegionError`] the codec must return for this input.
    pub fn read_region(
        memory: &[u8],
        ptr: u32,
        limit_bytes: usize,
    ) -> Result<Vec<u8>, RegionError> {
        let (offset, _capacity, length) = load_region(memory, ptr)?;
        if u64::from(length) > limit_bytes as u64 {
            return Err(RegionError::LengthExceedsLimit {
                length,
                limit_bytes,
            });
        }
        let start = offset as usize;
        memory
            .get(start..start + length as usize)
            .map(<[u8]>::to_vec)
            .ok_or_else(|| out_of_memory(memory, offset, length as usize))
    }

    fn out_of_memory(memory: &[u8], offset: u32, length: usize) -> RegionError {
        RegionError::MemoryAccess(crate::MemoryAccessError::new(
            offset,
            length,
            memory.len() as u64,
        ))
    }

    /// Applies writing `data` into the region at `ptr` to `memory`, or leaves
    /// it unchanged and returns the error the codec must return.
    ///
    /// # Errors
    /// The same [`RegionError`] the codec must return for this input.
    pub fn write_region(memory: &mut [u8], ptr: u32, data: &[u8]) -> Result<(), RegionError> {
        let (offset, capacity, _length) = load_region(memory, ptr)?;
        if data.len() as u64 > u64::from(capacity) {
            return Err(RegionError::WriteExceedsCapacity {
                data_length: data.len(),
                capacity,
            });
        }
        let start = offset as usize;
        let Some(target) = memory.get_mut(start..start + data.len()) else {
            return Err(out_of_memory(memory, offset, data.len()));
        };
        target.copy_from_slice(data);
        let length = (data.len() as u32).to_le_bytes();
        let mut region = [0u8; 12];
        region[..4].copy_from_slice(&offset.to_le_bytes());
        region[4..8].copy_from_slice(&capacity.to_le_bytes());
        region[8..].copy_from_slice(&length);
        let p = ptr as usize;
        if let Some(target) = memory.get_mut(p..p + 12) {
            target.copy_from_slice(&region);
        }
        Ok(())
    }
}
