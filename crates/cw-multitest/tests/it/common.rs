//! Helpers shared by the test modules: the fixtures as `WasmCode`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock, PoisonError};

use cosmwasm_std::Empty;
use cw_multi_test::Contract;
use cw_multitest::WasmCode;

/// The path of a fixture, looked up (and its freshness checked) once per
/// process.
pub fn fixture(name: &str) -> PathBuf {
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
pub fn wasm(name: &str) -> Box<dyn Contract<Empty>> {
    Box::new(code(name))
}

/// The fixture `name` as a `WasmCode`.
pub fn code(name: &str) -> WasmCode {
    WasmCode::from_file(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// `who`'s bank balance of `denom`.
pub fn bank_balance(app: &cw_multi_test::App, who: &cosmwasm_std::Addr, denom: &str) -> u128 {
    let amount = app
        .wrap()
        .query_balance(who, denom)
        .unwrap_or_else(|e| panic!("{e}"))
        .amount;
    cosmwasm_std::Uint128::try_from(amount)
        .unwrap_or_else(|e| panic!("{e}"))
        .u128()
}
