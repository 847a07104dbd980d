//! What a wasmi store carries for one contract call: the call's backend,
//! the host-to-guest depth and the memory limit.

use cw_gas::CostTable;
use cw_host::limits::MAX_CALL_DEPTH;
use cw_host::{CallBackend, HostContext, HostError};

/// Where the call's backend is, as the call goes in and out of imports.
///
/// An import takes the backend out of the store for as long as it runs
/// (its context borrows it, outside the store, so guest code the import
/// runs cannot alias it). If it then runs guest code (the contract's
/// `allocate`, for its result), it lends its context, and imports that
/// guest code calls run against that context, as on the Wasmer path,
/// where they share the one backend.
pub(crate) enum CallSlot<T: CostTable> {
    /// No import is running: the backend is here.
    Here(CallBackend<T>),
    /// An import is running with the backend and runs no guest code.
    InImport,
    /// An import's result is being allocated by guest code: imports run
    /// against the lent context.
    Lent(LentPtr<T>),
}

/// The context an import lent while its result is allocated
/// ([`cw_host::LentContext`]).
pub(crate) struct LentPtr<T: CostTable>(pub(crate) *mut HostContext<'static, T>);

impl<T: CostTable> Clone for LentPtr<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: CostTable> Copy for LentPtr<T> {}

// SAFETY: the pointer is only dereferenced on the thread that runs the
// call (a wasmi store runs guest code on the thread that calls it), while
// the import that lent it waits in `allocate_lent`. It crosses no thread;
// `Send` is only asked for by wasmi's store bounds.
unsafe impl<T: CostTable> Send for LentPtr<T> {}
// SAFETY: as for `Send`: never shared across threads while it is valid.
unsafe impl<T: CostTable> Sync for LentPtr<T> {}

/// The data of a call's wasmi store.
pub(crate) struct StoreData<T: CostTable> {
    pub(crate) slot: CallSlot<T>,
    /// Host-to-guest calls running now, one inside the other.
    depth: u32,
    /// The memory limit.
    pub(crate) limits: wasmi::StoreLimits,
}

impl<T: CostTable> StoreData<T> {
    pub(crate) fn new(backend: CallBackend<T>, memory_limit_bytes: usize) -> Self {
        Self {
            slot: CallSlot::Here(backend),
            depth: 0,
            limits: wasmi::StoreLimitsBuilder::new()
                .memory_size(memory_limit_bytes)
                .build(),
        }
    }

    /// The backend, when no import is running.
    pub(crate) fn backend_mut(&mut self) -> Result<&mut CallBackend<T>, HostError> {
        match &mut self.slot {
            CallSlot::Here(backend) => Ok(backend),
            _ => Err(HostError::Bridge {
                problem: "the call's backend is lent to an import",
            }),
        }
    }

    /// The backend back out of the store.
    pub(crate) fn into_backend(self) -> Option<CallBackend<T>> {
        match self.slot {
            CallSlot::Here(backend) => Some(backend),
            _ => None,
        }
    }

    /// Enters one more host-to-guest level.
    ///
    /// # Errors
    /// [`HostError::CallDepth`] past [`MAX_CALL_DEPTH`]; the depth is then
    /// unchanged (cw-host's `CallDepth`, cosmwasm-vm's limit of 2).
    pub(crate) fn enter(&mut self) -> Result<(), HostError> {
        if self.depth >= MAX_CALL_DEPTH {
            return Err(HostError::CallDepth {
                limit: MAX_CALL_DEPTH,
            });
        }
        self.depth += 1;
        Ok(())
    }

    /// Leaves a level [`enter`](Self::enter) entered.
    pub(crate) fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }
}
