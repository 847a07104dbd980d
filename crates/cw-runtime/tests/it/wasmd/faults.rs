//! A node fault (here a native contract reporting `NodeFault::Engine`, as
//! a runtime whose disk or engine failed mid-call would) is never a
//! transaction's outcome: whether it happens at the top, in a submessage
//! whose failure a reply would catch, or in a contract's query of another
//! contract, the chain method returns `Err(NodeFault)`, nothing is
//! committed, no reply runs, and the chain keeps working. wasmd has no
//! equivalent to compare with: there a fault panics the node (wasmvm's
//! `VmError` outside a contract's control aborts the block).

use cosmwasm_std::Binary;
use cw_runtime::NodeFault;
use serde_json::{Value, json};

use super::{World, sub, wasm_execute, world};

fn write(key: &str) -> Value {
    json!({"write": {"key": Binary::from(key.as_bytes()).to_base64(), "value": "dg=="}})
}

fn execute(w: &World, contract: &str, msg: &Value) -> Result<cw_runtime::TxResult, NodeFault> {
    let msg = serde_json::to_vec(&w.fill(msg)).unwrap();
    w.chain
        .execute(&w.addr("alice"), &w.addr(contract), &msg, &[])
}

fn assert_engine_fault(outcome: Result<cw_runtime::TxResult, NodeFault>, text: &str) {
    match outcome {
        Err(fault) => assert!(fault.to_string().contains(text), "{fault}"),
        Ok(result) => panic!("a node fault became an outcome: {result:?}"),
    }
}

#[test]
fn a_fault_at_the_top_is_not_an_outcome() {
    let w = world();
    let before = w.chain.dump();
    assert_engine_fault(
        execute(&w, "B", &json!({"fault": "disk on fire"})),
        "disk on fire",
    );
    assert_eq!(w.chain.dump(), before, "nothing committed, no gas charged");
}

#[test]
fn a_fault_in_a_submessage_skips_the_reply_and_commits_nothing() {
    let w = world();
    let before = w.chain.dump();
    let dispatch = json!({"dispatch": {"messages": [
        sub(1, wasm_execute("@A", write("first")), "never"),
        // A failure here would reach A's reply (`always`); a fault must not.
        sub(2, wasm_execute("@B", json!({"fault": "mmap refused"})), "always"),
    ]}});
    assert_engine_fault(execute(&w, "A", &dispatch), "mmap refused");
    assert_eq!(w.chain.dump(), before);
    assert!(w.stored("A", "probe/reply").is_none(), "no reply ran");

    // The chain still works, and a contract failure still reaches a reply.
    let failing = json!({"dispatch": {"messages": [
        sub(3, wasm_execute("@B", json!({"fail": "no"})), "always"),
    ]}});
    execute(&w, "A", &failing)
        .expect("no node fault")
        .expect("the failure is caught by the reply");
    assert_eq!(w.reply()["id"], 3);
}

#[test]
fn a_fault_in_a_nested_query_stops_the_transaction() {
    let w = world();
    let before = w.chain.dump();
    let request = json!({"wasm": {"smart": {"contract_addr": "@B",
        "msg": Binary::from(br#"{"fault":"query backend gone"}"#.as_slice())}}});
    let msg = json!({"query_chain": {"request": {"$b64": request}}});
    assert_engine_fault(execute(&w, "A", &msg), "query backend gone");
    assert_eq!(w.chain.dump(), before);

    // A direct query of a faulting contract is a fault too.
    let direct = w.chain.query(&w.addr("B"), br#"{"fault":"gone"}"#);
    assert!(
        matches!(direct, Err(NodeFault::Engine { .. })),
        "{direct:?}"
    );
}
