//! Fixed calls around the edges: malformed env and info, missing exports,
//! wrong arity, migrate, out of gas, and the harness itself.

use cw_fallback::{NativeContract, NativeKind};
use cw_gas::{CosmWasmSchedule, GasCategory};
use cw_host::{CallInput, Contract, EntryPoint, VmFailure};
use serde_json::json;

use crate::support::{Map, Pair, START, addr, backend, dump, info};

fn cw20_init() -> serde_json::Value {
    json!({
        "name": "Fallback Token", "symbol": "FBT", "decimals": 6,
        "initial_balances": [{"address": addr("alice"), "amount": "1000"}],
        "mint": {"minter": addr("alice"), "cap": null}, "marketing": null,
    })
}

#[test]
fn the_harness_notices_a_store_difference() {
    let mut pair = Pair::new(NativeKind::Cw20Base);
    let init = pair.step(
        EntryPoint::Instantiate,
        START,
        Some(&addr("alice")),
        &cw20_init(),
    );
    assert!(init.unwrap().unwrap().starts_with(br#"{"ok":"#));
    pair.tamper_native_store(b"extra", b"1");
    let balance = json!({"balance": {"address": addr("alice")}});
    assert!(pair.step(EntryPoint::Query, START, None, &balance).is_err());
}

#[test]
fn malformed_env_and_info_give_the_wasm_bytes() {
    let mut pair = Pair::new(NativeKind::Cw20Base);
    let alice = addr("alice");
    let env = START.env();
    let good_info = info(&alice);
    let msg = serde_json::to_vec(&cw20_init()).unwrap();
    for (bad_env, bad_info) in [
        (b"{}".as_slice(), good_info.as_slice()),
        (b"not json".as_slice(), good_info.as_slice()),
        (env.as_slice(), b"{}".as_slice()),
        (env.as_slice(), br#"{"sender": 5, "funds": []}"#.as_slice()),
        // Env is parsed before info, info before the message.
        (b"[]".as_slice(), b"[]".as_slice()),
    ] {
        let result = pair
            .call_raw(CallInput {
                entry: EntryPoint::Instantiate,
                env: bad_env,
                info: Some(bad_info),
                msg: &msg,
            })
            .unwrap();
        let text = String::from_utf8(result.unwrap()).unwrap();
        assert!(text.starts_with(r#"{"error":"#), "{text}");
    }
    for bad_env in [b"{}".as_slice(), b"".as_slice()] {
        let result = pair
            .call_raw(CallInput {
                entry: EntryPoint::Query,
                env: bad_env,
                info: None,
                msg: br#"{"token_info":{}}"#,
            })
            .unwrap();
        assert!(result.unwrap().starts_with(br#"{"error":"#));
    }
}

#[test]
fn missing_exports_and_wrong_arity_fail_as_on_the_engine() {
    let alice = addr("alice");
    let env = START.env();
    let info = info(&alice);
    for kind in NativeKind::ALL {
        let mut pair = Pair::new(kind);
        for entry in EntryPoint::ALL {
            let with_info = CallInput {
                entry,
                env: &env,
                info: Some(&info),
                msg: b"{}",
            };
            let without_info = CallInput {
                info: None,
                ..with_info
            };
            for input in [with_info, without_info] {
                let result = pair.call_raw(input).unwrap();
                if !kind.exports_entry(entry) {
                    assert_eq!(
                        result,
                        Err(VmFailure::MissingExport {
                            name: entry.export_name()
                        })
                    );
                }
            }
        }
    }
}

#[test]
fn exports_are_the_fixtures_exports() {
    for kind in NativeKind::ALL {
        let wasm = tests::fixture_bytes(kind.fixture_name());
        let module = cw_runtime::validate(&wasm, &cw_runtime::ValidationConfig::default()).unwrap();
        for entry in EntryPoint::ALL {
            let exported = module.exports.iter().any(|e| e == entry.export_name());
            assert_eq!(kind.exports_entry(entry), exported, "{kind} {entry:?}");
        }
    }
}

#[test]
fn migrate_matches() {
    for (kind, init) in [
        (NativeKind::Cw20Base, cw20_init()),
        (
            NativeKind::Cw721Base,
            json!({"name": "N", "symbol": "S", "collection_info_extension": null,
                   "minter": null, "creator": null, "withdraw_address": null}),
        ),
    ] {
        let mut pair = Pair::new(kind);
        let result = pair.step(EntryPoint::Instantiate, START, Some(&addr("alice")), &init);
        assert!(result.unwrap().unwrap().starts_with(br#"{"ok":"#));
        for msg in [
            json!({}),
            json!({"with_update": {"minter": null, "creator": null}}),
        ] {
            let result = pair.step(EntryPoint::Migrate, START, None, &msg).unwrap();
            println!("{kind} migrate {msg}: {:?}", result.map(String::from_utf8));
        }
    }
}

/// Runs `msg` natively with `gas_limit` over `map`.
fn native_call(
    entry: EntryPoint,
    msg: &serde_json::Value,
    map: &Map,
    gas_limit: u64,
) -> (cw_host::CallResult, cw_gas::GasMeter<CosmWasmSchedule>) {
    let env = START.env();
    let info = info(&addr("alice"));
    let msg = serde_json::to_vec(msg).unwrap();
    let input = CallInput {
        entry,
        env: &env,
        info: (entry != EntryPoint::Query).then_some(info.as_slice()),
        msg: &msg,
    };
    let mut contract = NativeContract::new(NativeKind::Cw20Base);
    let (result, backend) = contract.call(input, backend(entry, map, gas_limit));
    (result.expect("no node fault"), backend.gas)
}

#[test]
fn out_of_gas_stops_the_call_and_reports_the_limit() {
    let map = Map::default();
    let (result, full) = native_call(EntryPoint::Instantiate, &cw20_init(), &map, 1 << 50);
    assert!(result.unwrap().starts_with(br#"{"ok":"#));
    let needed = full.used().as_u64();
    assert!(full.used_by(GasCategory::Storage).as_u64() > 0);
    assert!(full.used_by(GasCategory::WasmOps).as_u64() > 0);

    // Every limit below what the call needs fails it with OutOfGas, the
    // meter at its limit; one that leaves nothing for the first charge
    // leaves the store untouched.
    for limit in [0, 1, needed / 2, needed - 1] {
        let map = Map::default();
        let (result, gas) = native_call(EntryPoint::Instantiate, &cw20_init(), &map, limit);
        assert_eq!(result, Err(VmFailure::OutOfGas), "limit {limit}");
        assert_eq!(gas.used().as_u64(), limit);
        assert!(gas.is_exhausted());
        if limit <= 1 {
            assert!(dump(&map).is_empty());
        }
    }
    // Gas is deterministic: the same call on the same state costs the same.
    let (_, again) = native_call(
        EntryPoint::Instantiate,
        &cw20_init(),
        &Map::default(),
        1 << 50,
    );
    assert_eq!(again.used(), full.used());
}

#[test]
fn queries_are_read_only_and_priced() {
    let map = Map::default();
    native_call(EntryPoint::Instantiate, &cw20_init(), &map, 1 << 50)
        .0
        .unwrap();
    let before = dump(&map);
    let balance = json!({"balance": {"address": addr("alice")}});
    let (result, gas) = native_call(EntryPoint::Query, &balance, &map, 1 << 50);
    let ok = serde_json::from_slice::<serde_json::Value>(&result.unwrap()).unwrap();
    // {"ok": base64 of {"balance":"1000"}}
    assert_eq!(ok, json!({"ok": "eyJiYWxhbmNlIjoiMTAwMCJ9"}));
    assert_eq!(dump(&map), before);
    assert!(gas.used_by(GasCategory::Storage).as_u64() > 0);
}

/// The same comparison under the NEAR schedule: equal results and stores,
/// equal gas in every category but `wasm_ops`, which holds the estimate
/// priced in NEAR gas.
#[test]
fn near_schedule_prices_the_same_accesses() {
    use cw_gas::{CostTable, NearGas, NearSchedule};
    use cw_runtime::{CompileConfig, InstanceOptions, ValidationConfig, WasmContract};
    use std::sync::Arc;

    let table = NearSchedule::default();
    let wasm = tests::fixture_bytes("cw20_base");
    let config = CompileConfig {
        table,
        stack_limit_bytes: Some(cw_gas::middleware::DEFAULT_STACK_LIMIT_BYTES),
        validation: ValidationConfig::default(),
    };
    let module = cw_runtime::compile(&wasm, &config).unwrap().0;
    let mut wasm = WasmContract::new(module, InstanceOptions::default());
    let mut native = NativeContract::new(NativeKind::Cw20Base);
    let (wasm_map, native_map) = (Map::default(), Map::default());
    let near_backend = |entry: EntryPoint, map: &Map| cw_host::CallBackend {
        storage: Box::new(map.clone()),
        api: Arc::new(cw_host::Bech32Api::default()),
        querier: Box::new(cw_host::testing::MockQuerier::new()),
        gas: cw_gas::GasMeter::new(table, NearGas::new(300_000_000_000_000)),
        call: cw_host::CallState::for_entry_point(entry),
        debug: Box::new(|_: &str, _: cw_host::DebugInfo| {}),
    };
    let env = START.env();
    let alice = info(&addr("alice"));
    let calls = [
        (
            EntryPoint::Instantiate,
            serde_json::to_vec(&cw20_init()).unwrap(),
        ),
        (
            EntryPoint::Execute,
            serde_json::to_vec(&json!({"transfer": {"recipient": addr("bob"), "amount": "5"}}))
                .unwrap(),
        ),
    ];
    for (entry, msg) in calls {
        let input = CallInput {
            entry,
            env: &env,
            info: Some(&alice),
            msg: &msg,
        };
        let (wasm_result, wasm_backend) = wasm.call(input, near_backend(entry, &wasm_map));
        let (native_result, native_backend) = native.call(input, near_backend(entry, &native_map));
        assert_eq!(wasm_result, native_result);
        assert!(native_result.unwrap().unwrap().starts_with(br#"{"ok":"#));
        assert_eq!(dump(&wasm_map), dump(&native_map));
        for category in GasCategory::ALL {
            let (w, n) = (
                wasm_backend.gas.used_by(category),
                native_backend.gas.used_by(category),
            );
            if category == GasCategory::WasmOps {
                let estimate = NativeKind::Cw20Base.estimated_operators(entry);
                assert_eq!(n, estimate.price(&table).unwrap());
                // The estimate is a mean over many calls, so within a factor
                // of two of this one.
                assert!(
                    n.as_u64() / 2 <= w.as_u64() && w.as_u64() <= n.as_u64() * 2,
                    "{w} vs {n}"
                );
                assert!(table.operator(cw_gas::OperatorClass::Plain).as_u64() > 0);
            } else {
                assert_eq!(w, n, "{category}");
            }
        }
    }
}
