//! Test doubles shared by the runtime's integration tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use cosmwasm_std::testing::{message_info, mock_env};
use cosmwasm_std::{Addr, to_json_vec};
use cw_gas::{CosmWasmSchedule, CwGas, GasMeter};
use cw_host::testing::MockStorage;
use cw_host::wasmer::CallBackend;
use cw_host::{
    BackendError, Bech32Api, CallState, EntryPoint, KeyRange, Order, Record, Storage,
    TracingDebugHandler,
};

/// A store both the test and the contract see.
pub type Map = Arc<Mutex<MockStorage>>;

/// Our side's storage: the shared mock store.
pub struct Shared(pub Map);

impl Storage for Shared {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, BackendError> {
        self.0.lock().unwrap().get(key)
    }
    fn set(&mut self, key: &[u8], value: &[u8]) -> Result<(), BackendError> {
        self.0.lock().unwrap().set(key, value)
    }
    fn remove(&mut self, key: &[u8]) -> Result<(), BackendError> {
        self.0.lock().unwrap().remove(key)
    }
    fn seek(
        &self,
        range: KeyRange<'_>,
        order: Order,
        after: Option<&[u8]>,
    ) -> Result<Option<Record>, BackendError> {
        self.0.lock().unwrap().seek(range, order, after)
    }
}

/// Everything in `map`, sorted by key.
pub fn dump(map: &Map) -> BTreeMap<Vec<u8>, Vec<u8>> {
    map.lock().unwrap().as_map().clone()
}

/// Stores `value` at `key` in `map`.
pub fn put(map: &Map, key: &[u8], value: &[u8]) {
    map.lock().unwrap().set(key, value).unwrap();
}

/// A call backend over `map` with free storage and `gas_limit`.
pub fn backend(entry: EntryPoint, map: &Map, gas_limit: u64) -> CallBackend<CosmWasmSchedule> {
    CallBackend {
        storage: Box::new(Shared(map.clone())),
        api: Arc::new(Bech32Api::default()),
        querier: Box::new(cw_host::testing::MockQuerier::new()),
        gas: GasMeter::new(CosmWasmSchedule::with_free_storage(), CwGas::new(gas_limit)),
        call: CallState::for_entry_point(entry),
        debug: Box::new(TracingDebugHandler),
    }
}

/// cosmwasm-std's `mock_env()` as JSON.
pub fn env_bytes() -> Vec<u8> {
    to_json_vec(&mock_env()).unwrap()
}

/// A `MessageInfo` from `sender` without funds, as JSON.
pub fn info_bytes(sender: &str) -> Vec<u8> {
    to_json_vec(&message_info(&Addr::unchecked(sender), &[])).unwrap()
}
