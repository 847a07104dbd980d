#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod api;
mod error;
pub mod ops;
#[cfg(feature = "wasmi")]
mod prepared;
mod setup;
mod state;

#[cfg(target_arch = "wasm32")]
mod contract;

pub use crate::api::{DEFAULT_CONTRACT_PREFIX, NearChainApi};
pub use crate::error::NearError;
#[cfg(feature = "wasmi")]
pub use crate::prepared::PreparedWasmiFactory;
pub use crate::setup::{
    CallContext, chain_builder, contract_chain_builder, tx_gas_limit, wasm_factory,
};
pub use crate::state::{KvState, MAX_PAGE_KEYS, MemoryRaw, RawStorage};
