//! One native call's shared state: the backend it runs against, a scratch
//! guest memory the imports work in, and the first failure the call met.
//!
//! **Every host access runs the real import.** The adapters do what
//! cosmwasm-std 2.3.6's `ExternalStorage`, `ExternalApi` and
//! `ExternalQuerier` do in the Wasm build: they put the arguments into
//! regions (here in a scratch [`GuestMemory`] instead of the contract's
//! memory) and call cw-host's import function (`imports::db_read`, ...)
//! with the call's [`HostContext`]. So the limits, the refusals (read-only,
//! key too long, too many iterators), the answers (an invalid address, a
//! query nested too deep), the order of charges and every price are the
//! imports' own, not a copy of them; only the gas the
//! guest spends around an import (building regions, `allocate`) is missing,
//! and that is part of the per-call estimate (see `gas.rs`).
//!
//! **Stopping.** A Wasm contract stops at the first import that traps.
//! Native code cannot be stopped inside a cosmwasm-std `Storage::get`, whose
//! signature has no error, so the first failure is recorded here and every
//! later access becomes a no-op (reads find nothing, writes are dropped,
//! nothing is charged). The contract then runs to its end on empty answers,
//! and the call reports the recorded failure instead of whatever the
//! contract returned. The store therefore holds exactly the writes made
//! before the failure, as with Wasm; rolling those back is the caller's job
//! (the chain layer checkpoints every call).

use core::cell::RefCell;

use cw_gas::{CostTable, GasError};
use cw_host::{CallBackend, GuestAllocator, HostContext, HostError, NodeFault, VmFailure, imports};
use cw_region::{GuestMemory, MemoryAccessError, Region, RegionError};

/// The backend of one call, its scratch memory and its failure slot. Shared
/// by reference between the storage, api and querier adapters.
pub(crate) struct Session<T: CostTable> {
    backend: RefCell<CallBackend<T>>,
    memory: ScratchMemory,
    /// The first failure: deterministic, or the node's fault.
    failure: RefCell<Option<Stop>>,
}

/// Why a call stopped before its end.
pub(crate) type Stop = Result<VmFailure, NodeFault>;

impl<T: CostTable> Session<T> {
    pub(crate) fn new(backend: CallBackend<T>) -> Self {
        Self {
            backend: RefCell::new(backend),
            memory: ScratchMemory::default(),
            failure: RefCell::new(None),
        }
    }

    /// Runs one import unless the call has already failed. The closure gets
    /// the import context, an empty scratch memory and its allocator. An
    /// error becomes the call's failure and `None`; so does a failure
    /// recorded earlier.
    pub(crate) fn import<R>(
        &self,
        run: impl FnOnce(
            &mut HostContext<'_, T>,
            &ScratchMemory,
            &mut Allocator<'_>,
        ) -> Result<R, HostError>,
    ) -> Option<R> {
        if self.has_failed() {
            return None;
        }
        self.memory.reset();
        let result = {
            let mut backend = self.backend.borrow_mut();
            let mut ctx = backend.context();
            let mut allocator = Allocator {
                memory: &self.memory,
            };
            run(&mut ctx, &self.memory, &mut allocator)
        };
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.stop(error.classify());
                None
            }
        }
    }

    /// Runs the `abort` import with `message`, as cosmwasm-std's panic
    /// handler does: the call fails with [`VmFailure::Aborted`] (or out of
    /// gas, if the import's own charges do not fit).
    pub(crate) fn abort(&self, message: &str) {
        self.import(|ctx, memory, _| -> Result<(), HostError> {
            let ptr = memory.place(message.as_bytes())?;
            match imports::abort(ctx, memory, ptr)? {}
        });
    }

    /// Records `failure` unless an earlier one is already recorded.
    pub(crate) fn fail(&self, failure: VmFailure) {
        self.stop(Ok(failure));
    }

    fn stop(&self, stop: Stop) {
        let mut slot = self.failure.borrow_mut();
        if slot.is_none() {
            *slot = Some(stop);
        }
    }

    pub(crate) fn has_failed(&self) -> bool {
        self.failure.borrow().is_some()
    }

    /// Gives `charge` the meter directly, for the charges the runtime makes
    /// outside any import (argument and result copies, the per-call
    /// estimate). Skipped, like any access, once the call has failed.
    pub(crate) fn charge(
        &self,
        charge: impl FnOnce(&mut cw_gas::GasMeter<T>) -> Result<(), GasError>,
    ) -> Option<()> {
        self.import(|ctx, _, _| Ok(charge(ctx.gas)?))
    }

    /// The backend and the first failure, if any.
    pub(crate) fn finish(self) -> (CallBackend<T>, Option<Stop>) {
        (self.backend.into_inner(), self.failure.into_inner())
    }
}

