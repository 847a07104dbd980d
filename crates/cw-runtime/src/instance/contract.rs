//! A compiled Wasm contract behind the byte-boundary [`Contract`] trait.

use cw_gas::CostTable;
use cw_host::{CallBackend, CallInput, CallResult, Contract, HostError, VmFailure};

use super::{ContractInstance, InstanceOptions};
use crate::compile::CompiledModule;
use crate::error::RuntimeError;

/// A Wasm contract as the chain layer calls it: keeps one instance and
/// replaces it with a fresh one after a call that trapped, so a failed call
/// never affects the next.
pub struct WasmContract<T: CostTable> {
    module: CompiledModule,
    options: InstanceOptions,
    instance: Option<ContractInstance<T>>,
}

impl<T: CostTable> WasmContract<T> {
    /// A contract over `module`; the instance is made on the first call.
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
        if self
            .instance
            .as_ref()
            .is_none_or(ContractInstance::is_poisoned)
        {
            self.instance = None;
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
