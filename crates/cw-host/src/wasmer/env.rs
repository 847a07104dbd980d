//! The state a Wasmer instance's imports run on.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use cw_gas::CostTable;
use cw_gas::middleware::{POINTS_EXHAUSTED_EXPORT, REMAINING_POINTS_EXPORT};
use wasmer::{Global, Instance, Memory};

use super::export::GuestFunction;

use crate::context::CallBackend;
use crate::error::HostError;

/// Handles into one instance the imports need.
#[derive(Clone)]
pub(crate) struct InstanceHandles {
    pub memory: Memory,
    pub allocate: GuestFunction<u32>,
    pub remaining: Global,
    pub exhausted: Global,
    pub depth: CallDepth,
}

/// How many host-to-guest calls of one instance are running, one inside
/// the other. Shared by the runtime (entry points, its `allocate` and
/// `deallocate`) and the imports (`allocate` for results), which enter it
/// before every call into the guest.
#[derive(Debug, Clone, Default)]
pub struct CallDepth(Arc<AtomicU32>);

impl CallDepth {
    /// Enters one more level, until the returned guard drops.
    ///
    /// # Errors
    /// [`HostError::CallDepth`] past
    /// [`MAX_CALL_DEPTH`](crate::limits::MAX_CALL_DEPTH); the depth is then
    /// unchanged.
    pub fn enter(&self) -> Result<CallDepthGuard, HostError> {
        let limit = crate::limits::MAX_CALL_DEPTH;
        let entered = self
            .0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |depth| {
                (depth < limit).then_some(depth + 1)
            });
        match entered {
            Ok(_) => Ok(CallDepthGuard(self.clone())),
            Err(_) => Err(HostError::CallDepth { limit }),
        }
    }

    /// The levels running now.
    pub fn current(&self) -> u32 {
        self.0.load(Ordering::Relaxed)
    }
}

/// One level of [`CallDepth`], left when dropped (also when the guest
/// call it guards trapped).
#[derive(Debug)]
pub struct CallDepthGuard(CallDepth);

impl Drop for CallDepthGuard {
    fn drop(&mut self) {
        self.0.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The Wasmer function environment of one contract instance.
///
/// Imports must exist before the instance does, and the memory and
/// `allocate` export only after, so the handles are bound once right after
/// instantiation ([`HostEnv::bind`]); the backend is present only during a
/// call ([`HostEnv::begin`] / [`HostEnv::end`]). An import running outside
/// either (only possible from a start function, which runs during
/// instantiation) fails with [`HostError::Bridge`], never a panic.
pub struct HostEnv<T: CostTable> {
    pub(crate) handles: Option<InstanceHandles>,
    pub(crate) backend: Option<CallBackend<T>>,
    depth: CallDepth,
}

impl<T: CostTable> Default for HostEnv<T> {
    fn default() -> Self {
        Self {
            handles: None,
            backend: None,
            depth: CallDepth::default(),
        }
    }
}

impl<T: CostTable> HostEnv<T> {
    /// Binds the instance's memory, its `allocate` export (found by the
    /// caller, who holds the store; a missing or mistyped one fails when an
    /// import calls it) and its metering globals.
    ///
    /// # Errors
    /// [`HostError::Bridge`] if the instance lacks one of them (the module was
    /// not compiled with the metering middleware, or is not a contract).
    pub fn bind(
        &mut self,
        instance: &Instance,
        allocate: GuestFunction<u32>,
    ) -> Result<(), HostError> {
        let missing = |problem| HostError::Bridge { problem };
        let exports = &instance.exports;
        let memory = exports
            .get_memory("memory")
            .map_err(|_| missing("the instance exports no memory"))?
            .clone();
        let remaining = exports
            .get_global(REMAINING_POINTS_EXPORT)
            .map_err(|_| missing("the module was compiled without metering"))?
            .clone();
        let exhausted = exports
            .get_global(POINTS_EXHAUSTED_EXPORT)
            .map_err(|_| missing("the module was compiled without metering"))?
            .clone();
        self.handles = Some(InstanceHandles {
            memory,
            allocate,
            remaining,
            exhausted,
            depth: self.depth.clone(),
        });
        Ok(())
    }

    /// The instance's host-to-guest call depth: whoever calls into the
    /// guest (an entry point, `allocate`, `deallocate`) enters it first.
    pub fn call_depth(&self) -> CallDepth {
        self.depth.clone()
    }

    /// Starts a call: the imports now run against `backend`.
    pub fn begin(&mut self, backend: CallBackend<T>) {
        self.backend = Some(backend);
    }

    /// Ends a call and returns its backend (with the meter as the call left it).
    pub fn end(&mut self) -> Option<CallBackend<T>> {
        self.backend.take()
    }

    /// The backend of the call in progress.
    pub fn backend_mut(&mut self) -> Option<&mut CallBackend<T>> {
        self.backend.as_mut()
    }
}