/// A guest memory of one import's arguments and results: a byte vector,
/// emptied before every import, in which regions are laid out the way
/// cosmwasm-std's allocator lays them out. Address 0 is never used.
#[derive(Debug, Default)]
pub(crate) struct ScratchMemory {
    bytes: RefCell<Vec<u8>>,
}

impl ScratchMemory {
    fn reset(&self) {
        let mut bytes = self.bytes.borrow_mut();
        bytes.clear();
        // Keep address 0 free: it means "null" to the region codec.
        bytes.push(0);
    }

    /// Appends a region of `capacity` bytes holding `data` and returns the
    /// address of its 12-byte descriptor.
    pub(crate) fn place_with_capacity(&self, data: &[u8], capacity: u32) -> Result<u32, HostError> {
        let too_big = || RegionError::WriteExceedsCapacity {
            data_length: data.len(),
            capacity,
        };
        let length = u32::try_from(data.len()).map_err(|_| too_big())?;
        if length > capacity {
            return Err(too_big().into());
        }
        let mut bytes = self.bytes.borrow_mut();
        let overflow = |offset| RegionError::CapacityOverflow { offset, capacity };
        let offset = u32::try_from(bytes.len()).map_err(|_| overflow(u32::MAX))?;
        let ptr = offset
            .checked_add(capacity)
            .ok_or_else(|| overflow(offset))?;
        ptr.checked_add(12).ok_or_else(|| overflow(offset))?;
        bytes.extend_from_slice(data);
        let end = bytes.len() + (capacity - length) as usize;
        bytes.resize(end, 0);
        let region = Region {
            offset,
            capacity,
            length,
        };
        bytes.extend_from_slice(&region.to_le_bytes());
        Ok(ptr)
    }

    /// A region holding exactly `data`.
    pub(crate) fn place(&self, data: &[u8]) -> Result<u32, HostError> {
        let capacity = u32::try_from(data.len()).unwrap_or(u32::MAX);
        self.place_with_capacity(data, capacity)
    }

    /// `data` as a region, or the null pointer for `None` (cosmwasm-std's
    /// `get_optional_region_address`).
    pub(crate) fn place_optional(&self, data: Option<&[u8]>) -> Result<u32, HostError> {
        data.map_or(Ok(0), |data| self.place(data))
    }

    /// The data of the region at `ptr`, which an import wrote.
    pub(crate) fn take(&self, ptr: u32) -> Result<Vec<u8>, HostError> {
        Ok(cw_region::read_region(self, ptr, usize::MAX)?)
    }
}

fn span(offset: u32, length: usize) -> Option<core::ops::Range<usize>> {
    let start = usize::try_from(offset).ok()?;
    Some(start..start.checked_add(length)?)
}

impl GuestMemory for ScratchMemory {
    fn size_bytes(&self) -> u64 {
        u64::try_from(self.bytes.borrow().len()).unwrap_or(u64::MAX)
    }

    fn read(&self, offset: u32, buf: &mut [u8]) -> Result<(), MemoryAccessError> {
        let bytes = self.bytes.borrow();
        let source = span(offset, buf.len())
            .and_then(|range| bytes.get(range))
            .ok_or_else(|| MemoryAccessError::new(offset, buf.len(), self.size_bytes()))?;
        buf.copy_from_slice(source);
        Ok(())
    }

    fn write(&self, offset: u32, data: &[u8]) -> Result<(), MemoryAccessError> {
        let size = self.size_bytes();
        let mut bytes = self.bytes.borrow_mut();
        let target = span(offset, data.len())
            .and_then(|range| bytes.get_mut(range))
            .ok_or_else(|| MemoryAccessError::new(offset, data.len(), size))?;
        target.copy_from_slice(data);
        Ok(())
    }
}

/// The scratch memory's allocator: a fresh empty region per request. It runs
/// no guest code, so it spends no gas (the Wasm build's `allocate` spends
/// operator gas, which the per-call estimate covers).
pub(crate) struct Allocator<'m> {
    memory: &'m ScratchMemory,
}

impl GuestAllocator for Allocator<'_> {
    fn allocate(&mut self, size: u32, _gas_left: &mut u64) -> Result<u32, HostError> {
        self.memory.place_with_capacity(&[], size)
    }
}
