//! The [`Querier`] trait: chain queries (`query_chain`).

use cw_gas::CwGas;

use crate::error::BackendError;

/// What a query returned, with the gas it used either way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryOutcome {
    /// The JSON of a `SystemResult<ContractResult<Binary>>` (as cosmwasm-std
    /// serializes it), or a backend fault.
    pub result: Result<Vec<u8>, BackendError>,
    /// CosmWasm gas the query used, also when it failed. It may exceed the
    /// limit if the query could not be stopped exactly there.
    pub gas_used: CwGas,
}

/// Answers a contract's chain queries (bank, staking, wasm smart and raw
/// queries, custom queries).
///
/// A query that fails in a way the contract can handle (no such contract,
/// unsupported request, an error from the queried contract) is an `Ok`
/// result holding a `SystemResult` or `ContractResult` error. An `Err` is a
/// backend fault and ends the call; a query that ran out of its gas limit
/// should report [`BackendError::OutOfGas`] with `gas_used` above the limit.
pub trait Querier {
    /// Runs the raw JSON `QueryRequest` `request` with at most `gas_limit`
    /// CosmWasm gas. `depth` is the nesting depth the query runs at (1 for a
    /// query made by a top-level call); a querier that calls another contract
    /// gives that call this depth, so the nested call's own queries are
    /// counted against [`HostLimits::max_query_depth`](crate::HostLimits::max_query_depth).
    fn query_raw(&self, request: &[u8], gas_limit: CwGas, depth: u32) -> QueryOutcome;
}
