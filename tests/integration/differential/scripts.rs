//! Every fixture through a realistic message script, at the VM level: the
//! scripts of `tests/scenarios/*.json` (cw20-base with the probe as a cw20
//! receiver, cw1-whitelist, cw3-fixed-multisig, cw4-group, cw721-base, the
//! probe), and one for cw1-subkeys, which has no scenario. Each contract
//! alias gets its own pair of stores; messages reach the contracts with
//! the scenario's substitutions made (`@name` becomes cosmwasm-std's
//! `MockApi::addr_make(name)`, for accounts and contract aliases alike;
//! `{"$base64": X}` becomes the base64 of X) and the env follows the
//! scenario's blocks. There is no chain here (no bank, no dispatch), so a
//! step's own `expect` is checked only where the VM alone decides it: a
//! step expected to succeed, or to fail with the contract's own error,
//! does so on the reference.
//!
//! One step is left out: the probe's `recurse` a million frames deep,
//! where this runtime's deterministic stack limit fails before
//! cosmwasm-vm's native stack does (a known difference, calibrated
//! elsewhere).

use std::collections::BTreeMap;

use cosmwasm_std::{Coin, Timestamp};
use cw_host::EntryPoint;
use cw_host::testing::base64;
use cw_oracle::Call;
use serde_json::Value;

use super::{GAS_LIMIT, Pair};

fn addr(name: &str) -> String {
    cosmwasm_std::testing::MockApi::default()
        .addr_make(name)
        .into_string()
}

/// The scenario format's substitutions (docs/scenario.md): whole strings
/// `@name`, `@@x` for a literal `@x`, and `{"$base64": X}`.
fn substitute(value: &Value) -> Value {
    match value {
        Value::String(text) => match text.strip_prefix('@') {
            Some(rest) if rest.starts_with('@') => Value::String(rest.to_owned()),
            Some(name) if !name.is_empty() => Value::String(addr(name)),
            _ => value.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(substitute).collect()),
        Value::Object(map) => {
            if let (1, Some(inner)) = (map.len(), map.get("$base64")) {
                let bytes = match substitute(inner) {
                    Value::String(text) => text.into_bytes(),
                    other => serde_json::to_vec(&other).unwrap(),
                };
                return Value::String(base64(&bytes));
            }
            Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), substitute(v)))
                    .collect(),
            )
        }
        other => other.clone(),
    }
}

/// The block a script is at.
struct Block {
    chain_id: String,
    height: u64,
    time_nanos: u64,
}

impl Block {
    fn env(&self, contract: &str) -> Vec<u8> {
        let mut env = cosmwasm_std::testing::mock_env();
        env.block.chain_id = self.chain_id.clone();
        env.block.height = self.height;
        env.block.time = Timestamp::from_nanos(self.time_nanos);
        env.contract.address = cosmwasm_std::Addr::unchecked(addr(contract));
        cosmwasm_std::to_json_vec(&env).unwrap()
    }
}

fn info(step: &Value) -> Vec<u8> {
    let sender = substitute(&step["sender"]);
    let funds: Vec<Coin> = step
        .get("funds")
        .map(|f| serde_json::from_value(f.clone()).unwrap())
        .unwrap_or_default();
    let sender = cosmwasm_std::Addr::unchecked(sender.as_str().unwrap());
    cosmwasm_std::to_json_vec(&cosmwasm_std::testing::message_info(&sender, &funds)).unwrap()
}

/// What a script did: calls compared, and those that succeeded.
#[derive(Debug, Default)]
struct Tally {
    calls: usize,
    ok: usize,
}

