//! `WasmiFactory` behind cw-chain's `ContractFactory` seam: a chain on
//! wasmi and a chain on the Wasmer path (cw-runtime's `ChainBuilder`) run
//! the same transactions and must give the same results, events, gas and
//! state, byte for byte.

use std::sync::Arc;

use cosmwasm_std::{Binary, Coin, to_json_vec};
use cw_chain::{Chain, ExecutionMode, Instantiate};
use cw_gas::CosmWasmSchedule;
use cw_wasmi::{WasmiError, WasmiFactory};
use serde_json::{Value, json};

type Schedule = CosmWasmSchedule;

fn chains() -> (Chain<Schedule>, Chain<Schedule>) {
    let wasmer = cw_runtime::ChainBuilder::new(Schedule::default())
        .build()
        .unwrap();
    let wasmi = cw_chain::ChainBuilder::new(Schedule::default())
        .wasm_factory(Arc::new(WasmiFactory::new(Schedule::default())))
        .build()
        .unwrap();
    (wasmer, wasmi)
}

fn msg(value: &Value) -> Vec<u8> {
    to_json_vec(value).unwrap()
}

/// Runs `tx` on both chains, asserts the same transaction result (gas
/// included) and the same state, and returns the result of the first.
fn same<R: PartialEq + std::fmt::Debug>(
    (wasmer, wasmi): &(Chain<Schedule>, Chain<Schedule>),
    tx: impl Fn(&Chain<Schedule>) -> R,
) -> R {
    let a = tx(wasmer);
    let b = tx(wasmi);
    assert_eq!(a, b);
    assert_eq!(wasmer.dump(), wasmi.dump(), "the states differ");
    a
}

#[test]
fn cw20_and_cw1_on_a_wasmi_chain_match_the_wasmer_chain() {
    let pair = chains();
    let (alice, bob, carol) = same(&pair, |c| {
        (
            c.addr_make("alice").unwrap(),
            c.addr_make("bob").unwrap(),
            c.addr_make("carol").unwrap(),
        )
    });
    same(&pair, |c| {
        c.mint(&alice, &[Coin::new(10_000u128, "ucosm")]).unwrap();
    });
    let store = |fixture: &str| {
        let wasm = tests::fixture_bytes(fixture);
        same(&pair, |c| {
            c.store_code(&alice, &wasm, ExecutionMode::Wasm).unwrap()
        })
    };
    let cw20 = store("cw20_base");
    let cw1 = store("cw1_whitelist");
    let instantiate = |code_id: u64, init: Value, funds: Vec<Coin>| {
        let init = msg(&init);
        let done = same(&pair, |c| {
            c.instantiate(&Instantiate {
                code_id,
                sender: &alice,
                msg: &init,
                funds: &funds,
                admin: None,
                label: "differential",
                salt: None,
            })
            .expect("no node fault")
        });
        done.expect("instantiated").contract_address.unwrap()
    };
    let token = instantiate(
        cw20,
        json!({"name": "Token", "symbol": "TKN", "decimals": 6,
               "initial_balances": [{"address": alice, "amount": "1000"}],
               "mint": {"minter": alice}}),
        vec![],
    );
    let proxy = instantiate(
        cw1,
        json!({"admins": [alice], "mutable": true}),
        vec![Coin::new(500u128, "ucosm")],
    );
    let execute = |sender: &str, contract: &str, body: Value| {
        let body = msg(&body);
        same(&pair, |c| {
            c.execute(sender, contract, &body, &[])
                .expect("no node fault")
        })
    };
    let ok = execute(
        &alice,
        &token,
        json!({"transfer": {"recipient": bob, "amount": "100"}}),
    );
    assert!(ok.is_ok() && ok.unwrap().gas.cosmwasm().as_u64() > 0);
    // A failure: charged alike, nothing changed alike.
    assert!(
        execute(
            &alice,
            &token,
            json!({"transfer": {"recipient": bob, "amount": "5000"}})
        )
        .is_err()
    );
    // A send into the proxy's hook-less address, a mint, and the proxy
    // moving funds by a bank message (dispatch and submessages).
    assert!(
        execute(
            &alice,
            &token,
            json!({"mint": {"recipient": proxy, "amount": "7"}})
        )
        .is_ok()
    );
    let bank = json!({"bank": {"send": {"to_address": carol, "amount": [{"denom": "ucosm", "amount": "5"}]}}});
    assert!(execute(&alice, &proxy, json!({"execute": {"msgs": [bank]}})).is_ok());
    assert!(execute(&bob, &proxy, json!({"execute": {"msgs": [bank]}})).is_err());
    // The proxy moving cw20 tokens it holds: a Wasm call from a Wasm call.
    let transfer = Binary::from(msg(
        &json!({"transfer": {"recipient": carol, "amount": "3"}}),
    ));
    let wasm_msg =
        json!({"wasm": {"execute": {"contract_addr": token, "msg": transfer, "funds": []}}});
    assert!(execute(&alice, &proxy, json!({"execute": {"msgs": [wasm_msg]}})).is_ok());
    let balance = msg(&json!({"balance": {"address": carol}}));
    let answer = same(&pair, |c| c.query(&token, &balance).expect("no node fault"));
    assert_eq!(answer.unwrap().data, br#"{"balance":"3"}"#);
}

#[test]
fn the_factory_refuses_what_validation_refuses_with_a_typed_error() {
    let factory = WasmiFactory::new(Schedule::default());
    // No `interface_version_8`, no `allocate`: not a contract.
    let wasm = wat::parse_str(r#"(module (memory (export "memory") 1))"#).unwrap();
    assert!(matches!(
        factory.compile(&wasm),
        Err(WasmiError::Validation(_))
    ));
    // Not Wasm at all.
    assert!(matches!(
        factory.compile(b"\0asm\x01\0\0\0\x05"),
        Err(WasmiError::Validation(_))
    ));
    // The chain reports it when storing the code, as the Wasmer chain does.
    let pair = chains();
    let alice = same(&pair, |c| c.addr_make("alice").unwrap());
    same(&pair, |c| {
        c.store_code(&alice, &wasm, ExecutionMode::Wasm).is_err()
    });
}
