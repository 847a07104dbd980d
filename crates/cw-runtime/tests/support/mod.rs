//! Test doubles shared by the runtime's integration tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use cosmwasm_std::testing::{message_info, mock_env};
use cosmwasm_std::{Addr, to_json_vec};
use cw_gas::{CosmWasmSchedule, CwGas, GasMeter};
use cw_host::wasmer::CallBackend;
use cw_host::{
    BackendError, Bech32Api, CallState, EntryPoint, KeyRange, Order, Record, Storage,
    TracingDebugHandler,
};

pub type Map = Arc<Mutex<BTreeMap<Vec<u8>, Vec<u8>>>>;

/// Our side: a shared map the test can dump.
pub struct Shared(pub Map);

impl Storage for Shared {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, BackendError> {
        Ok(self.0.lock().unwrap().get(key).cloned())
    }
    fn set(&mut self, key: &[u8], value: &[u8]) -> Result<(), BackendError> {
        self.0.lock().unwrap().insert(key.to_vec(), value.to_vec());
        Ok(())
    }
    fn remove(&mut self, key: &[u8]) -> Result<(), BackendError> {
        self.0.lock().unwrap().remove(key);
        Ok(())
    }
    fn seek(
        &self,
        range: KeyRange<'_>,
        order: Order,
        after: Option<&[u8]>,
    ) -> Result<Option<Record>, BackendError> {
        let map = self.0.lock().unwrap();
        let mut candidates = map.iter().filter(|(k, _)| range.contains(k));
        let found = match order {
            Order::Ascending => candidates.find(|(k, _)| after.is_none_or(|a| k.as_slice() > a)),
            Order::Descending => candidates
                .rev()
                .find(|(k, _)| after.is_none_or(|a| k.as_slice() < a)),
        };
        Ok(found.map(|(k, v)| (k.clone(), v.clone())))
    }
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
