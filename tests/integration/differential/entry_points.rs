//! Every entry point the reference runs, on both runtimes: the probe's
//! instantiate, execute, query, migrate with `MigrateInfo` (its export takes
//! three parameters), sudo and reply; migrate in both call forms (wasmd's
//! `MigrateWithInfo`, and the plain two-argument call) on the probe and on
//! cw20-base, whose export takes two; entry points a contract does not
//! export.

use cosmwasm_std::{Binary, Reply, SubMsgResult};
use cw_host::EntryPoint;
use probe::msg::{ExecuteMsg, MigrateMsg, QueryMsg, SudoMsg, VERSION_KEY};

use super::{GAS_LIMIT, Pair, failure_kind, info, ok_text};

/// JSON bytes of a message (a macro: this crate has no serde of its own).
macro_rules! json {
    ($value:expr) => {
        cosmwasm_std::to_json_vec($value).unwrap()
    };
}

fn migrate_info(sender: &str, old_version: Option<u64>) -> Vec<u8> {
    json!(&cosmwasm_std::MigrateInfo {
        sender: cosmwasm_std::testing::MockApi::default().addr_make(sender),
        old_migrate_version: old_version,
    })
}

/// The value of attribute `key` in a successful response.
fn attribute(result: &str, key: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(result).unwrap();
    value["ok"]["attributes"]
        .as_array()?
        .iter()
        .find(|a| a["key"] == key)
        .and_then(|a| a["value"].as_str().map(str::to_owned))
}

#[test]
fn every_probe_entry_point_agrees() {
    let mut pair = Pair::fixture("probe");
    let alice = info("alice");
    let init = pair.run(
        "instantiate",
        EntryPoint::Instantiate,
        Some(&alice),
        b"{}",
        GAS_LIMIT,
    );
    assert!(ok_text(&init).starts_with(r#"{"ok":"#), "{init}");
    let write = json!(&ExecuteMsg::Write {
        key: Binary::from(b"k".as_slice()),
        value: Binary::from(b"v".as_slice()),
    });
    pair.run(
        "execute",
        EntryPoint::Execute,
        Some(&alice),
        &write,
        GAS_LIMIT,
    );
    let read = json!(&QueryMsg::Read {
        key: Binary::from(b"k".as_slice()),
    });
    let answer = pair.run("query", EntryPoint::Query, None, &read, GAS_LIMIT);
    // The answer is `{"value":"dg=="}` (base64 of "v"), itself in base64.
    let expected = cw_host::testing::base64(br#"{"value":"dg=="}"#);
    assert!(ok_text(&answer).contains(&expected), "{answer}");

    // Migrate with MigrateInfo: the probe echoes what it received, which
    // shows the reference passes (env, msg, info).
    let version = |v: &str| {
        json!(&MigrateMsg {
            version: v.to_owned(),
        })
    };
    let admin_info = migrate_info("admin", Some(7));
    let migrated = pair.run(
        "migrate with info",
        EntryPoint::Migrate,
        Some(&admin_info),
        &version("2"),
        GAS_LIMIT,
    );
    let text = ok_text(&migrated);
    let admin = cosmwasm_std::testing::MockApi::default().addr_make("admin");
    assert_eq!(attribute(&text, "sender").as_deref(), Some(admin.as_str()));
    assert_eq!(
        attribute(&text, "old_migrate_version").as_deref(),
        Some("7")
    );
    assert_eq!(
        pair.dump().get(VERSION_KEY).map(Vec::as_slice),
        Some(&b"2"[..])
    );
    let no_old = migrate_info("admin", None);
    let migrated = pair.run(
        "migrate with info, no old version",
        EntryPoint::Migrate,
        Some(&no_old),
        &version("3"),
        GAS_LIMIT,
    );
    assert_eq!(
        attribute(&ok_text(&migrated), "old_migrate_version").as_deref(),
        Some("none")
    );
    // Without MigrateInfo the three-parameter export's arity does not match,
    // after the arguments were written (so it costs gas).
    let plain = pair.run(
        "migrate without info",
        EntryPoint::Migrate,
        None,
        &version("4"),
        GAS_LIMIT,
    );
    assert_eq!(failure_kind(&plain), "export signature");
    assert!(plain.gas_used > 0);
    assert_eq!(
        pair.dump().get(VERSION_KEY).map(Vec::as_slice),
        Some(&b"3"[..])
    );

    let sudo = json!(&SudoMsg::Echo {
        data: Binary::from(b"privileged".as_slice()),
    });
    let echoed = pair.run("sudo", EntryPoint::Sudo, None, &sudo, GAS_LIMIT);
    assert!(ok_text(&echoed).contains("cHJpdmlsZWdlZA=="), "{echoed}");

    let reply = json!(&Reply {
        id: 9,
        payload: Binary::from(b"payload".as_slice()),
        gas_used: 1_234,
        result: SubMsgResult::Err("failed".to_owned()),
    });
    let replied = pair.run("reply", EntryPoint::Reply, None, &reply, GAS_LIMIT);
    assert_eq!(
        attribute(&ok_text(&replied), "reply_id").as_deref(),
        Some("9")
    );

    // The probe exports no IBC entry point: resolved after the arguments
    // are written, on both sides.
    for entry in [
        EntryPoint::IbcChannelOpen,
        EntryPoint::IbcPacketReceive,
        EntryPoint::IbcSourceCallback,
    ] {
        let missing = pair.run("not exported", entry, None, b"{}", GAS_LIMIT);
        assert_eq!(failure_kind(&missing), "missing export");
        assert!(missing.gas_used > 0);
    }
}

/// cw20-base's `migrate` takes two parameters: wasmd's `MigrateWithInfo`
/// first tries three arguments, then retries with two, so it costs more
/// than the plain call (the three arguments written before the arity
/// check).
#[test]
fn a_two_parameter_migrate_agrees_in_both_forms() {
    let mut pair = Pair::fixture("cw20_base");
    let minter = cosmwasm_std::testing::MockApi::default().addr_make("alice");
    let init = serde_json::json!({
        "name": "Differential", "symbol": "DIFF", "decimals": 6,
        "initial_balances": [{"address": minter, "amount": "100"}],
    });
    pair.run(
        "instantiate",
        EntryPoint::Instantiate,
        Some(&info("alice")),
        init.to_string().as_bytes(),
        GAS_LIMIT,
    );
    let with_info = migrate_info("alice", Some(1));
    let retried = pair.run(
        "migrate with info",
        EntryPoint::Migrate,
        Some(&with_info),
        b"{}",
        GAS_LIMIT,
    );
    let plain = pair.run(
        "migrate without info",
        EntryPoint::Migrate,
        None,
        b"{}",
        GAS_LIMIT,
    );
    assert_eq!(retried.result.is_ok(), plain.result.is_ok());
    assert!(retried.gas_used > plain.gas_used, "{retried} / {plain}");
}
