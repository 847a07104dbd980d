//! Item 10: contracts that send messages in a loop, through the chain
//! layer: the probe's `ping_self` (a plain message executing itself
//! again), and two probes dispatching to each other as submessages whose
//! every level writes storage. Each loop ends at the chain's call-depth
//! limit with the same typed error and the same gas on every run; nothing
//! any level wrote remains; the next normal call works.

use cosmwasm_std::Binary;
use cw_gas::CosmWasmSchedule;
use cw_runtime::chain::{
    ChainError, DEFAULT_MAX_CALL_DEPTH, ExecutionMode, Instantiate, TxFailure,
};
use cw_runtime::{Chain, ChainBuilder};
use serde_json::{Value, json};

fn msg(value: Value) -> Vec<u8> {
    serde_json::to_vec(&value).unwrap()
}

fn b64(value: Value) -> String {
    Binary::from(msg(value)).to_base64()
}

struct World {
    chain: Chain<CosmWasmSchedule>,
    alice: String,
    a: String,
    b: String,
}

fn world() -> World {
    let chain = ChainBuilder::new(CosmWasmSchedule::default())
        .build()
        .unwrap();
    let alice = chain.addr_make("alice").unwrap();
    let code = chain
        .store_code(&alice, &tests::fixture_bytes("probe"), ExecutionMode::Wasm)
        .unwrap();
    let init = msg(json!({}));
    let make = || {
        chain
            .instantiate(&Instantiate::new(code, &alice, &init, "loop"))
            .expect("no node fault")
            .unwrap()
            .contract_address
            .unwrap()
    };
    let a = make();
    let b = make();
    World { chain, alice, a, b }
}

/// Unwraps the `submessages:` layers; returns the innermost error and how
/// many layers there were.
fn innermost(failure: &TxFailure) -> (&ChainError, u32) {
    let mut error = &*failure.error;
    let mut layers = 0;
    while let ChainError::SubMessage(inner) = error {
        error = inner;
        layers += 1;
    }
    (error, layers)
}

fn assert_next_call_works(w: &World) {
    let write = msg(json!({"write": {"key": "aw==", "value": "dg=="}}));
    w.chain
        .execute(&w.alice, &w.a, &write, &[])
        .expect("no node fault")
        .unwrap();
}

#[test]
fn a_contract_executing_itself_forever_stops_at_the_call_depth_limit() {
    let mut gas = Vec::new();
    for _ in 0..2 {
        let w = world();
        let before = w.chain.dump();
        let failure = w
            .chain
            .execute(&w.alice, &w.a, &msg(json!({"ping_self": {}})), &[])
            .expect("no node fault")
            .unwrap_err();
        let (error, layers) = innermost(&failure);
        assert_eq!(
            error,
            &ChainError::CallDepth {
                limit: DEFAULT_MAX_CALL_DEPTH
            }
        );
        assert_eq!(layers, DEFAULT_MAX_CALL_DEPTH);
        assert_eq!(w.chain.dump(), before);
        gas.push(failure.gas.cosmwasm());
        assert_next_call_works(&w);
    }
    assert_eq!(gas[0], gas[1], "same gas every run");
    println!(
        "HOSTILE item 10 ping_self: CallDepth at {DEFAULT_MAX_CALL_DEPTH}, gas {}",
        gas[0]
    );
}

/// `a` dispatches to `b`, which dispatches back to `a`, ..., each level
/// first writing a key (`receive` stores its message); the innermost level
/// runs `bottom`. Each level nests the next as base64, so the message grows
/// by 4/3 per level: deep loops are `ping_self`'s job.
fn ping_pong(w: &World, depth: usize, bottom: Value) -> Value {
    let mut inner = bottom;
    for level in 0..depth {
        let target = if level % 2 == 0 { &w.b } else { &w.a };
        let sub = json!({
            "id": level,
            "msg": {"wasm": {"execute": {"contract_addr": target, "msg": b64(inner), "funds": []}}},
            "gas_limit": null,
            "reply_on": "never"
        });
        inner = json!({"receive": {"sender": "loop", "amount": "1",
            "msg": b64(json!({"dispatch": {"messages": [sub]}}))}});
    }
    inner
}

#[test]
fn two_contracts_messaging_each_other_roll_back_every_level() {
    let w = world();
    let before = w.chain.dump();
    // Six levels, each writing; the innermost fails: nothing remains.
    let fails = ping_pong(&w, 6, json!({"fail": {"msg": "bottom"}}));
    let failure = w
        .chain
        .execute(&w.alice, &w.a, &msg(fails), &[])
        .expect("no node fault")
        .unwrap_err();
    let (error, layers) = innermost(&failure);
    assert!(
        matches!(error, ChainError::Contract { message, .. } if message.contains("bottom")),
        "{error:?}"
    );
    assert_eq!(layers, 6);
    assert_eq!(failure.gas.calls.len(), 7);
    assert_eq!(w.chain.dump(), before);
    // The same chain of messages with a succeeding bottom writes at every level.
    let fits = ping_pong(&w, 6, json!({"write": {"key": "aw==", "value": "dg=="}}));
    w.chain
        .execute(&w.alice, &w.a, &msg(fits), &[])
        .expect("no node fault")
        .unwrap();
    assert!(!w.chain.contract_storage(&w.a).is_empty());
    assert!(!w.chain.contract_storage(&w.b).is_empty());
}
