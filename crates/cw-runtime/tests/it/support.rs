//! Test doubles shared by the runtime's integration tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;

use cosmwasm_std::testing::{message_info, mock_env};
use cosmwasm_std::{Addr, to_json_vec};
use cw_gas::{CosmWasmSchedule, CwGas, GasMeter};
use cw_host::wasmer::CallBackend;
use cw_host::{Bech32Api, CallState, EntryPoint, TracingDebugHandler};
use serde_json::json;

/// A store both the test and the contract see.
pub(crate) type Map = cw_host::testing::SharedStorage;

/// Everything in `map`, sorted by key.
pub(crate) fn dump(map: &Map) -> BTreeMap<Vec<u8>, Vec<u8>> {
    map.dump()
}

/// Stores `value` at `key` in `map`.
pub(crate) fn put(map: &Map, key: &[u8], value: &[u8]) {
    map.put(key, value);
}

/// A call backend over `map` with free storage and `gas_limit`.
pub(crate) fn backend(
    entry: EntryPoint,
    map: &Map,
    gas_limit: u64,
) -> CallBackend<CosmWasmSchedule> {
    CallBackend {
        storage: Box::new(map.clone()),
        api: Arc::new(Bech32Api::default()),
        querier: Box::new(cw_host::testing::MockQuerier::new()),
        gas: GasMeter::new(CosmWasmSchedule::with_free_storage(), CwGas::new(gas_limit)),
        call: CallState::for_entry_point(entry),
        debug: Box::new(TracingDebugHandler),
    }
}

/// cosmwasm-std's `mock_env()` as JSON.
pub(crate) fn env_bytes() -> Vec<u8> {
    to_json_vec(&mock_env()).unwrap()
}

/// A `MessageInfo` from `sender` without funds, as JSON.
pub(crate) fn info_bytes(sender: &str) -> Vec<u8> {
    to_json_vec(&message_info(&Addr::unchecked(sender), &[])).unwrap()
}

/// What one call gave: the result and the gas used.
pub(crate) type Outcome = (Result<Vec<u8>, cw_runtime::VmFailure>, u64);

/// One call of `entry` with `msg` on `instance` over `map`, with
/// `mock_env()`, `sender` (when the entry point takes info) and
/// `gas_limit`; the outcome never spends more than the limit.
pub(crate) fn call(
    instance: &mut cw_runtime::ContractInstance<CosmWasmSchedule>,
    map: &Map,
    entry: EntryPoint,
    msg: &str,
    sender: &str,
    gas_limit: u64,
) -> Outcome {
    let info = info_bytes(sender);
    let info = matches!(entry, EntryPoint::Instantiate | EntryPoint::Execute).then_some(&info[..]);
    let (result, backend) = instance.call(
        entry,
        &env_bytes(),
        info,
        msg.as_bytes(),
        backend(entry, map, gas_limit),
    );
    let used = backend.gas.used().as_u64();
    assert!(used <= gas_limit, "{used} gas used of {gas_limit}");
    (result.expect("no node fault"), used)
}

/// A cw20-base script from empty storage, as `(entry point, message)`:
/// instantiate (alice holds 1000000 and may mint), six executes as alice
/// (two transfers to bob, the second overdrawn; a burn, a mint, an
/// allowance, a transfer to an invalid address) and four queries.
pub(crate) fn cw20_steps() -> Vec<(EntryPoint, String)> {
    let api = Bech32Api::default();
    let alice = api.addr_make("alice").unwrap();
    let bob = api.addr_make("bob").unwrap();
    let mut steps = vec![(
        EntryPoint::Instantiate,
        json!({
            "name": "Steps", "symbol": "STEP", "decimals": 6,
            "initial_balances": [{"address": alice, "amount": "1000000"}],
            "mint": {"minter": alice, "cap": "9000000"},
        })
        .to_string(),
    )];
    for msg in [
        json!({"transfer": {"recipient": bob, "amount": "250"}}),
        json!({"transfer": {"recipient": bob, "amount": "99999999"}}),
        json!({"burn": {"amount": "17"}}),
        json!({"mint": {"recipient": bob, "amount": "42"}}),
        json!({"increase_allowance": {"spender": bob, "amount": "5"}}),
        json!({"transfer": {"recipient": "not-an-address", "amount": "1"}}),
    ] {
        steps.push((EntryPoint::Execute, msg.to_string()));
    }
    for msg in [
        json!({"balance": {"address": bob}}),
        json!({"token_info": {}}),
        json!({"all_accounts": {}}),
        json!({"allowance": {"owner": alice, "spender": bob}}),
    ] {
        steps.push((EntryPoint::Query, msg.to_string()));
    }
    steps
}
