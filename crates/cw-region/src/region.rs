//! The 12-byte `Region` struct and the checked handle through which the host
//! reads and writes a region's data.
//!
//! Architecture invariant: region data is only reachable through
//! [`GuestRegion`], whose one constructor ([`GuestRegion::load`]) checks that
//! the region struct lies in memory and that its fields are consistent, and
//! whose every data access is bounds-checked by the memory. A [`Region`] is
//! plain data; it has no way to touch memory.
//!
//! What is refused where is cosmwasm-vm 3.0.11's (`src/memory.rs`
//! `get_region`, `validate_region`, `read_region`, `write_region`): the
//! struct and its fields when loaded; the data only when it is accessed,
//! after the caller has charged for it. A region whose capacity runs past the
//! end of memory is therefore valid as long as the bytes actually read or
//! written are inside it, and a region struct at address 0 is read like any
//! other (only a pointer that `allocate` returns may not be 0, which the
//! host checks).

use crate::error::{MemoryAccessError, RegionError};
use crate::memory::GuestMemory;

// Region fields are u32 and are used as slice lengths; every platform this
// crate supports (wasm32 and 64-bit hosts) has a usize at least that wide.
const _: () = assert!(usize::BITS >= u32::BITS);

/// Widens a `u32` to `usize`; lossless by the assertion above.
pub(crate) const fn usize_from(n: u32) -> usize {
    n as usize
}

/// Describes some data in guest memory, exactly as `cosmwasm-std` lays it out:
/// three little-endian `u32`s, 12 bytes, no padding.
///
/// A `Region` is only data. To read or write what it points to, load it with
/// [`GuestRegion::load`], which checks it first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Region {
    /// Guest address of the first data byte.
    pub offset: u32,
    /// Number of bytes allocated at `offset`.
    pub capacity: u32,
    /// Number of those bytes in use.
    pub length: u32,
}

impl Region {
    /// Size of the encoded struct in guest memory.
    pub const ENCODED_SIZE_BYTES: usize = 12;

    /// Decodes the guest layout: `offset`, `capacity`, `length`, each a
    /// little-endian `u32`. Total: every 12-byte array is a `Region`.
    #[must_use]
    pub const fn from_le_bytes(bytes: [u8; Self::ENCODED_SIZE_BYTES]) -> Self {
        let [o0, o1, o2, o3, c0, c1, c2, c3, l0, l1, l2, l3] = bytes;
        Self {
            offset: u32::from_le_bytes([o0, o1, o2, o3]),
            capacity: u32::from_le_bytes([c0, c1, c2, c3]),
            length: u32::from_le_bytes([l0, l1, l2, l3]),
        }
    }

    /// Encodes the guest layout; the inverse of [`from_le_bytes`](Self::from_le_bytes).
    #[must_use]
    pub const fn to_le_bytes(self) -> [u8; Self::ENCODED_SIZE_BYTES] {
        let [o0, o1, o2, o3] = self.offset.to_le_bytes();
        let [c0, c1, c2, c3] = self.capacity.to_le_bytes();
        let [l0, l1, l2, l3] = self.length.to_le_bytes();
        [o0, o1, o2, o3, c0, c1, c2, c3, l0, l1, l2, l3]
    }

    /// Checks the region's own fields, as cosmwasm-vm's `validate_region`
    /// does and in its order: null offset, length over capacity, `offset +
    /// capacity` over `u32::MAX`. Where the data lies is checked when it is
    /// read or written.
    fn check(self, ptr: u32) -> Result<(), RegionError> {
        let Self {
            offset,
            capacity,
            length,
        } = self;
        if offset == 0 {
            return Err(RegionError::NullOffset { ptr });
        }
        if length > capacity {
            return Err(RegionError::LengthExceedsCapacity { length, capacity });
        }
        if offset.checked_add(capacity).is_none() {
            return Err(RegionError::CapacityOverflow { offset, capacity });
        }
        Ok(())
    }
}

/// A region loaded from guest memory: its 12-byte struct was inside memory,
/// its offset is not null, `length <= capacity` and `offset + capacity` fits
/// in a `u32`. Every data access is bounds-checked by the memory and fails
/// with [`RegionError::MemoryAccess`] past its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuestRegion {
    ptr: u32,
    region: Region,
}

impl GuestRegion {
    /// Reads the 12-byte region struct at guest address `ptr` (0 included)
    /// and checks its fields.
    ///
    /// # Errors
    /// In this order: [`RegionError::PointerOutOfMemory`],
    /// [`RegionError::NullOffset`], [`RegionError::LengthExceedsCapacity`],
    /// [`RegionError::CapacityOverflow`]; [`RegionError::MemoryAccess`] only
    /// if `memory` breaks its contract.
    pub fn load(memory: &dyn GuestMemory, ptr: u32) -> Result<Self, RegionError> {
        let memory_size_bytes = memory.size_bytes();
        // u32 + 12 cannot overflow u64.
        if u64::from(ptr) + 12 > memory_size_bytes {
            return Err(RegionError::PointerOutOfMemory {
                ptr,
                memory_size_bytes,
            });
        }
        let mut bytes = [0u8; Region::ENCODED_SIZE_BYTES];
        memory.read(ptr, &mut bytes)?;
        let region = Region::from_le_bytes(bytes);
        region.check(ptr)?;
        Ok(Self { ptr, region })
    }