/// Runs the steps of `scenario` (a scenario file's JSON) and checks what
/// the VM alone decides of each step's `expect`.
fn run(name: &str, scenario: &Value) -> Tally {
    let env = &scenario["env"];
    let mut block = Block {
        chain_id: env["chain_id"].as_str().unwrap_or("cw-chain").to_owned(),
        height: env["height"].as_u64().unwrap_or(1),
        time_nanos: env["time_nanos"]
            .as_u64()
            .unwrap_or(1_700_000_000_000_000_000),
    };
    let codes = scenario["codes"].as_object().unwrap();
    let mut contracts: BTreeMap<String, Pair> = BTreeMap::new();
    let mut tally = Tally::default();
    for (index, step) in scenario["steps"].as_array().unwrap().iter().enumerate() {
        let op = step["op"].as_str().unwrap();
        if op == "advance_block" {
            block.height = step["height"].as_u64().unwrap_or(block.height + 1);
            block.time_nanos = step["time_nanos"]
                .as_u64()
                .unwrap_or(block.time_nanos + 5_000_000_000);
            continue;
        }
        let msg = serde_json::to_vec(&substitute(&step["msg"])).unwrap();
        if op == "execute" && step["msg"].get("recurse").is_some() {
            continue;
        }
        let alias = match op {
            "instantiate" => {
                let code = step["code"].as_str().unwrap();
                let alias = step["as"].as_str().unwrap_or(code).to_owned();
                let fixture = codes[code]
                    .as_str()
                    .unwrap()
                    .strip_prefix("fixture:")
                    .unwrap();
                contracts.insert(alias.clone(), Pair::fixture(fixture));
                alias
            }
            _ => step["contract"]
                .as_str()
                .unwrap()
                .trim_start_matches('@')
                .to_owned(),
        };
        let (entry, info) = match op {
            "instantiate" => (EntryPoint::Instantiate, Some(info(step))),
            "execute" => (EntryPoint::Execute, Some(info(step))),
            "query" => (EntryPoint::Query, None),
            "sudo" => (EntryPoint::Sudo, None),
            // wasmd's `MigrateWithInfo`; the scripts migrate to the same code.
            "migrate" => {
                let migrate_info = cosmwasm_std::MigrateInfo {
                    sender: cosmwasm_std::Addr::unchecked(
                        substitute(&step["sender"]).as_str().unwrap(),
                    ),
                    old_migrate_version: None,
                };
                let info = cosmwasm_std::to_json_vec(&migrate_info).unwrap();
                (EntryPoint::Migrate, Some(info))
            }
            other => panic!("{name} step {}: unknown op {other}", index + 1),
        };
        let env = block.env(&alias);
        let call = Call {
            entry,
            env: &env,
            info: info.as_deref(),
            msg: &msg,
            gas_limit: GAS_LIMIT,
        };
        let label = format!("{name} step {} ({op} {alias})", index + 1);
        let pair = contracts.get_mut(&alias).unwrap();
        let observed = pair.agree(&label, &call);
        tally.calls += 1;
        let result = observed.result.as_deref().unwrap_or_default();
        let succeeded = result.starts_with(br#"{"ok":"#);
        tally.ok += usize::from(succeeded);
        let expect = &step["expect"];
        if expect == "ok" || expect.get("json").is_some() {
            assert!(succeeded, "{label}: {}", String::from_utf8_lossy(result));
        }
        if expect.get("error_kind").and_then(Value::as_str) == Some("contract") {
            assert!(
                result.starts_with(br#"{"error":"#),
                "{label}: {}",
                String::from_utf8_lossy(result)
            );
        }
    }
    tally
}

fn run_file(name: &str) -> Tally {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.json"));
    let scenario: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let tally = run(name, &scenario);
    assert!(tally.ok >= tally.calls / 2, "{name}: {tally:?}");
    tally
}

#[test]
fn cw20_base_and_the_probe_as_receiver() {
    run_file("cw20");
}

#[test]
fn cw1_whitelist_and_its_token() {
    run_file("cw1");
}

#[test]
fn cw3_fixed_multisig() {
    run_file("cw3");
}

#[test]
fn cw4_group() {
    run_file("cw4");
}

#[test]
fn cw721_base() {
    run_file("cw721");
}

#[test]
fn probe() {
    run_file("probe");
}

/// cw1-subkeys 2.0.0: admins, allowances with expiry, permissions,
/// executing on a subkey's behalf, and its queries.
#[test]
fn cw1_subkeys() {
    let delegate = |amount: &str| {
        serde_json::json!({"bank": {"send": {"to_address": "@dave",
            "amount": [{"denom": "ucosm", "amount": amount}]}}})
    };
    let permissions = serde_json::json!({
        "delegate": true, "redelegate": false, "undelegate": true, "withdraw": false});
    let scenario = serde_json::json!({
        "env": {"height": 10},
        "codes": {"subkeys": "fixture:cw1_subkeys"},
        "steps": [
            {"op": "instantiate", "code": "subkeys", "as": "wallet", "sender": "@alice",
             "msg": {"admins": ["@alice"], "mutable": true}, "expect": "ok"},
            {"op": "execute", "contract": "wallet", "sender": "@alice",
             "msg": {"increase_allowance": {"spender": "@bob",
                "amount": {"denom": "ucosm", "amount": "500"}, "expires": {"at_height": 20}}},
             "expect": "ok"},
            {"op": "execute", "contract": "wallet", "sender": "@bob",
             "msg": {"increase_allowance": {"spender": "@bob",
                "amount": {"denom": "ucosm", "amount": "1"}, "expires": null}},
             "expect": {"error_kind": "contract"}},
            {"op": "execute", "contract": "wallet", "sender": "@alice",
             "msg": {"decrease_allowance": {"spender": "@bob",
                "amount": {"denom": "ucosm", "amount": "100"}, "expires": null}},
             "expect": "ok"},
            {"op": "execute", "contract": "wallet", "sender": "@alice",
             "msg": {"set_permissions": {"spender": "@carol", "permissions": permissions}},
             "expect": "ok"},
            {"op": "query", "contract": "wallet", "msg": {"allowance": {"spender": "@bob"}},
             "expect": "ok"},
            {"op": "query", "contract": "wallet", "msg": {"permissions": {"spender": "@carol"}},
             "expect": "ok"},
            {"op": "query", "contract": "wallet", "msg": {"all_allowances": {}}, "expect": "ok"},
            {"op": "query", "contract": "wallet", "msg": {"all_permissions": {}}, "expect": "ok"},
            {"op": "query", "contract": "wallet",
             "msg": {"can_execute": {"sender": "@bob", "msg": delegate("100")}}, "expect": "ok"},
            {"op": "execute", "contract": "wallet", "sender": "@bob",
             "msg": {"execute": {"msgs": [delegate("100")]}}, "expect": "ok"},
            {"op": "execute", "contract": "wallet", "sender": "@bob",
             "msg": {"execute": {"msgs": [delegate("1000")]}}, "expect": {"error_kind": "contract"}},
            {"op": "advance_block", "height": 25},
            {"op": "execute", "contract": "wallet", "sender": "@bob",
             "msg": {"execute": {"msgs": [delegate("1")]}}, "expect": {"error_kind": "contract"}},
            {"op": "execute", "contract": "wallet", "sender": "@alice",
             "msg": {"update_admins": {"admins": ["@alice", "@erin"]}}, "expect": "ok"},
            {"op": "query", "contract": "wallet", "msg": {"admin_list": {}}, "expect": "ok"},
            {"op": "execute", "contract": "wallet", "sender": "@erin", "msg": {"freeze": {}},
             "expect": "ok"},
            {"op": "execute", "contract": "wallet", "sender": "@alice",
             "msg": {"update_admins": {"admins": ["@alice"]}}, "expect": {"error_kind": "contract"}}
        ]
    });
    let tally = run("cw1_subkeys", &scenario);
    assert_eq!(tally.calls, 17);
}
