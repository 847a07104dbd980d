//! Item 5 at the top level: events of a transaction's own calls are not
//! sorted (only `DispatchSubmessages` sorts, and only a submessage's
//! events), and keep wasmd's attribute order per event type.

use serde_json::json;

use super::{events, world};

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// `keeper.execute` emits `execute{_contract_address}` and
/// `handleContractResponse` the `wasm` event in the contract's attribute
/// order, `_contract_address` first (`events.go newWasmModuleEvent`).
#[test]
fn a_top_level_response_keeps_the_contract_s_attribute_order() {
    let w = world();
    let done = w
        .execute(
            "alice",
            "B",
            &json!({"respond": {"attributes": [
                {"key": "zeta", "value": " 1 "}, {"key": "Alpha", "value": "2"}]}}),
        )
        .unwrap();
    let b = w.addr("B");
    assert_eq!(
        events(&done),
        [
            ("execute".to_owned(), pairs(&[("_contract_address", &b)])),
            (
                "wasm".to_owned(),
                pairs(&[("_contract_address", &b), ("zeta", "1"), ("Alpha", "2")])
            ),
        ]
    );
}

/// `keeper.migrate` emits `migrate{code_id, _contract_address}`
/// (`code_id` first); `setContractAdmin` emits
/// `update_contract_admin{_contract_address, new_admin_address}`.
#[test]
fn migrate_and_admin_events_have_wasmd_s_attribute_order() {
    let w = world();
    let alice = w.addr("alice");
    let c = w.addr("C");
    let code = w.code("plain");
    let done = w
        .chain
        .migrate(&alice, &c, code, b"{}")
        .expect("no node fault")
        .unwrap();
    assert_eq!(
        events(&done),
        [(
            "migrate".to_owned(),
            pairs(&[("code_id", &code.to_string()), ("_contract_address", &c)])
        )]
    );
    let bob = w.addr("bob");
    let done = w
        .chain
        .set_admin(&alice, &c, Some(&bob))
        .expect("no node fault")
        .unwrap();
    assert_eq!(
        events(&done),
        [(
            "update_contract_admin".to_owned(),
            pairs(&[("_contract_address", &c), ("new_admin_address", &bob)])
        )]
    );
    let done = w
        .chain
        .set_admin(&bob, &c, None)
        .expect("no node fault")
        .unwrap();
    assert_eq!(
        events(&done)[0].1[1],
        ("new_admin_address".to_owned(), String::new())
    );
}
