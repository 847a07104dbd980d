#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

#[cfg(feature = "engine")]
pub mod cache;
#[cfg(feature = "engine")]
pub mod compile;
mod error;
#[cfg(feature = "engine")]
pub mod instance;
pub mod validate;

#[cfg(feature = "engine")]
pub use cache::{CacheMetrics, CacheTier, ModuleCache};
#[cfg(feature = "engine")]
pub use compile::{Checksum, CompileConfig, CompiledModule, compile};
#[cfg(feature = "engine")]
pub use cw_host::{CallResult, VmFailure};
pub use error::{RuntimeError, ValidationError};
#[cfg(feature = "engine")]
pub use instance::{ContractInstance, InstanceOptions, WasmContract};
pub use validate::{ModuleInfo, ValidationConfig, validate};
