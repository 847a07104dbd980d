//! Item 7 and issue 21 item 2: `env.transaction`. wasmd's `NewEnv`
//! (`x/wasm/types/types.go`) sets `{index, hash}` for every call while a
//! transaction runs, queried contracts included, and `null` outside one
//! (gRPC queries, `EndBlock` / governance sudo). The index counts the
//! block's transactions (`CountTXDecorator`, `x/wasm/keeper/ante.go`),
//! failed ones too. The hash is derived as docs/chain.md states; this file
//! derives it again independently from that description.

use cosmwasm_std::{Binary, Coin};
use cw_runtime::chain::BlockState;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{World, sub, wasm_execute, world};

/// docs/chain.md: sha256 of "cw-runtime/tx/v1", the height (u64 BE), the
/// index (u32 BE), the kind byte (3 for an execute), then sender, contract,
/// message and funds as length-prefixed fields (u64 BE length).
fn execute_hash(
    height: u64,
    index: u32,
    sender: &str,
    contract: &str,
    msg: &[u8],
    funds: &[Coin],
) -> Vec<u8> {
    let mut h = Sha256::new();
    let field = |h: &mut Sha256, bytes: &[u8]| {
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(bytes);
    };
    h.update(b"cw-runtime/tx/v1");
    h.update(height.to_be_bytes());
    h.update(index.to_be_bytes());
    h.update([3u8]);
    field(&mut h, sender.as_bytes());
    field(&mut h, contract.as_bytes());
    field(&mut h, msg);
    h.update((funds.len() as u64).to_be_bytes());
    for coin in funds {
        field(&mut h, coin.denom.as_bytes());
        field(&mut h, coin.amount.to_string().as_bytes());
    }
    h.finalize().to_vec()
}

fn next_block(w: &World, height: u64) {
    let mut block = w.chain.block();
    block.height = height;
    w.chain.set_block(BlockState { ..block });
}

/// The `Env` a scripted contract returned as data.
fn env_of(data: Option<Vec<u8>>) -> Value {
    serde_json::from_slice(&data.expect("env as data")).unwrap()
}

fn transaction(index: u32, hash: &[u8]) -> Value {
    json!({"index": index, "hash": Binary::from(hash).to_base64()})
}

#[test]
fn each_transaction_has_its_index_in_the_block_and_its_hash() {
    let w = world();
    next_block(&w, 2);
    let (alice, b) = (w.addr("alice"), w.addr("B"));
    let msg = br#"{"env":{}}"#;
    let first = w
        .chain
        .execute(&alice, &b, msg, &[])
        .expect("no node fault")
        .unwrap();
    assert_eq!(
        env_of(first.data)["transaction"],
        transaction(0, &execute_hash(2, 0, &alice, &b, msg, &[]))
    );
    // A failed transaction uses its index up, as wasmd's ante handler
    // counts it before the messages run.
    w.chain
        .execute(&alice, &b, br#"{"fail":"x"}"#, &[])
        .expect("no node fault")
        .unwrap_err();
    let funds = [Coin::new(1u128, "ucosm")];
    let third = w
        .chain
        .execute(&alice, &b, msg, &funds)
        .expect("no node fault")
        .unwrap();
    assert_eq!(
        env_of(third.data)["transaction"],
        transaction(2, &execute_hash(2, 2, &alice, &b, msg, &funds))
    );
    next_block(&w, 3);
    let again = w
        .chain
        .execute(&alice, &b, msg, &[])
        .expect("no node fault")
        .unwrap();
    assert_eq!(env_of(again.data)["transaction"]["index"], 0, "a new block");
}

/// The query sub-context inherits the transaction (`NewEnv` reads
/// `TXCounter(ctx)` and `ctx.TxBytes()`), so a contract queried during a
/// transaction sees the same `env.transaction`; so do submessages and
/// their callees.
#[test]
fn calls_and_queries_inside_a_transaction_share_its_info() {
    let w = world();
    next_block(&w, 5);
    let (alice, a) = (w.addr("alice"), w.addr("A"));
    let msg = serde_json::to_vec(&w.fill(&json!({"query_chain": {"request": {"$b64":
        {"wasm": {"smart": {"contract_addr": "@B", "msg": {"$b64": {"env": {}}}}}}}}})))
    .unwrap();
    let done = w
        .chain
        .execute(&alice, &a, &msg, &[])
        .expect("no node fault")
        .unwrap();
    let answer: Value = serde_json::from_slice(&done.data.unwrap()).unwrap();
    let env = Binary::from_base64(answer["ok"]["ok"].as_str().unwrap()).unwrap();
    let env: Value = serde_json::from_slice(&env).unwrap();
    let expected = transaction(0, &execute_hash(5, 0, &alice, &a, &msg, &[]));
    assert_eq!(env["transaction"], expected);
    assert_eq!(env["contract"]["address"], w.addr("B"));

    let dispatch = w.fill(&json!({"dispatch": {"messages": [
        sub(1, wasm_execute("@B", json!({})), "always")]}}));
    let dispatch = serde_json::to_vec(&dispatch).unwrap();
    w.chain
        .execute(&alice, &a, &dispatch, &[])
        .expect("no node fault")
        .unwrap();
    let expected = transaction(1, &execute_hash(5, 1, &alice, &a, &dispatch, &[]));
    assert_eq!(
        w.stored("B", "last/execute").unwrap()["env"]["transaction"],
        expected
    );
}

/// No transaction: a gRPC query and a sudo from the chain itself (wasmd:
/// `TXCounter` is absent outside `DeliverTx`); neither uses an index.
#[test]
fn queries_and_sudo_from_the_chain_have_no_transaction() {
    let w = world();
    next_block(&w, 7);
    let b = w.addr("B");
    let answer = w
        .chain
        .query(&b, br#"{"env":{}}"#)
        .expect("no node fault")
        .unwrap();
    let env: Value = serde_json::from_slice(&answer.data).unwrap();
    assert_eq!(env["transaction"], Value::Null);
    let sudo = w
        .chain
        .sudo(&b, br#"{"env":{}}"#)
        .expect("no node fault")
        .unwrap();
    assert_eq!(env_of(sudo.data)["transaction"], Value::Null);
    let next = w
        .chain
        .execute(&w.addr("alice"), &b, br#"{"env":{}}"#, &[])
        .expect("no node fault")
        .unwrap();
    assert_eq!(env_of(next.data)["transaction"]["index"], 0);
}
