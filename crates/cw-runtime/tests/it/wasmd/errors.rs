//! Item 1 for queries: a queried contract's own error reaches the querying
//! contract with its text (the dispatch side is in `flows`).

use serde_json::json;

use super::world;

/// wasmd `QuerySmart` (`x/wasm/keeper/keeper.go`) wraps the contract's
/// error with `MarkErrorDeterministic(Wrap(ErrQueryFailed, msg))`, which
/// `QueryHandler.Query` (`query_plugins.go`) does not redact; wasmvm's
/// `ToQuerierResult` makes it an `Ok` query result carrying the text.
#[test]
fn a_queried_contract_s_error_keeps_its_text() {
    let w = world();
    let answer = w.query_chain(json!({"wasm": {"smart": {"contract_addr": "@B",
        "msg": {"$b64": {"fail": "boom"}}}}}));
    assert_eq!(
        answer,
        json!({"ok": {"error": "boom: query wasm contract failed"}})
    );
}

/// A queried contract whose result is not JSON: wasmvm's `Query` fails,
/// `QuerySmart` wraps it in `ErrVMError` (29), which is redacted.
#[test]
fn a_queried_contract_s_bad_result_is_a_vm_error() {
    let w = world();
    let answer = w.query_chain(json!({"wasm": {"smart": {"contract_addr": "@B",
        "msg": {"$b64": {"garbage": {}}}}}}));
    assert_eq!(
        answer,
        json!({"ok": {"error": "codespace: wasm, code: 29"}})
    );
}

/// `WasmQuerier` (`query_plugins.go`): the address (`ErrInvalidAddress`,
/// sdk 7), then the message (`RawContractMessage.ValidateBasic`, wasm
/// 14), then `QuerySmart` (no contract: wasmvm's `NoSuchContract`).
#[test]
fn smart_query_checks_come_in_wasmd_s_order() {
    let w = world();
    let invalid = w.query_chain(json!({"wasm": {"smart": {"contract_addr": "nope",
        "msg": {"$b64": {}}}}}));
    assert_eq!(invalid, json!({"ok": {"error": "codespace: sdk, code: 7"}}));
    let not_json = w.query_chain(json!({"wasm": {"smart": {"contract_addr": "@B",
        "msg": "ew=="}}}));
    assert_eq!(
        not_json,
        json!({"ok": {"error": "codespace: wasm, code: 14"}})
    );
    let missing = w.query_chain(json!({"wasm": {"smart": {"contract_addr": "@bob",
        "msg": {"$b64": {}}}}}));
    assert_eq!(
        missing,
        json!({"error": {"no_such_contract": {"addr": w.addr("bob")}}})
    );
}

/// Nested smart queries: each level that passes the error on adds
/// wasmd's suffix once, and the deepest level is refused by the query
/// depth (`ErrExceedMaxQueryStackSize`, 27). `Chain::query` is wasmd's
/// gRPC query, which counts as level 1, so `query_self {depth: 10}` asks
/// for an 11th level.
#[test]
fn nested_query_errors_carry_one_suffix_per_level() {
    let w = world();
    let failure = w
        .chain
        .query(&w.addr("A"), br#"{"query_self":{"depth":10}}"#)
        .expect("no node fault")
        .unwrap_err();
    let message = failure.error.to_string();
    assert!(message.contains("codespace: wasm, code: 27"), "{message}");
    assert_eq!(
        message.matches(": query wasm contract failed").count(),
        9,
        "levels 2 to 10 each wrap the error below: {message}"
    );
}
