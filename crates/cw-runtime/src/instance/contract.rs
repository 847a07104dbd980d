//! A compiled Wasm contract behind the byte-boundary [`Contract`] trait.

use cw_gas::CostTable;
use cw_host::{CallBackend, CallInput, CallResult, Contract, HostError, VmFailure};

use super::{ContractInstance, InstanceOptions};
use crate::compile::CompiledModule;
use crate::error::RuntimeError;

/// A Wasm contract as the chain layer calls it: every call runs on a fresh
/// instance of the module, as on a chain, so no call can see the guest
/// memory or globals another call left (which would make gas and results
/// depend on history).
pub struct WasmContract<T: CostTable> {
    module: CompiledModule,
    options: InstanceOptions,
    instance: Option<ContractInstance<T>>,
}

impl<T: CostTable> WasmContract<T> {
    /// A contract over `module`; each call makes its own instance.
    #[must_use]
    pub fn new(module: CompiledModule, options: InstanceOptions) -> Self {
        Self {
            module,
            options,
            instance: None,
        }
    }

    /// The module this contract runs.
    #[must_use]
    pub fn module(&self) -> &CompiledModule {
        &self.module
    }

    fn instance(&mut self) -> Result<&mut ContractInstance<T>, VmFailure> {
        self.instance = None;
        {
            let fresh =
                ContractInstance::new(&self.module, &self.options).map_err(|e| match e {
                    RuntimeError::Instantiate { message } => VmFailure::Instantiate { message },
                    other => VmFailure::Instantiate {
                        message: other.to_string(),
                    },
                })?;
            self.instance = Some(fresh);
        }
        self.instance
            .as_mut()
            .ok_or(VmFailure::Host(HostError::Bridge {
                problem: "the instance vanished",
            }))
    }
}

impl<T: CostTable> std::fmt::Debug for WasmContract<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasmContract")
            .field("module", &self.module)
            .field("options", &self.options)
            .field("has_instance", &self.instance.is_some())
            .finish()
    }
}

impl<T: CostTable> Contract<T> for WasmContract<T> {
    fn call(
        &mut self,
        input: CallInput<'_>,
        backend: CallBackend<T>,
    ) -> (CallResult, CallBackend<T>) {
        let instance = match self.instance() {
            Ok(instance) => instance,
            Err(failure) => return (Err(failure), backend),
        };
        instance.call(input.entry, input.env, input.info, input.msg, backend)
    }
}
