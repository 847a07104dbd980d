#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

// Instances map their memory with POSIX calls (see `instance::memory`).
#[cfg(all(feature = "engine", not(unix)))]
compile_error!("the `engine` feature needs a Unix target (Linux or macOS)");

// Private modules: what a user needs is re-exported below, by name.
#[cfg(feature = "engine")]
mod cache;
#[cfg(feature = "engine")]
mod compile;
#[cfg(feature = "engine")]
mod engine;
mod error;
#[cfg(feature = "engine")]
mod instance;

#[cfg(feature = "engine")]
pub use cache::{CacheMetrics, CacheTier, DiskTrustError, ModuleCache, TierUp};
#[cfg(feature = "engine")]
mod wasm_chain;

/// The chain layer: the `cw-chain` crate, with [`ChainBuilder`] wiring in
/// this crate's Wasm engine ([`WasmFactory`]).
pub mod chain {
    #[cfg(feature = "engine")]
    pub use crate::wasm_chain::{ChainBuilder, WasmFactory};
    pub use cw_chain::*;
}
pub use chain::{
    Chain, ChainBuilder, ChainError, ExecutionMode, Instantiate, TxFailure, TxResult, TxSuccess,
};
#[cfg(feature = "engine")]
pub use compile::{
    Checksum, CompileConfig, CompiledModule, Compiler, MODULE_FORMAT_VERSION, compile, compile_with,
};
/// The cw-gas and cw-host types this crate's API takes and returns, so a
/// user of the facade needs no other import for them.
pub use cw_gas::{CosmWasmSchedule, CostTable, CwGas, GasReport, NearGas, NearSchedule};
pub use cw_host::{CallBackend, CallInput, Contract, EntryPoint, HostError};
pub use cw_host::{CallOutcome, CallResult, NodeFault, VmFailure};
/// Static validation (the `cw-validate` crate): `cw_runtime::validate::DEFAULT_CAPABILITIES` and friends.
pub use cw_validate as validate;
pub use cw_validate::{ModuleInfo, ValidationConfig, validate};
pub use error::{RuntimeError, ValidationError};
#[cfg(feature = "engine")]
pub use instance::{
    ContractInstance, InstanceOptions, InstancePool, PoolLimits, PoolMetrics, PooledInstance,
    RETAINED_GROWN_BYTES, WasmContract,
};

/// Engine construction for the benches and the gas tests that build engines
/// around cw-gas's middlewares by hand. Not part of the supported API.
#[cfg(feature = "engine")]
#[doc(hidden)]
pub mod internals {
    pub use crate::engine::{engine_with, singlepass_engine};
}
#[cfg(feature = "engine")]
pub use wasm_chain::WasmFactory;
