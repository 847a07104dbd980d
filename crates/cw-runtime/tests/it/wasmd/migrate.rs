//! Item 4: `cw_migrate_version` and `MigrateInfo`, as wasmd's
//! `keeper.migrate` (`x/wasm/keeper/keeper.go`) handles them: `migrate` is
//! skipped when the old and the new code declare the same version, and
//! `MigrateInfo.old_migrate_version` is the old code's version.
//!
//! The scripted codes `plain` (no version), `v1`, `v1b` (both "1") and
//! `v2` record the `MigrateInfo` they get under `last/migrate`.

use cw_runtime::chain::ChainError;
use serde_json::{Value, json};

use super::{World, events, sub, world};

fn contract_on(w: &World, code: &str) -> String {
    let alice = w.addr("alice");
    w.instantiate(code, json!({}), Some(&alice))
}

fn migrate(w: &World, contract: &str, code: &str, msg: Value) -> cw_runtime::TxResult {
    w.chain
        .migrate(
            &w.addr("alice"),
            contract,
            w.code(code),
            &serde_json::to_vec(&msg).unwrap(),
        )
        .expect("no node fault")
}

fn stored(w: &World, contract: &str, key: &str) -> Option<Value> {
    w.chain
        .contract_storage(contract)
        .into_iter()
        .find(|(k, _)| k == key.as_bytes())
        .map(|(_, v)| serde_json::from_slice(&v).unwrap())
}

/// Both versions `Some(1)`: no `migrate` call (the message would fail if
/// it ran), the code id changes, the `migrate` event is still emitted
/// (`code_id` first), no `wasm` event, no data.
#[test]
fn the_same_version_skips_migrate() {
    let w = world();
    let x = contract_on(&w, "v1");
    let done = migrate(&w, &x, "v1b", json!({"fail": "must not run"})).unwrap();
    assert_eq!(
        events(&done),
        [(
            "migrate".to_owned(),
            vec![
                ("code_id".to_owned(), w.code("v1b").to_string()),
                ("_contract_address".to_owned(), x.clone())
            ]
        )]
    );
    assert_eq!(done.data, None);
    assert!(done.gas.calls.is_empty(), "no contract call");
    assert_eq!(w.chain.contract(&x).unwrap().code_id, w.code("v1b"));
    assert_eq!(stored(&w, &x, "last/migrate"), None);
}

/// `callMigrateEntrypoint` passes `MigrateInfo{Sender, OldMigrateVersion}`
/// (wasmvm `types/types.go`: the key is always present).
#[test]
fn migrate_info_carries_the_old_version() {
    let w = world();
    for (from, to, old) in [
        ("v1", "v2", json!(1)),
        ("v2", "v1", json!(2)),
        ("plain", "v2", Value::Null),
        ("v1", "plain", json!(1)),
    ] {
        let x = contract_on(&w, from);
        migrate(&w, &x, to, json!({})).unwrap();
        let info = &stored(&w, &x, "last/migrate").unwrap()["info"];
        assert_eq!(
            info,
            &json!({"sender": w.addr("alice"), "old_migrate_version": old}),
            "{from} -> {to}"
        );
    }
}

/// A skipped migration from a submessage: the reply gets wasmd's
/// `MsgMigrateContractResponse` and the `migrate` event, whose attributes
/// `DispatchSubmessages` sorts (`_contract_address` before `code_id`).
#[test]
fn a_skipped_migration_from_a_submessage() {
    let w = world();
    let a = w.addr("A");
    let x = w.instantiate("v1", json!({}), Some(&a));
    w.names_insert("X", &x);
    w.dispatch(json!([sub(
        1,
        json!({"wasm": {"migrate": {"contract_addr": "@X",
        "new_code_id": {"$code": "v1b"}, "msg": {"$b64": {"fail": "must not run"}}}}}),
        "always"
    )]))
    .unwrap();
    assert_eq!(
        w.reply()["result"],
        json!({"ok": {"events": [{"type": "migrate", "attributes": [
            {"key": "_contract_address", "value": x},
            {"key": "code_id", "value": w.code("v1b").to_string()}]}],
            "data": null,
            "msg_responses": [{"type_url": "/cosmwasm.wasm.v1.MsgMigrateContractResponse", "value": ""}]}})
    );
}

/// `keeper.migrate`'s checks: unknown contract and unknown code are
/// `ErrInvalidRequest` (sdk 18), a sender that is not the admin
/// `ErrUnauthorized` (sdk 4); `MsgMigrateContract.ValidateBasic` refuses
/// code id 0 (sdk 18).
#[test]
fn migrate_refusals_have_wasmd_s_codes() {
    let w = world();
    let x = contract_on(&w, "plain");
    let code = |result: cw_runtime::TxResult| result.unwrap_err().error.abci_code();
    let bob = w.addr("bob");
    assert_eq!(code(migrate(&w, &bob, "plain", json!({}))), ("sdk", 18));
    assert_eq!(
        code(
            w.chain
                .migrate(&w.addr("alice"), &x, 999, b"{}")
                .expect("no node fault")
        ),
        ("sdk", 18)
    );
    assert_eq!(
        code(
            w.chain
                .migrate(&w.addr("alice"), &x, 0, b"{}")
                .expect("no node fault")
        ),
        ("sdk", 18)
    );
    let refused = w
        .chain
        .migrate(&bob, &x, w.code("v1"), b"{}")
        .expect("no node fault")
        .unwrap_err();
    assert!(matches!(*refused.error, ChainError::Unauthorized { .. }));
    assert_eq!(refused.error.abci_code(), ("sdk", 4));
}
