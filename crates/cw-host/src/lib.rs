#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod backend;
mod batch_rng;
mod checksum;
mod context;
mod entry;
mod error;
pub mod imports;
mod iterators;
pub mod limits;
mod memory;
#[cfg(feature = "wasmer")]
pub mod wasmer;

#[cfg(feature = "testing")]
pub mod testing;

pub use crate::backend::api::Api;
pub use crate::backend::bech32::{Bech32Api, DEFAULT_BECH32_PREFIX};
pub use crate::backend::near::NearApi;
pub use crate::backend::querier::{Querier, QueryOutcome};
pub use crate::backend::storage::{KeyRange, Order, RangeIter, Record, Storage, range};
pub use crate::checksum::Checksum;
pub use crate::context::{
    CallBackend, CallState, DebugHandler, DebugInfo, HostContext, TracingDebugHandler,
};
pub use crate::entry::{
    CallInput, CallOutcome, CallResult, Contract, EntryPoint, InfoArg, NodeFault, VmFailure,
};
pub use crate::error::{AddressError, BackendError, ExportProblem, HostError};
pub use crate::limits::HostLimits;
pub use crate::memory::{GuestAllocator, LentContext};
