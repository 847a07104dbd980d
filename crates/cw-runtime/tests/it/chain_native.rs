//! The chain running cw20-base natively (cw-fallback) next to the Wasm
//! build: same results, events and state for the same transactions, so a
//! contract's state can move between native and Wasm execution.

use cw_fallback::VerifiedBuilds;
use cw_gas::CosmWasmSchedule;
use cw_runtime::chain::{ChainError, ExecutionMode, Instantiate};
use cw_runtime::{Chain, ChainBuilder};
use serde_json::{Value, json};

fn verified() -> VerifiedBuilds {
    let manifest = tests::all_fixtures();
    VerifiedBuilds::from_named_checksums(
        manifest
            .fixtures
            .iter()
            .map(|f| (f.name.as_str(), f.sha256.as_str())),
    )
    .unwrap()
}

fn chain() -> Chain<CosmWasmSchedule> {
    ChainBuilder::new(CosmWasmSchedule::default())
        .verified_natives(&verified())
        .build()
        .unwrap()
}

fn msg(value: Value) -> Vec<u8> {
    serde_json::to_vec(&value).unwrap()
}

/// Every result of a flow, the final state, and whether the code ran natively.
type Flow = (Vec<String>, Vec<(Vec<u8>, Vec<u8>)>, bool);

/// Runs a cw20 flow on a chain where cw20 runs in `mode`; returns every
/// result (data, events or error) and the final state.
fn cw20_flow(mode: ExecutionMode) -> Flow {
    let chain = chain();
    let alice = chain.addr_make("alice").unwrap();
    let bob = chain.addr_make("bob").unwrap();
    let code = chain
        .store_code(&alice, &tests::fixture_bytes("cw20_base"), mode)
        .unwrap();
    let native = chain.code_info(code).unwrap().1;
    let init = msg(json!({"name": "Token", "symbol": "TKN", "decimals": 6,
        "initial_balances": [{"address": alice, "amount": "1000"}],
        "mint": {"minter": alice, "cap": "5000"}}));
    let token = chain
        .instantiate(&Instantiate::new(code, &alice, &init, "t"))
        .expect("no node fault")
        .unwrap()
        .contract_address
        .unwrap();
    let steps = [
        (
            alice.clone(),
            json!({"transfer": {"recipient": bob, "amount": "100"}}),
        ),
        (
            bob.clone(),
            json!({"transfer": {"recipient": alice, "amount": "101"}}),
        ),
        (
            alice.clone(),
            json!({"increase_allowance": {"spender": bob, "amount": "50"}}),
        ),
        (
            bob.clone(),
            json!({"transfer_from": {"owner": alice, "recipient": bob, "amount": "20"}}),
        ),
        (
            bob.clone(),
            json!({"mint": {"recipient": bob, "amount": "1"}}),
        ),
        (alice.clone(), json!({"burn": {"amount": "30"}})),
    ];
    let mut results = Vec::new();
    for (sender, body) in steps {
        let outcome = chain
            .execute(&sender, &token, &msg(body), &[])
            .expect("no node fault");
        results.push(match outcome {
            Ok(done) => format!("ok data={:?} events={:?}", done.data, done.events),
            Err(failure) => format!("error {}", failure.error),
        });
    }
    let query = chain
        .query(&token, &msg(json!({"balance": {"address": bob}})))
        .expect("no node fault")
        .map(|a| String::from_utf8(a.data).unwrap());
    results.push(format!("{query:?}"));
    (results, chain.dump(), native)
}

#[test]
fn native_and_wasm_cw20_give_the_same_results_and_state() {
    let (wasm, wasm_state, wasm_native) = cw20_flow(ExecutionMode::Wasm);
    let (native, native_state, native_native) = cw20_flow(ExecutionMode::Native);
    assert!(!wasm_native && native_native);
    assert_eq!(wasm, native);
    assert_eq!(wasm_state, native_state);
    assert!(wasm.iter().any(|r| r.starts_with("error")), "{wasm:?}");
}

#[test]
fn auto_runs_natively_only_for_verified_builds() {
    let chain = chain();
    let alice = chain.addr_make("alice").unwrap();
    let cw20 = chain
        .store_code(
            &alice,
            &tests::fixture_bytes("cw20_base"),
            ExecutionMode::Auto,
        )
        .unwrap();
    assert!(
        chain.code_info(cw20).unwrap().1,
        "the fixture is a verified build"
    );
    let probe = chain
        .store_code(&alice, &tests::fixture_bytes("probe"), ExecutionMode::Auto)
        .unwrap();
    assert!(
        !chain.code_info(probe).unwrap().1,
        "no emulator for the probe"
    );
    let refused = chain
        .store_code(
            &alice,
            &tests::fixture_bytes("probe"),
            ExecutionMode::Native,
        )
        .unwrap_err();
    assert!(
        matches!(&refused, ChainError::StoreCode { reason } if reason.contains("no verified native emulator")),
        "{refused}"
    );
}
