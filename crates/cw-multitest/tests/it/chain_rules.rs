//! What the Wasm path refuses where a `ContractWrapper` would not: a
//! panic, a write inside a query, memory beyond the chain's limit.

use cosmwasm_std::Binary;
use cw_multi_test::{App, Executor};
use cw_multitest::CallStatus;

use crate::common::{code, instantiate_probe};

#[test]
fn panics_writes_in_queries_and_memory_growth_fail_the_call() {
    let mut app = App::default();
    let owner = app.api().addr_make("owner");
    let probe_code = code("probe");
    let log = probe_code.gas_log();
    let probe_id = app.store_code(Box::new(probe_code));
    let probe = instantiate_probe(&mut app, probe_id, &owner);

    // A Rust panic in the contract is an abort, not a panic of the test.
    let err = app
        .execute_contract(
            owner.clone(),
            probe.clone(),
            &probe::msg::ExecuteMsg::Panic { msg: "boom".into() },
            &[],
        )
        .unwrap_err();
    assert!(err.to_string().contains("contract aborted"), "{err}");
    assert!(err.to_string().contains("boom"), "{err}");
    assert_eq!(log.last().map(|r| r.status), Some(CallStatus::VmFailure));

    // The host refuses a write in a query before it reaches the App.
    let err = app
        .wrap()
        .query_wasm_smart::<serde_json::Value>(
            &probe,
            &probe::msg::QueryMsg::WriteInQuery {
                key: Binary::from(b"k".as_slice()),
                value: Binary::from(b"v".as_slice()),
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("read-only"), "{err}");
    assert_eq!(app.wrap().query_wasm_raw(&probe, b"k").unwrap(), None);

    // Growing past the 32 MiB instance limit fails inside the contract.
    let err = app
        .execute_contract(
            owner,
            probe,
            &probe::msg::ExecuteMsg::GrowMemory { pages: 1_000 },
            &[],
        )
        .unwrap_err();
    assert!(!err.to_string().is_empty());
    assert_eq!(
        log.last().map(|r| r.status),
        Some(CallStatus::ContractError)
    );
}