    /// Guest address of the region struct.
    #[must_use]
    pub const fn ptr(&self) -> u32 {
        self.ptr
    }

    /// The checked region's fields (a copy).
    #[must_use]
    pub const fn region(&self) -> Region {
        self.region
    }

    /// `length`, as a slice length, if it is within `limit_bytes`.
    fn length_within(&self, limit_bytes: usize) -> Result<usize, RegionError> {
        let length = usize_from(self.region.length);
        if length > limit_bytes {
            return Err(RegionError::LengthExceedsLimit {
                length: self.region.length,
                limit_bytes,
            });
        }
        Ok(length)
    }

    /// Copies the region's `length` data bytes into a new `Vec` (one copy
    /// when `memory` overrides [`GuestMemory::read_to_vec`]).
    ///
    /// # Errors
    /// [`RegionError::LengthExceedsLimit`] if `length > limit_bytes`, checked
    /// before anything is allocated or copied; [`RegionError::MemoryAccess`]
    /// if the data runs past the end of memory.
    pub fn read(
        &self,
        memory: &dyn GuestMemory,
        limit_bytes: usize,
    ) -> Result<Vec<u8>, RegionError> {
        let length = self.length_within(limit_bytes)?;
        let mut out = Vec::with_capacity(length);
        memory.read_to_vec(self.region.offset, length, &mut out)?;
        if out.len() != length {
            // The memory said Ok but did not deliver: its contract is broken.
            return Err(
                MemoryAccessError::new(self.region.offset, length, memory.size_bytes()).into(),
            );
        }
        Ok(out)
    }

    /// Copies the region's `length` data bytes into the front of `buf` and
    /// returns `length`. `buf.len()` is the caller's limit.
    ///
    /// # Errors
    /// [`RegionError::LengthExceedsLimit`] if `length > buf.len()`; `buf` is
    /// then untouched. [`RegionError::MemoryAccess`] if the data runs past
    /// the end of memory.
    pub fn read_into(
        &self,
        memory: &dyn GuestMemory,
        buf: &mut [u8],
    ) -> Result<usize, RegionError> {
        let length = self.length_within(buf.len())?;
        let (head, _) = buf.split_at_mut(length);
        memory.read(self.region.offset, head)?;
        Ok(length)
    }

    /// Writes `data` at the region's offset and sets its `length` to
    /// `data.len()`, in memory and in `self`.
    ///
    /// The whole 12-byte struct is written back, as cosmwasm-vm does, so
    /// that data overlapping the struct ends with the same bytes in both.
    ///
    /// # Errors
    /// [`RegionError::WriteExceedsCapacity`] if `data` does not fit;
    /// [`RegionError::MemoryAccess`] if it would run past the end of memory.
    /// Memory is then unchanged.
    pub fn write(&mut self, memory: &dyn GuestMemory, data: &[u8]) -> Result<(), RegionError> {
        let capacity = self.region.capacity;
        let too_big = || RegionError::WriteExceedsCapacity {
            data_length: data.len(),
            capacity,
        };
        let length = u32::try_from(data.len()).map_err(|_| too_big())?;
        if length > capacity {
            return Err(too_big());
        }
        memory.write(self.region.offset, data)?;
        let updated = Region {
            length,
            ..self.region
        };
        memory.write(self.ptr, &updated.to_le_bytes())?;
        self.region = updated;
        Ok(())
    }
}

/// Loads the region at `ptr` and copies its data into a new `Vec`, refusing
/// more than `limit_bytes`. The host's way to take an argument from a contract.
///
/// # Errors
/// Any error of [`GuestRegion::load`] or [`GuestRegion::read`].
pub fn read_region(
    memory: &dyn GuestMemory,
    ptr: u32,
    limit_bytes: usize,
) -> Result<Vec<u8>, RegionError> {
    GuestRegion::load(memory, ptr)?.read(memory, limit_bytes)
}

/// Like [`read_region`], but a null `ptr` means "no value" and gives
/// `Ok(None)` (CosmWasm uses this for the optional bounds of `db_scan`).
///
/// # Errors
/// Any error of [`read_region`].
pub fn read_optional_region(
    memory: &dyn GuestMemory,
    ptr: u32,
    limit_bytes: usize,
) -> Result<Option<Vec<u8>>, RegionError> {
    if ptr == 0 {
        return Ok(None);
    }
    read_region(memory, ptr, limit_bytes).map(Some)
}

/// Loads the region at `ptr` and copies its data into the front of `buf`,
/// returning its length; `buf.len()` is the limit.
///
/// # Errors
/// Any error of [`GuestRegion::load`] or [`GuestRegion::read_into`].
pub fn read_region_into(
    memory: &dyn GuestMemory,
    ptr: u32,
    buf: &mut [u8],
) -> Result<usize, RegionError> {
    GuestRegion::load(memory, ptr)?.read_into(memory, buf)
}

/// Loads the contract-allocated region at `ptr`, writes `data` into it and
/// sets its length. The host's way to return a value to a contract.
///
/// # Errors
/// Any error of [`GuestRegion::load`] or [`GuestRegion::write`]; on error
/// memory is unchanged.
pub fn write_region(memory: &dyn GuestMemory, ptr: u32, data: &[u8]) -> Result<(), RegionError> {
    GuestRegion::load(memory, ptr)?.write(memory, data)
}

#[cfg(test)]
mod tests;
