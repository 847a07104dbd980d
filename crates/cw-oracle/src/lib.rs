#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod acceptance;
mod bump;
pub mod canary;
pub mod contract;
pub mod contract_diff;
pub mod crypto;
pub mod memory_diff;
pub mod memory_program;
pub mod ours;
pub mod outcome;
pub mod querier;
pub mod reference;

pub use contract::ContractCase;
pub use contract_diff::{ContractDiff, Verdict};
pub use memory_diff::MemoryDiff;
pub use memory_program::{MemoryOp, MemoryProgram, Step};
pub use ours::Ours;
pub use outcome::{Divergence, Failure, Observed, compare};
pub use reference::{Reference, ReferenceStore};

use cw_host::EntryPoint;

/// One entry-point call, as both runtimes take it.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    /// The entry point.
    pub entry: EntryPoint,
    /// `Env` JSON.
    pub env: &'a [u8],
    /// `MessageInfo` JSON for instantiate and execute, `MigrateInfo` JSON
    /// for a migrate that passes it; `None` otherwise.
    pub info: Option<&'a [u8]>,
    /// The message bytes.
    pub msg: &'a [u8],
    /// The CosmWasm gas the call may use.
    pub gas_limit: u64,
}

/// cosmwasm-std's `mock_env()` as JSON: the env of every comparison that
/// does not bring its own.
pub fn mock_env_bytes() -> Vec<u8> {
    cosmwasm_std::to_json_vec(&cosmwasm_std::testing::mock_env()).unwrap_or_default()
}

/// A `MessageInfo` from `sender` without funds, as JSON.
pub fn info_bytes(sender: &str) -> Vec<u8> {
    let info = cosmwasm_std::testing::message_info(&cosmwasm_std::Addr::unchecked(sender), &[]);
    cosmwasm_std::to_json_vec(&info).unwrap_or_default()
}
