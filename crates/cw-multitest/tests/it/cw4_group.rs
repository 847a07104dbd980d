//! cw4-group on its Wasm fixture, with a native `ContractWrapper` mock as
//! its member-change hook: cw-plus checks these rules in cw4-group's unit
//! tests (`contracts/cw4-group/src/tests.rs`: members, total weight, admin
//! only, hooks fired with the diffs); here they run through the App.

use cosmwasm_std::Addr;
use cw_multi_test::{App, Executor};
use serde_json::{Value, json};

use crate::common::{MOCK_LAST_EXECUTE, native_mock, wasm};

fn members(app: &App, group: &Addr) -> Value {
    app.wrap()
        .query_wasm_smart(group, &json!({ "list_members": {} }))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn total_weight(app: &App, group: &Addr) -> u64 {
    let total: Value = app
        .wrap()
        .query_wasm_smart(group, &json!({ "total_weight": {} }))
        .unwrap_or_else(|e| panic!("{e}"));
    total["weight"].as_u64().unwrap_or(u64::MAX)
}

#[test]
fn members_admin_and_hooks() {
    let mut app = App::default();
    let admin = app.api().addr_make("admin");
    let alice = app.api().addr_make("alice");
    let bob = app.api().addr_make("bob");
    let carol = app.api().addr_make("carol");
    let group_id = app.store_code(wasm("cw4_group"));
    let group = app
        .instantiate_contract(
            group_id,
            admin.clone(),
            &json!({
                "admin": admin.to_string(),
                "members": [
                    { "addr": alice.to_string(), "weight": 11 },
                    { "addr": bob.to_string(), "weight": 6 },
                ],
            }),
            &[],
            "group",
            None,
        )
        .unwrap();
    assert_eq!(total_weight(&app, &group), 17);
    assert_eq!(
        members(&app, &group)["members"].as_array().map(Vec::len),
        Some(2)
    );

    // The hook: a native mock that stores what it is sent.
    let mock_id = app.store_code(native_mock());
    let hook = app
        .instantiate_contract(
            mock_id,
            admin.clone(),
            &cosmwasm_std::Empty {},
            &[],
            "hook",
            None,
        )
        .unwrap();
    let add_hook = json!({ "add_hook": { "addr": hook.to_string() } });
    let err = app
        .execute_contract(alice.clone(), group.clone(), &add_hook, &[])
        .unwrap_err();
    assert!(err.to_string().contains("not admin"), "{err}");
    app.execute_contract(admin.clone(), group.clone(), &add_hook, &[])
        .unwrap();

    // Bob leaves, carol joins: the hook gets both diffs.
    let update = json!({
        "update_members": {
            "remove": [bob.to_string()],
            "add": [{ "addr": carol.to_string(), "weight": 5 }],
        }
    });
    let err = app
        .execute_contract(bob.clone(), group.clone(), &update, &[])
        .unwrap_err();
    assert!(err.to_string().contains("not admin"), "{err}");
    app.execute_contract(admin.clone(), group.clone(), &update, &[])
        .unwrap();
    assert_eq!(total_weight(&app, &group), 16);
    let member: Value = app
        .wrap()
        .query_wasm_smart(&group, &json!({ "member": { "addr": bob.to_string() } }))
        .unwrap();
    assert_eq!(member["weight"], Value::Null);

    let sent = app
        .wrap()
        .query_wasm_raw(&hook, MOCK_LAST_EXECUTE)
        .unwrap()
        .expect("the hook was called");
    let sent: Value = serde_json::from_slice(&sent).unwrap();
    let diffs = sent["member_changed_hook"]["diffs"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(diffs.len(), 2, "{sent}");
    assert!(diffs.contains(&json!({ "key": bob.to_string(), "old": 6, "new": null })));
    assert!(diffs.contains(&json!({ "key": carol.to_string(), "old": null, "new": 5 })));
}
