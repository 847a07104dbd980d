#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod backend;
mod code;
mod contract;
mod core;
mod engine;
mod error;
mod gas;
mod lend;
mod native;
mod nesting;

pub use crate::code::WasmCode;
pub use crate::core::DEFAULT_GAS_LIMIT;
pub use crate::engine::CACHE_DIR_VAR;
pub use crate::error::WasmCodeError;
pub use crate::gas::{CallStatus, GasLog, GasRecord, GasStats, GasSummary};
pub use crate::native::NativeCode;
pub use cw_gas::{CwGas, NearGas};
pub use cw_host::EntryPoint;

/// Counters of the process-wide module cache (compiles, hits), to check
/// that a suite compiles each contract once.
///
/// # Errors
/// [`WasmCodeError::Compile`] if the engine could not be set up.
pub fn cache_metrics() -> Result<cw_runtime::CacheMetrics, WasmCodeError> {
    Ok(engine::engine()?.cache_metrics())
}
