//! A compiled Wasm contract behind the byte-boundary [`Contract`] trait.

use std::sync::Arc;

use cw_gas::CostTable;
use cw_host::{CallBackend, CallInput, CallOutcome, Contract, NodeFault, VmFailure};

use super::{InstanceOptions, InstancePool, PoolLimits};
use crate::compile::CompiledModule;
use crate::error::RuntimeError;

/// A Wasm contract as the chain layer calls it: every call runs on an
/// instance in its instantiated state (new, or reset), as on a chain, so no
/// call can see the guest memory or globals another call left (which would
/// make gas and results depend on history).
pub struct WasmContract<T: CostTable> {
    module: CompiledModule,
    pool: Arc<InstancePool<T>>,
}

impl<T: CostTable> WasmContract<T> {
    /// A contract over `module` that keeps one instance of its own and
    /// resets it before each call after the first.
    #[must_use]
    pub fn new(module: CompiledModule, options: InstanceOptions) -> Self {
        let limits = PoolLimits {
            per_module: 1,
            total: 1,
        };
        Self::pooled(module, Arc::new(InstancePool::new(options, limits)))
    }

    /// A contract over `module` taking its instances from `pool`, which
    /// other contracts may share.
    #[must_use]
    pub fn pooled(module: CompiledModule, pool: Arc<InstancePool<T>>) -> Self {
        Self { module, pool }
    }

    /// The module this contract runs.
    #[must_use]
    pub fn module(&self) -> &CompiledModule {
        &self.module
    }
}

impl<T: CostTable> std::fmt::Debug for WasmContract<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasmContract")
            .field("module", &self.module)
            .field("pool", &self.pool)
            .finish()
    }
}

impl<T: CostTable> Contract<T> for WasmContract<T> {
    fn call(
        &mut self,
        input: CallInput<'_>,
        backend: CallBackend<T>,
    ) -> (CallOutcome, CallBackend<T>) {
        let mut instance = match self.pool.checkout(&self.module) {
            Ok(instance) => instance,
            // The chain's limit and the contract's declaration: the same on
            // every node.
            Err(RuntimeError::MemoryLimit {
                initial_pages,
                limit_pages,
            }) => {
                let failure = VmFailure::MemoryLimit {
                    initial_pages,
                    limit_pages,
                };
                return (Ok(Err(failure)), backend);
            }
            Err(RuntimeError::Instantiate { message }) => {
                return (Ok(Err(VmFailure::Instantiate { message })), backend);
            }
            // Anything else is the node's (a mapping refused, a module
            // compiled without metering).
            Err(other) => {
                let fault = NodeFault::Engine {
                    message: other.to_string(),
                };
                return (Err(fault), backend);
            }
        };
        instance.call(input.entry, input.env, input.info, input.msg, backend)
    }
}
