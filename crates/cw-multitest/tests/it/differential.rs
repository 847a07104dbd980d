//! The Wasm path against native implementations of the same contract, on
//! one App script each: responses (events, data), query answers and the
//! contract's storage, byte for byte.
//!
//! - The probe (a cosmwasm-std 3 contract) as Wasm and as cw-multi-test's
//!   own `ContractWrapper` over its Rust entry points.
//! - cw20-base 2.0.0 as Wasm and natively: cw-plus publishes no cw20-base
//!   that builds against cosmwasm-std 3 (2.0.0 is the latest, on
//!   cosmwasm-std 2), so no `ContractWrapper` of it can live in a
//!   cw-multi-test 3 App; cw-fallback's emulator (the same published
//!   crate compiled natively, behind cw-host's entry-point trait) stands
//!   in for it, through `NativeCode`.

use cosmwasm_std::{Addr, Binary, Empty, Order, Record, StdResult};
use cw_fallback::NativeKind;
use cw_gas::CosmWasmSchedule;
use cw_multi_test::{App, AppResponse, Contract, ContractWrapper, Executor};
use cw_multitest::NativeCode;
use serde::Serialize;

use crate::common::wasm;

/// One step of a script and what it returned.
#[derive(Debug, PartialEq)]
enum Seen {
    Response(Vec<cosmwasm_std::Event>, Option<Binary>),
    Failed,
    Query(Binary),
}

fn seen(result: StdResult<AppResponse>) -> Seen {
    match result {
        Ok(response) => Seen::Response(response.events, response.data),
        Err(_) => Seen::Failed,
    }
}

/// A runnable step.
enum Step {
    Execute(Addr, serde_json::Value),
    Query(serde_json::Value),
    Sudo(serde_json::Value),
    Migrate(serde_json::Value),
}

fn json<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `steps` on a contract of `code` instantiated by `creator` with
/// `init`; returns what each step gave and the contract's storage.
fn run(
    code: Box<dyn Contract<Empty>>,
    creator: &Addr,
    init: &serde_json::Value,
    steps: &[Step],
) -> (Vec<Seen>, Vec<Record>) {
    let mut app = App::default();
    let code_id = app.store_code(code);
    let contract = app
        .instantiate_contract(
            code_id,
            creator.clone(),
            init,
            &[],
            "subject",
            Some(creator.to_string()),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let mut seen_steps = Vec::new();
    for step in steps {
        seen_steps.push(match step {
            Step::Execute(sender, msg) => {
                seen(app.execute_contract(sender.clone(), contract.clone(), msg, &[]))
            }
            Step::Query(msg) => match app.wrap().query_wasm_smart::<Binary>(&contract, msg) {
                // Answers are compared as the bytes the contract returned.
                Ok(bytes) => Seen::Query(bytes),
                Err(_) => match app
                    .wrap()
                    .query_wasm_smart::<serde_json::Value>(&contract, msg)
                {
                    Ok(value) => {
                        Seen::Query(Binary::from(serde_json::to_vec(&value).unwrap_or_default()))
                    }
                    Err(_) => Seen::Failed,
                },
            },
            Step::Sudo(msg) => seen(app.wasm_sudo(contract.clone(), msg)),
            Step::Migrate(msg) => {
                seen(app.migrate_contract(creator.clone(), contract.clone(), msg, code_id))
            }
        });
    }
    let mut storage = app.dump_wasm_raw(&contract);
    storage.sort();
    (seen_steps, storage)
}

fn probe_native() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            probe::contract::execute,
            probe::contract::instantiate,
            probe::contract::query,
        )
        .with_sudo(probe::contract::sudo)
        .with_migrate(probe::contract::migrate)
        .with_reply(probe::contract::reply),
    )
}

#[test]
fn probe_wasm_equals_its_contract_wrapper() {
    use probe::msg::{ExecuteMsg, MigrateMsg, QueryMsg, ScanArgs, ScanMode, SudoMsg};
    let api = cosmwasm_std::testing::MockApi::default();
    let owner = api.addr_make("owner");
    let bytes = |b: &[u8]| Binary::from(b.to_vec());
    let write = |k: &[u8], v: &[u8]| ExecuteMsg::Write {
        key: bytes(k),
        value: bytes(v),
    };
    let scan = |order: Order| ScanArgs {
        start: Some(bytes(b"b")),
        end: None,
        order,
        limit: Some(10),
        mode: ScanMode::Pairs,
    };
    let steps = vec![
        Step::Execute(owner.clone(), json(&write(b"a", b"1"))),
        Step::Execute(owner.clone(), json(&write(b"b", b"22"))),
        Step::Execute(owner.clone(), json(&write(b"c", b"333"))),
        Step::Execute(owner.clone(), json(&write(b"b\0", b"x"))),
        Step::Execute(owner.clone(), json(&ExecuteMsg::Read { key: bytes(b"b") })),
        Step::Execute(
            owner.clone(),
            json(&ExecuteMsg::Scan(scan(Order::Ascending))),
        ),
        Step::Execute(
            owner.clone(),
            json(&ExecuteMsg::Scan(scan(Order::Descending))),
        ),
        Step::Execute(
            owner.clone(),
            json(&ExecuteMsg::Remove { key: bytes(b"a") }),
        ),
        Step::Execute(
            owner.clone(),
            json(&ExecuteMsg::AddrValidate {
                addr: owner.to_string(),
            }),
        ),
        Step::Execute(
            owner.clone(),
            json(&ExecuteMsg::AddrCanonicalize {
                addr: owner.to_string(),
            }),
        ),
        // Refused by both (the texts differ: see the README).
        Step::Execute(
            owner.clone(),
            json(&ExecuteMsg::AddrValidate {
                addr: "Not-An-Address".into(),
            }),
        ),
        Step::Execute(owner.clone(), json(&ExecuteMsg::Fail { msg: "no".into() })),
        Step::Query(json(&QueryMsg::Read { key: bytes(b"c") })),
        Step::Query(json(&QueryMsg::Scan(scan(Order::Ascending)))),
        Step::Query(json(&QueryMsg::Echo {
            data: bytes(b"\"echo\""),
        })),
        Step::Sudo(json(&SudoMsg::Echo {
            data: bytes(b"sudo"),
        })),
        Step::Migrate(json(&MigrateMsg {
            version: "v2".into(),
        })),
    ];
    let init = json(&probe::msg::InstantiateMsg {});
    let (wasm_seen, wasm_storage) = run(wasm("probe"), &owner, &init, &steps);
    let (native_seen, native_storage) = run(probe_native(), &owner, &init, &steps);
    assert_eq!(wasm_seen.len(), steps.len());
    for (i, (w, n)) in wasm_seen.iter().zip(&native_seen).enumerate() {
        assert_eq!(w, n, "step {i}");
    }
    assert_eq!(wasm_storage, native_storage);
    assert!(wasm_storage.iter().any(|(k, _)| k == b"c"));
}

