//! A panic inside a transaction (here a native contract's, two
//! submessages deep, after other calls wrote) leaves no partial writes for
//! an embedder that catches it, and the chain keeps working.

use std::panic::{AssertUnwindSafe, catch_unwind};

use cosmwasm_std::Binary;
use serde_json::{Value, json};

use super::{World, sub, wasm_execute, world};

fn write(key: &str) -> Value {
    json!({"write": {"key": Binary::from(key.as_bytes()).to_base64(), "value": "dg=="}})
}

fn keys(w: &World, contract: &str) -> Vec<Vec<u8>> {
    w.chain
        .contract_storage(&w.addr(contract))
        .into_iter()
        .map(|(k, _)| k)
        .collect()
}

#[test]
fn a_panic_mid_transaction_rolls_everything_back() {
    let w = world();
    let before = w.chain.dump();
    let panicked = catch_unwind(AssertUnwindSafe(|| {
        w.dispatch(json!([
            sub(1, wasm_execute("@A", write("first")), "never"),
            sub(
                2,
                json!({"bank": {"send": {"to_address": "@bob",
                "amount": [{"denom": "ucosm", "amount": "9"}]}}}),
                "never"
            ),
            sub(
                3,
                wasm_execute(
                    "@C",
                    json!({"respond": {"messages": [
                sub(4, wasm_execute("@B", json!({"panic": "boom"})), "always")]}})
                ),
                "never"
            ),
        ]))
    }));
    assert!(panicked.is_err(), "the panic reaches the embedder");
    assert_eq!(w.chain.dump(), before, "no partial writes");

    // The chain still works: a transaction commits ...
    w.execute("alice", "A", &write("after")).unwrap();
    assert_eq!(keys(&w, "A"), [b"after".to_vec()]);
    // ... and a failing one still rolls back alone (no stale checkpoint
    // from the panic swallows it).
    let before = w.chain.dump();
    w.dispatch(json!([
        sub(1, wasm_execute("@A", write("doomed")), "never"),
        sub(2, wasm_execute("@B", json!({"fail": "no"})), "never"),
    ]))
    .unwrap_err();
    assert_eq!(w.chain.dump(), before);
}
