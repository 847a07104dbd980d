//! The chain a NEAR call runs on: its settings, its natives, its Wasm
//! factory and its gas limit. The contract and the runner tests' host
//! chain are built here alike, so they differ only in where the state
//! lives.

use std::sync::Arc;

#[cfg(not(feature = "wasmi"))]
use cw_chain::NoWasmEngine;
use cw_chain::{BlockState, ChainBuilder, ChainState, ContractFactory, DEFAULT_TX_GAS_LIMIT};
#[cfg(feature = "natives")]
use cw_fallback::{VerifiedBuilds, VerifiedNatives};
use cw_gas::{CosmWasmSchedule, CwGas, NearGas};

use crate::api::NearChainApi;
use crate::state::{KvState, RawStorage};

/// What a NEAR call tells the chain: the block, and the gas it may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallContext {
    /// The NEAR block the call runs in (height, timestamp in nanoseconds)
    /// and the chain id (the contract's account).
    pub block: BlockState,
    /// The CosmWasm gas limit of the call's transaction.
    pub tx_gas_limit: CwGas,
}

/// The CosmWasm gas limit of a transaction in a NEAR call that was given
/// `prepaid` NEAR gas and has used `used` so far: what is left, translated
/// with cw-gas's rate and rounded down (a CosmWasm limit that never allows
/// more than the NEAR gas left), and never above the chain's
/// [`DEFAULT_TX_GAS_LIMIT`]. A transaction whose CosmWasm gas, translated
/// to NEAR gas, would exceed what the call has left runs out of gas: it
/// fails cleanly and the contract panics, so nothing is written.
#[must_use]
pub fn tx_gas_limit(prepaid: NearGas, used: NearGas) -> CwGas {
    let left = prepaid.saturating_sub(used).to_cw_gas_floor();
    if left < DEFAULT_TX_GAS_LIMIT {
        left
    } else {
        DEFAULT_TX_GAS_LIMIT
    }
}

/// What runs code that is not a verified native build: with the `wasmi`
/// feature, cw-wasmi's interpreter (the same results and CosmWasm gas as
/// the Wasmer path); without it nothing ([`NoWasmEngine`]), so such code is
/// refused when stored.
#[must_use]
pub fn wasm_factory() -> Arc<dyn ContractFactory<CosmWasmSchedule>> {
    #[cfg(feature = "wasmi")]
    {
        Arc::new(cw_wasmi::WasmiFactory::new(CosmWasmSchedule::default()))
    }
    #[cfg(not(feature = "wasmi"))]
    {
        Arc::new(NoWasmEngine)
    }
}

/// The chain of one call of the contract over its storage: as
/// [`chain_builder`], with the count of transactions in the block resumed
/// where the last call left it ([`KvState::tx_position`]; the call records
/// where it leaves it with [`KvState::set_tx_position`], so
/// `env.transaction.index` counts the block's transactions as on a chain),
/// and with the `wasmi` feature the interpreter's prepared code kept in
/// `state` beside the chain's
/// ([`PreparedWasmiFactory`](crate::PreparedWasmiFactory)), so a code is
/// prepared once, when stored, and only parsed on later calls.
#[must_use]
pub fn contract_chain_builder<S: RawStorage + 'static>(
    state: &KvState<S>,
    context: &CallContext,
) -> ChainBuilder<CosmWasmSchedule> {
    let mut builder = chain_builder(Box::new(state.clone()), context);
    if let Some((height, next)) = state.tx_position() {
        builder = builder.tx_position(height, next);
    }
    #[cfg(feature = "wasmi")]
    let builder = builder.wasm_factory(Arc::new(crate::PreparedWasmiFactory::new(
        CosmWasmSchedule::default(),
        state.clone(),
    )));
    builder
}

/// The chain of one call over `state`: cosmwasm-vm 3.0's gas schedule,
/// NEAR accounts as senders ([`NearChainApi`]), every published verified
/// build on its native emulator (cw-fallback), and [`wasm_factory`] for
/// the rest. Stored codes are trusted (validated when stored, loaded on
/// first use), since the chain is built again on every NEAR call.
#[must_use]
pub fn chain_builder(
    state: Box<dyn ChainState>,
    context: &CallContext,
) -> ChainBuilder<CosmWasmSchedule> {
    let builder = ChainBuilder::new(CosmWasmSchedule::default())
        .api(Arc::new(NearChainApi::default()))
        .block(context.block.clone())
        .tx_gas_limit(context.tx_gas_limit);
    #[cfg(feature = "natives")]
    let builder = builder.verified_natives(&VerifiedBuilds::published());
    builder
        .wasm_factory(wasm_factory())
        .state(state)
        .trust_stored_codes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_what_the_call_has_left() {
        let tgas = |t| NearGas::from_tgas(t).unwrap();
        assert_eq!(tx_gas_limit(tgas(30), tgas(10)), CwGas::new(20_000_000_000));
        assert_eq!(tx_gas_limit(tgas(10), tgas(30)), CwGas::new(0));
        assert_eq!(tx_gas_limit(tgas(1_000), tgas(0)), DEFAULT_TX_GAS_LIMIT);
        // Rounded down: 1,999 NEAR gas is 1 CosmWasm gas.
        assert_eq!(
            tx_gas_limit(NearGas::new(1_999), NearGas::new(0)),
            CwGas::new(1)
        );
    }
}
