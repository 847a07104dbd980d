#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

// Instances map their memory with POSIX calls (see `instance::memory`).
#[cfg(all(feature = "engine", not(unix)))]
compile_error!("the `engine` feature needs a Unix target (Linux or macOS)");

#[cfg(feature = "engine")]
pub mod cache;
#[cfg(feature = "engine")]
pub mod compile;
#[cfg(feature = "engine")]
pub mod engine;
mod error;
#[cfg(feature = "engine")]
pub mod instance;

#[cfg(feature = "engine")]
pub use cache::{CacheMetrics, CacheTier, ModuleCache, TierUp};
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
pub use compile::{Checksum, CompileConfig, CompiledModule, Compiler, compile, compile_with};
pub use cw_host::{CallOutcome, CallResult, NodeFault, VmFailure};
/// Static validation (the `cw-validate` crate): `cw_runtime::validate::DEFAULT_CAPABILITIES` and friends.
pub use cw_validate as validate;
pub use cw_validate::{ModuleInfo, ValidationConfig, validate};
pub use error::{RuntimeError, ValidationError};
#[cfg(feature = "engine")]
pub use instance::{
    ContractInstance, InstanceOptions, InstancePool, PoolLimits, PoolMetrics, PooledInstance,
    WasmContract,
};
#[cfg(feature = "engine")]
pub use wasm_chain::WasmFactory;
