#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod backend;
mod code;
mod engine;
mod error;
mod gas;
mod lend;
mod nesting;

pub use code::{DEFAULT_GAS_LIMIT, NativeCode, WasmCode};
pub use cw_gas::{CwGas, NearGas};
pub use cw_host::EntryPoint;
pub use error::WasmCodeError;
pub use gas::{CallStatus, GasLog, GasRecord, GasStats, GasSummary};

/// Counters of the process-wide module cache (compiles, hits), to check
/// that a suite compiles each contract once.
///
/// # Errors
/// [`WasmCodeError::Compile`] if the engine could not be set up.
pub fn cache_metrics() -> Result<cw_runtime::CacheMetrics, WasmCodeError> {
    Ok(engine::engine()?.cache_metrics())
}
