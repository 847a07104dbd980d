//! Migration: the probe's `migrate` takes `MigrateInfo` (the
//! three-parameter form); cw20-base's takes two (see `cw20::test_migrate`).

use cosmwasm_std::Binary;
use cw_multi_test::{App, Executor};

use crate::common::{code, instantiate_probe};

fn attribute(response: &cw_multi_test::AppResponse, key: &str) -> Option<String> {
    response
        .events
        .iter()
        .filter(|event| event.ty == "wasm")
        .flat_map(|event| event.attributes.iter())
        .find(|attribute| attribute.key == key)
        .map(|attribute| attribute.value.clone())
}

#[test]
fn migrate_with_migrate_info() {
    let mut app = App::default();
    let admin = app.api().addr_make("admin");
    let probe_code = code("probe");
    let log = probe_code.gas_log();
    let probe_id = app.store_code(Box::new(probe_code));
    let probe = instantiate_probe(&mut app, probe_id, &admin);

    let first = app
        .migrate_contract(
            admin.clone(),
            probe.clone(),
            &probe::msg::MigrateMsg {
                version: "v1".into(),
            },
            probe_id,
        )
        .unwrap();
    // The contract read the MigrateInfo the App passed: who migrates.
    assert_eq!(attribute(&first, "action").as_deref(), Some("migrate"));
    assert_eq!(attribute(&first, "sender"), Some(admin.to_string()));
    assert!(attribute(&first, "old_migrate_version").is_some());
    assert_eq!(first.data, None);
    assert_eq!(log.last().map(|r| r.entry_point), Some("migrate"));

    let second = app
        .migrate_contract(
            admin.clone(),
            probe.clone(),
            &probe::msg::MigrateMsg {
                version: "v2".into(),
            },
            probe_id,
        )
        .unwrap();
    // The previous version, as the contract's data; the App wraps a
    // top-level migrate's data in `MsgMigrateContractResponse` (field 1,
    // length-prefixed), as wasmd does.
    assert_eq!(second.data, Some(Binary::from(b"\x0a\x02v1".as_slice())));
    assert_eq!(
        app.wrap()
            .query_wasm_raw(&probe, probe::msg::VERSION_KEY)
            .unwrap(),
        Some(b"v2".to_vec())
    );

    // Only the admin may migrate (the App's rule, before any Wasm runs).
    let stranger = app.api().addr_make("stranger");
    assert!(
        app.migrate_contract(
            stranger,
            probe,
            &probe::msg::MigrateMsg {
                version: "v3".into()
            },
            probe_id
        )
        .is_err()
    );
}

#[test]
fn sudo_and_reply_run_the_wasm() {
    use cosmwasm_std::{SubMsg, WasmMsg, to_json_binary};
    let mut app = App::default();
    let admin = app.api().addr_make("admin");
    let probe_id = app.store_code(crate::common::wasm("probe"));
    let probe = instantiate_probe(&mut app, probe_id, &admin);

    let sudo = app
        .wasm_sudo(
            probe.clone(),
            &probe::msg::SudoMsg::Echo {
                data: Binary::from(b"root".as_slice()),
            },
        )
        .unwrap();
    assert_eq!(sudo.data, Some(Binary::from(b"root".as_slice())));

    // A submessage to itself that fails, replied on error: the probe's
    // `reply` stores the Reply it got.
    let failing = WasmMsg::Execute {
        contract_addr: probe.to_string(),
        msg: to_json_binary(&probe::msg::ExecuteMsg::Fail {
            msg: "inner".into(),
        })
        .unwrap(),
        funds: vec![],
    };
    let dispatch = probe::msg::ExecuteMsg::Dispatch {
        messages: vec![SubMsg::reply_on_error(failing, 7).with_payload(b"p".to_vec())],
    };
    app.execute_contract(admin, probe.clone(), &dispatch, &[])
        .unwrap();
    let stored = app
        .wrap()
        .query_wasm_raw(&probe, probe::msg::REPLY_KEY)
        .unwrap()
        .expect("reply ran");
    let reply: serde_json::Value = serde_json::from_slice(&stored).unwrap();
    assert_eq!(reply["id"], 7);
    assert!(reply["result"]["error"].as_str().is_some(), "{reply}");
}
