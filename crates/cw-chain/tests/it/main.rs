//! cw-chain on its own, without a Wasm engine: native emulators (cw-fallback)
//! over the in-memory state and over a state of the test's own, and the
//! refusals of a chain that has no engine. The Wasm-against-native
//! comparisons need the engine and stay in cw-runtime's `chain_native.rs`.

mod native;
mod seams;

use std::sync::Arc;

use cw_chain::{Chain, ChainBuilder, ExecutionMode, Instantiate};
use cw_fallback::NativeKind;
use cw_gas::CosmWasmSchedule;
use serde_json::{Value, json};

/// A module that passes static validation; chains here register its
/// checksum as a verified build of an emulator.
fn stand_in(name: &str) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module
            (memory 1)
            (func (export "allocate") (param i32) (result i32) i32.const 0)
            (func (export "deallocate") (param i32))
            (func (export "interface_version_8"))
            (func (export "{name}")))"#
    ))
    .unwrap()
}

fn checksum(wasm: &[u8]) -> cw_host::Checksum {
    cw_host::Checksum::of(wasm)
}

/// A builder with the cw20 stand-in registered as cw20-base.
fn builder() -> ChainBuilder<CosmWasmSchedule> {
    ChainBuilder::new(CosmWasmSchedule::default())
        .native(checksum(&stand_in("cw20")), Arc::new(NativeKind::Cw20Base))
}

fn msg(value: Value) -> Vec<u8> {
    serde_json::to_vec(&value).unwrap()
}

/// Stores the cw20 stand-in natively and instantiates a token with 1000
/// for alice; returns (alice, bob, token).
fn token(chain: &Chain<CosmWasmSchedule>) -> (String, String, String) {
    let alice = chain.addr_make("alice").unwrap();
    let bob = chain.addr_make("bob").unwrap();
    let code = chain
        .store_code(&alice, &stand_in("cw20"), ExecutionMode::Native)
        .unwrap();
    let init = msg(json!({"name": "Token", "symbol": "TKN", "decimals": 6,
        "initial_balances": [{"address": alice, "amount": "1000"}],
        "mint": {"minter": alice, "cap": "5000"}}));
    let token = chain
        .instantiate(&Instantiate::new(code, &alice, &init, "t"))
        .expect("no node fault")
        .unwrap()
        .contract_address
        .unwrap();
    (alice, bob, token)
}

fn balance(chain: &Chain<CosmWasmSchedule>, token: &str, address: &str) -> Value {
    let answer = chain
        .query(token, &msg(json!({"balance": {"address": address}})))
        .expect("no node fault")
        .unwrap();
    serde_json::from_slice(&answer.data).unwrap()
}
