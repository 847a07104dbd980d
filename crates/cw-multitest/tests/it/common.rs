//! Helpers shared by the test modules: the fixtures as `WasmCode`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock, PoisonError};

use cosmwasm_std::Empty;
use cw_multi_test::Contract;
use cw_multitest::WasmCode;

/// The path of a fixture, looked up (and its freshness checked) once per
/// process.
pub(crate) fn fixture(name: &str) -> PathBuf {
    static PATHS: OnceLock<Mutex<BTreeMap<String, PathBuf>>> = OnceLock::new();
    let paths = PATHS.get_or_init(Mutex::default);
    let mut paths = paths.lock().unwrap_or_else(PoisonError::into_inner);
    paths
        .entry(name.to_owned())
        .or_insert_with(|| tests::fixture_path(name))
        .clone()
}

/// The fixture `name` as cw-multi-test code: the one line that differs
/// from a cw-plus suite, whose `contract_*()` returns a `ContractWrapper`.
pub(crate) fn wasm(name: &str) -> Box<dyn Contract<Empty>> {
    Box::new(code(name))
}

/// The fixture `name` as a `WasmCode`.
pub(crate) fn code(name: &str) -> WasmCode {
    WasmCode::from_file(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// `who`'s bank balance of `denom`.
pub(crate) fn bank_balance(
    app: &cw_multi_test::App,
    who: &cosmwasm_std::Addr,
    denom: &str,
) -> u128 {
    let amount = app
        .wrap()
        .query_balance(who, denom)
        .unwrap_or_else(|e| panic!("{e}"))
        .amount;
    cosmwasm_std::Uint128::try_from(amount)
        .unwrap_or_else(|e| panic!("{e}"))
        .u128()
}

/// Storage key under which [`native_mock`] keeps the last message it
/// executed.
pub(crate) const MOCK_LAST_EXECUTE: &[u8] = b"mock/last_execute";

/// A native `ContractWrapper` mock: `execute` stores its message (any
/// JSON) under [`MOCK_LAST_EXECUTE`]; `query` answers
/// `{"price": 42, "echo": <the query>}`.
pub(crate) fn native_mock() -> Box<dyn Contract<Empty>> {
    use cosmwasm_std::{
        Binary, Deps, DepsMut, Env, MessageInfo, Response, StdResult, to_json_binary, to_json_vec,
    };
    fn instantiate(_: DepsMut, _: Env, _: MessageInfo, _: Empty) -> StdResult<Response> {
        Ok(Response::new())
    }
    fn execute(
        deps: DepsMut,
        _: Env,
        _: MessageInfo,
        msg: serde_json::Value,
    ) -> StdResult<Response> {
        deps.storage.set(MOCK_LAST_EXECUTE, &to_json_vec(&msg)?);
        Ok(Response::new().add_attribute("mock", "executed"))
    }
    fn query(_: Deps, _: Env, msg: serde_json::Value) -> StdResult<Binary> {
        to_json_binary(&serde_json::json!({ "price": 42, "echo": msg }))
    }
    Box::new(cw_multi_test::ContractWrapper::new(
        execute,
        instantiate,
        query,
    ))
}

/// Instantiates the probe (`code_id`) as `creator`, with `creator` as its
/// admin.
pub(crate) fn instantiate_probe(
    app: &mut cw_multi_test::App,
    code_id: u64,
    creator: &cosmwasm_std::Addr,
) -> cosmwasm_std::Addr {
    use cw_multi_test::Executor as _;
    app.instantiate_contract(
        code_id,
        creator.clone(),
        &probe::msg::InstantiateMsg {},
        &[],
        "probe",
        Some(creator.to_string()),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}
