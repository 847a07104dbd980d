//! [`NativeCode`]: a native contract through the same bridge as Wasm.

use std::fmt;
use std::sync::Arc;

use cw_gas::{CosmWasmSchedule, CwGas};
use cw_host::Contract as HostContract;

use crate::core::{Core, Runner};
use crate::gas::GasLog;

/// A native contract behind cw-host's entry-point trait (for example a
/// cw-fallback emulator, the published contract compiled natively) run
/// inside cw-multi-test exactly as [`WasmCode`](crate::WasmCode) runs Wasm: same JSON at
/// the boundary, same host functions, same gas records. Its purpose is
/// differential testing: one App script, two implementations.
#[derive(Clone)]
pub struct NativeCode {
    pub(crate) core: Core,
}

impl NativeCode {
    /// Runs each call on the contract `factory` makes, under `label`.
    pub fn new(
        label: impl Into<String>,
        factory: impl Fn() -> Box<dyn HostContract<CosmWasmSchedule> + Send> + Send + Sync + 'static,
    ) -> Self {
        Self {
            core: Core::new(label.into(), Runner::Native(Arc::new(factory)), None),
        }
    }

    /// The same contract reporting `checksum` as its code checksum (the
    /// Wasm build it stands for).
    #[must_use]
    pub fn with_checksum(mut self, checksum: cosmwasm_std::Checksum) -> Self {
        self.core.checksum = Some(checksum);
        self
    }

    /// As [`WasmCode::with_gas_limit`](crate::WasmCode::with_gas_limit).
    #[must_use]
    pub fn with_gas_limit(mut self, limit: CwGas) -> Self {
        self.core.gas_limit = limit;
        self
    }

    /// As [`WasmCode::with_gas_log`](crate::WasmCode::with_gas_log).
    #[must_use]
    pub fn with_gas_log(mut self, log: &GasLog) -> Self {
        self.core.log = log.clone();
        self
    }

    /// As [`WasmCode::gas_log`](crate::WasmCode::gas_log).
    #[must_use]
    pub fn gas_log(&self) -> GasLog {
        self.core.log.clone()
    }
}

impl fmt::Debug for NativeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NativeCode")
            .field("label", &self.core.label)
            .finish_non_exhaustive()
    }
}
