//! A cw20 token on the native emulator: results, events, gas, rollback.

use cw_chain::{ChainError, ExecutionMode};
use serde_json::json;

use super::{balance, builder, msg, stand_in, token};

#[test]
fn transfers_move_balances_and_report_events_and_gas() {
    let chain = builder().build().unwrap();
    let (alice, bob, token) = token(&chain);
    let done = chain
        .execute(
            &alice,
            &token,
            &msg(json!({"transfer": {"recipient": bob, "amount": "100"}})),
            &[],
        )
        .expect("no node fault")
        .unwrap();
    let types: Vec<&str> = done.events.iter().map(|e| e.ty.as_str()).collect();
    assert_eq!(types, ["execute", "wasm"]);
    assert_eq!(done.gas.calls.len(), 1);
    assert_eq!(done.gas.calls[0].entry, "execute");
    assert!(done.gas.cosmwasm().as_u64() > 0);
    assert_eq!(balance(&chain, &token, &bob), json!({"balance": "100"}));
    assert_eq!(balance(&chain, &token, &alice), json!({"balance": "900"}));
}

#[test]
fn a_failed_transaction_is_charged_and_leaves_the_state_as_it_was() {
    let chain = builder().build().unwrap();
    let (alice, bob, token) = token(&chain);
    let before = chain.dump();
    let failure = chain
        .execute(
            &bob,
            &token,
            &msg(json!({"transfer": {"recipient": alice, "amount": "1"}})),
            &[],
        )
        .expect("no node fault")
        .unwrap_err();
    assert!(
        matches!(
            &*failure.error,
            ChainError::Contract {
                entry: "execute",
                ..
            }
        ),
        "{failure}"
    );
    assert!(failure.gas.cosmwasm().as_u64() > 0);
    assert_eq!(chain.dump(), before);
}

#[test]
fn identical_chains_give_identical_bytes_and_gas() {
    let run = || {
        let chain = builder().build().unwrap();
        let (alice, bob, token) = token(&chain);
        let done = chain
            .execute(
                &alice,
                &token,
                &msg(json!({"transfer": {"recipient": bob, "amount": "7"}})),
                &[],
            )
            .expect("no node fault")
            .unwrap();
        (done, chain.dump())
    };
    assert_eq!(run(), run());
}

#[test]
fn native_mode_needs_a_verified_build() {
    let chain = builder().build().unwrap();
    let alice = chain.addr_make("alice").unwrap();
    let refused = chain
        .store_code(&alice, &stand_in("other"), ExecutionMode::Native)
        .unwrap_err();
    assert!(
        matches!(&refused, ChainError::StoreCode { reason } if reason.contains("no verified native emulator")),
        "{refused}"
    );
    // Auto runs a verified build natively.
    let code = chain
        .store_code(&alice, &stand_in("cw20"), ExecutionMode::Auto)
        .unwrap();
    assert!(chain.code_info(code).unwrap().1);
}

#[test]
fn without_a_wasm_factory_wasm_code_is_refused_when_stored() {
    let chain = builder().build().unwrap();
    let alice = chain.addr_make("alice").unwrap();
    for mode in [ExecutionMode::Wasm, ExecutionMode::Auto] {
        let refused = chain
            .store_code(&alice, &stand_in("other"), mode)
            .unwrap_err();
        assert!(
            matches!(&refused, ChainError::StoreCode { reason } if reason.contains("no Wasm engine")),
            "{refused}"
        );
    }
    // Static validation comes first, engine or not.
    let refused = chain
        .store_code(&alice, b"not wasm", ExecutionMode::Native)
        .unwrap_err();
    assert!(
        matches!(&refused, ChainError::StoreCode { reason } if reason.contains("invalid Wasm")),
        "{refused}"
    );
}