#[test]
fn cw20_wasm_equals_the_native_cw20_base() {
    use cosmwasm_std_v2::Uint128;
    use cw20_base::msg::{ExecuteMsg, InstantiateMsg, QueryMsg};
    let api = cosmwasm_std::testing::MockApi::default();
    let alice = api.addr_make("alice");
    let bob = api.addr_make("bob");
    let init = json(&InstantiateMsg {
        name: "Cash Token".into(),
        symbol: "CASH".into(),
        decimals: 6,
        initial_balances: vec![cw20::Cw20Coin {
            address: alice.to_string(),
            amount: Uint128::new(5_000),
        }],
        mint: Some(cw20::MinterResponse {
            minter: alice.to_string(),
            cap: Some(Uint128::new(1_000_000)),
        }),
        marketing: None,
    });
    let amount = Uint128::new;
    let steps = vec![
        Step::Execute(
            alice.clone(),
            json(&ExecuteMsg::Transfer {
                recipient: bob.to_string(),
                amount: amount(1_200),
            }),
        ),
        Step::Execute(
            bob.clone(),
            json(&ExecuteMsg::Transfer {
                recipient: alice.to_string(),
                amount: amount(5_000),
            }),
        ),
        Step::Execute(
            alice.clone(),
            json(&ExecuteMsg::IncreaseAllowance {
                spender: bob.to_string(),
                amount: amount(700),
                expires: None,
            }),
        ),
        Step::Execute(
            bob.clone(),
            json(&ExecuteMsg::TransferFrom {
                owner: alice.to_string(),
                recipient: bob.to_string(),
                amount: amount(300),
            }),
        ),
        Step::Execute(
            alice.clone(),
            json(&ExecuteMsg::Burn {
                amount: amount(100),
            }),
        ),
        Step::Execute(
            alice.clone(),
            json(&ExecuteMsg::Mint {
                recipient: bob.to_string(),
                amount: amount(42),
            }),
        ),
        Step::Execute(
            bob.clone(),
            json(&ExecuteMsg::Mint {
                recipient: bob.to_string(),
                amount: amount(1),
            }),
        ),
        Step::Execute(
            alice.clone(),
            json(&ExecuteMsg::Transfer {
                recipient: "bad address".into(),
                amount: amount(1),
            }),
        ),
        Step::Query(json(&QueryMsg::Balance {
            address: bob.to_string(),
        })),
        Step::Query(json(&QueryMsg::TokenInfo {})),
        Step::Query(json(&QueryMsg::AllAccounts {
            start_after: None,
            limit: None,
        })),
        Step::Query(json(&QueryMsg::AllAllowances {
            owner: alice.to_string(),
            start_after: None,
            limit: None,
        })),
        Step::Migrate(json(&cw20_base::msg::MigrateMsg {})),
    ];
    let native = NativeCode::new("cw20_base native", || {
        NativeKind::Cw20Base.contract::<CosmWasmSchedule>()
    });
    let native_log = native.gas_log();
    let (wasm_seen, wasm_storage) = run(wasm("cw20_base"), &alice, &init, &steps);
    let (native_seen, native_storage) = run(Box::new(native), &alice, &init, &steps);
    for (i, (w, n)) in wasm_seen.iter().zip(&native_seen).enumerate() {
        assert_eq!(w, n, "step {i}");
    }
    assert_eq!(wasm_seen.len(), native_seen.len());
    assert!(
        matches!(wasm_seen[1], Seen::Failed),
        "bob cannot send 5,000"
    );
    assert_eq!(wasm_storage, native_storage);
    assert!(wasm_storage.len() > 5);
    // The native path records its (estimated) gas the same way.
    assert!(native_log.records().iter().all(|r| r.gas.as_u64() > 0));
}
