//! Guest memory and the guest allocator over a Wasmer instance.

use std::cell::RefCell;

use cw_gas::middleware::{points_exhausted, points_global_value};
use cw_region::{GuestMemory, MemoryAccessError};
use wasmer::{StoreMut, Value};

use super::env::InstanceHandles;
use super::export::GuestCallError;
use crate::error::HostError;
use crate::memory::GuestAllocator;

/// One instance's memory and `allocate` export, for the duration of one
/// import call. Memory views are made per access, so a memory grown by
/// `allocate` is always seen at its current size.
pub struct WasmerGuest<'a> {
    store: RefCell<StoreMut<'a>>,
    handles: InstanceHandles,
}

impl<'a> WasmerGuest<'a> {
    pub(crate) fn new(store: StoreMut<'a>, handles: InstanceHandles) -> Self {
        Self {
            store: RefCell::new(store),
            handles,
        }
    }

    /// The operator gas left in the instance, or `None` once it ran out:
    /// the exhausted flag is set, or the count went below zero (operators
    /// overspent since the last checked charge; see cw-gas's metering).
    pub(crate) fn points_left(&self) -> Option<u64> {
        let mut store = self.store.borrow_mut();
        let flag = match self.handles.exhausted.get(&mut *store) {
            Value::I32(v) => u64::from(v.unsigned_abs()),
            _ => return None,
        };
        let raw = match self.handles.remaining.get(&mut *store) {
            Value::I64(v) => u64::from_ne_bytes(v.to_ne_bytes()),
            _ => return None,
        };
        (!points_exhausted(flag, raw)).then_some(raw)
    }

    /// Sets the operator gas left in the instance and clears the exhausted flag.
    pub(crate) fn set_points_left(&self, points: u64) -> Result<(), HostError> {
        let mut store = self.store.borrow_mut();
        let value = Value::I64(points_global_value(points));
        let set = self
            .handles
            .remaining
            .set(&mut *store, value)
            .and_then(|()| self.handles.exhausted.set(&mut *store, Value::I32(0)));
        set.map_err(|_| HostError::Bridge {
            problem: "the metering globals are not mutable",
        })
    }
}

impl GuestMemory for WasmerGuest<'_> {
    fn size_bytes(&self) -> u64 {
        let store = self.store.borrow();
        self.handles.memory.view(&*store).data_size()
    }

    fn read(&self, offset: u32, buf: &mut [u8]) -> Result<(), MemoryAccessError> {
        let store = self.store.borrow();
        let view = self.handles.memory.view(&*store);
        view.read(u64::from(offset), buf)
            .map_err(|_| MemoryAccessError::new(offset, buf.len(), view.data_size()))
    }

    fn write(&self, offset: u32, data: &[u8]) -> Result<(), MemoryAccessError> {
        let store = self.store.borrow();
        let view = self.handles.memory.view(&*store);
        view.write(u64::from(offset), data)
            .map_err(|_| MemoryAccessError::new(offset, data.len(), view.data_size()))
    }
}

/// `allocate` runs guest code: the guest gets `gas_left` to spend and
/// reports what is left, also when it traps.
impl GuestAllocator for &WasmerGuest<'_> {
    fn allocate(&mut self, size: u32, gas_left: &mut u64) -> Result<u32, HostError> {
        self.set_points_left(*gas_left)?;
        let result = {
            let mut store = self.store.borrow_mut();
            // Export problems and the depth limit are refused before any
            // guest code runs, as cosmwasm-vm's `call_function` refuses.
            self.handles
                .allocate
                .call(&mut *store, &self.handles.depth, size)
        };
        let Some(left) = self.points_left() else {
            // Out of gas, even if `allocate` returned: the caller reports it.
            *gas_left = 0;
            return Err(HostError::AllocatorOutOfGas { size });
        };
        *gas_left = left;
        result.map_err(|e| match e {
            GuestCallError::Host(problem) => problem,
            GuestCallError::Runtime(e) => match e.downcast::<HostError>() {
                // An import inside `allocate` failed: that failure is the
                // cause, handed up as it is (moved, never copied into a
                // message, so nesting costs nothing per level).
                Ok(inner) => inner,
                Err(e) => HostError::Allocation {
                    size,
                    message: e.message(),
                },
            },
        })
    }
}
