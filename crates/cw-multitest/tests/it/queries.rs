//! A Wasm contract (the probe) querying through the App: a native
//! `ContractWrapper` mock, the bank, another Wasm contract, itself nested,
//! and a contract that does not exist.

use cosmwasm_std::{
    Addr, BankQuery, Binary, ContractResult, Empty, QueryRequest, SystemResult, WasmQuery, coins,
    from_json, to_json_binary, to_json_vec,
};
use cw_multi_test::{App, AppBuilder, Executor};
use serde_json::{Value, json};

use crate::common::{code, instantiate_probe, native_mock, wasm};

/// Makes the probe run `request` through `query_chain`; returns what its
/// querier answered.
fn query_through_probe(
    app: &mut App,
    probe: &Addr,
    sender: &Addr,
    request: &QueryRequest<Empty>,
) -> SystemResult<ContractResult<Binary>> {
    let msg = probe::msg::ExecuteMsg::QueryChain {
        request: Binary::from(to_json_vec(request).unwrap_or_default()),
    };
    let response = app
        .execute_contract(sender.clone(), probe.clone(), &msg, &[])
        .unwrap_or_else(|e| panic!("{e}"));
    from_json(response.data.unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"))
}

fn ok_json(answer: SystemResult<ContractResult<Binary>>) -> Value {
    match answer {
        SystemResult::Ok(ContractResult::Ok(bytes)) => {
            serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{e}"))
        }
        other => panic!("query failed: {other:?}"),
    }
}

#[test]
fn a_wasm_contract_queries_a_native_mock_the_bank_and_wasm() {
    let owner = cosmwasm_std::testing::MockApi::default().addr_make("owner");
    let mut app = AppBuilder::new().build(|router, _, storage| {
        router
            .bank
            .init_balance(storage, &owner, coins(5_000, "ucosm"))
            .unwrap_or_else(|e| panic!("{e}"));
    });
    let probe_id = app.store_code(wasm("probe"));
    let probe = instantiate_probe(&mut app, probe_id, &owner);
    let mock_id = app.store_code(native_mock());
    let mock = app
        .instantiate_contract(mock_id, owner.clone(), &Empty {}, &[], "mock", None)
        .unwrap();

    // A native mock's smart query.
    let answer = query_through_probe(
        &mut app,
        &probe,
        &owner,
        &QueryRequest::Wasm(WasmQuery::Smart {
            contract_addr: mock.to_string(),
            msg: to_json_binary(&json!({ "price_of": "atom" })).unwrap(),
        }),
    );
    assert_eq!(
        ok_json(answer),
        json!({ "price": 42, "echo": { "price_of": "atom" } })
    );

    // The bank.
    let answer = query_through_probe(
        &mut app,
        &probe,
        &owner,
        &QueryRequest::Bank(BankQuery::Balance {
            address: owner.to_string(),
            denom: "ucosm".into(),
        }),
    );
    assert_eq!(ok_json(answer)["amount"]["amount"], "5000");

    // Another Wasm contract (cw20-base), smart and raw.
    let cw20_id = app.store_code(wasm("cw20_base"));
    let token = crate::cw20::instantiate_token(&mut app, cw20_id, &owner, &[(&owner, 321)], None);
    let answer = query_through_probe(
        &mut app,
        &probe,
        &owner,
        &QueryRequest::Wasm(WasmQuery::Smart {
            contract_addr: token.to_string(),
            msg: to_json_binary(&json!({ "balance": { "address": owner.to_string() } })).unwrap(),
        }),
    );
    assert_eq!(ok_json(answer), json!({ "balance": "321" }));
    let answer = query_through_probe(
        &mut app,
        &probe,
        &owner,
        &QueryRequest::Wasm(WasmQuery::Raw {
            contract_addr: token.to_string(),
            key: Binary::from(b"token_info".as_slice()),
        }),
    );
    assert_eq!(ok_json(answer)["symbol"], "CASH");

    // No such contract: the contract gets the App's error, the call goes on.
    let nobody = app.api().addr_make("nobody");
    let answer = query_through_probe(
        &mut app,
        &probe,
        &owner,
        &QueryRequest::Wasm(WasmQuery::Smart {
            contract_addr: nobody.to_string(),
            msg: to_json_binary(&json!({})).unwrap(),
        }),
    );
    assert!(
        !matches!(answer, SystemResult::Ok(ContractResult::Ok(_))),
        "{answer:?}"
    );
}

/// The probe queries itself three levels deep: each level runs as its own
/// call at its query depth, and each level's gas includes the levels below.
#[test]
fn nested_wasm_queries_run_at_their_depth_and_charge_their_caller() {
    let mut app = App::default();
    let owner = app.api().addr_make("owner");
    let probe_code = code("probe");
    let log = probe_code.gas_log();
    let probe_id = app.store_code(Box::new(probe_code));
    let probe = instantiate_probe(&mut app, probe_id, &owner);
    log.clear();

    let nested: u32 = app
        .wrap()
        .query_wasm_smart(&probe, &probe::msg::QueryMsg::QuerySelf { depth: 3 })
        .unwrap();
    assert_eq!(nested, 3);
    let records = log.records();
    let depths: Vec<u32> = records.iter().map(|r| r.query_depth).collect();
    // Innermost first: each call is recorded when it ends.
    assert_eq!(depths, [3, 2, 1, 0]);
    for pair in records.windows(2) {
        assert!(pair[1].gas > pair[0].gas, "{records:?}");
    }

    // Past wasmd's query depth (10), the innermost query is refused with
    // wasmd's redacted error, which fails every level.
    let err = app
        .wrap()
        .query_wasm_smart::<u32>(&probe, &probe::msg::QueryMsg::QuerySelf { depth: 11 })
        .unwrap_err();
    assert!(err.to_string().contains("code: 27"), "{err}");
}

/// A nested query that runs out of the gas its caller had left makes the
/// whole call run out, as on a chain (not a query error the caller could
/// handle).
#[test]
fn running_out_of_gas_in_a_nested_query_runs_the_caller_out() {
    let mut app = App::default();
    let owner = app.api().addr_make("owner");
    let probe_code = code("probe").with_gas_limit(cw_multitest::CwGas::new(30_000_000));
    let log = probe_code.gas_log();
    let probe_id = app.store_code(Box::new(probe_code));
    let probe = instantiate_probe(&mut app, probe_id, &owner);
    log.clear();
    let err = app
        .wrap()
        .query_wasm_smart::<u32>(&probe, &probe::msg::QueryMsg::QuerySelf { depth: 3 })
        .unwrap_err();
    assert!(err.to_string().contains("out of gas"), "{err}");
    let records = log.records();
    assert!(
        records
            .iter()
            .all(|r| r.status == cw_multitest::CallStatus::OutOfGas),
        "{records:?}"
    );
    assert_eq!(records.last().map(|r| r.query_depth), Some(0));
}

/// A custom message type of the App's: the contract's `{"custom": ...}`
/// messages are deserialized into it and routed to the App's custom
/// module (here cw-multi-test's failing default, whose error names it).
#[test]
fn custom_messages_are_deserialized_into_the_apps_type() {
    use cosmwasm_std::{CosmosMsg, SubMsg};
    #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct MyCustomMsg {}
    impl cosmwasm_std::CustomMsg for MyCustomMsg {}

    let mut app =
        cw_multi_test::BasicAppBuilder::<MyCustomMsg, Empty>::new_custom().build(|_, _, _| {});
    let owner = app.api().addr_make("owner");
    let probe_id = app.store_code(Box::new(code("probe")));
    let probe = app
        .instantiate_contract(
            probe_id,
            owner.clone(),
            &probe::msg::InstantiateMsg {},
            &[],
            "probe",
            None,
        )
        .unwrap();
    let dispatch = probe::msg::ExecuteMsg::Dispatch {
        messages: vec![SubMsg::new(CosmosMsg::Custom(Empty {}))],
    };
    let err = app
        .execute_contract(owner, probe, &dispatch, &[])
        .unwrap_err();
    assert!(format!("{err:?}").contains("MyCustomMsg"), "{err:?}");
}
