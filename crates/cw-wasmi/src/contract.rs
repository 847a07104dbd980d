//! A wasmi contract behind cw-host's byte-boundary [`Contract`] trait.

use std::sync::Arc;

use cw_gas::CostTable;
use cw_host::{CallBackend, CallInput, CallOutcome, Contract};

use crate::instance::{InstanceOptions, call};
use crate::module::WasmiModule;

/// A contract on wasmi as the chain layer calls it: every call runs on a
/// new instance of the module (as on a chain, no call sees the memory or
/// globals another left), with the Wasmer path's call protocol, gas and
/// failures.
pub struct WasmiContract<T: CostTable> {
    module: Arc<WasmiModule<T>>,
    options: InstanceOptions,
}

impl<T: CostTable> WasmiContract<T> {
    /// A contract over `module` whose instances get `options`.
    #[must_use]
    pub fn new(module: Arc<WasmiModule<T>>, options: InstanceOptions) -> Self {
        Self { module, options }
    }

    /// The module this contract runs.
    #[must_use]
    pub fn module(&self) -> &Arc<WasmiModule<T>> {
        &self.module
    }
}

impl<T: CostTable> core::fmt::Debug for WasmiContract<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("WasmiContract")
            .field("module", &self.module)
            .field("options", &self.options)
            .finish()
    }
}

impl<T: CostTable> Contract<T> for WasmiContract<T> {
    fn call(
        &mut self,
        input: CallInput<'_>,
        backend: CallBackend<T>,
    ) -> (CallOutcome, CallBackend<T>) {
        call(
            &self.module,
            &self.options,
            input.entry,
            input.env,
            input.info,
            input.msg,
            backend,
        )
    }
}
