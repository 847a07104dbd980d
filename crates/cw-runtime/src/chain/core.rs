//! The chain's shared state and one contract call at the byte boundary:
//! the namespaced storage handle, the env JSON, the backend, the gas.

use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use cw_gas::{CostTable, GasMeter, GasQuantity, GasReport};
use cw_host::{
    Api, BackendError, CallBackend, CallInput, CallState, DebugHandler, EntryPoint, HostLimits,
    KeyRange, Order, Record, Storage, TracingDebugHandler, VmFailure,
};
use serde::{Deserialize, Serialize};

use super::error::ChainError;
use super::json::{BlockJson, ContractJson, EnvJson, TransactionJson};
use super::keys;
use super::runner::{Executor, Runner};
use super::store::TxStore;

/// A stored code.
pub(crate) struct StoredCode<T: CostTable> {
    pub creator: String,
    pub checksum: [u8; 32],
    pub runner: Runner<T>,
}

/// A contract's registry record (kept in the [`TxStore`], so instantiation
/// rolls back with everything else).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractRecord {
    /// The code it runs.
    pub code_id: u64,
    /// Who instantiated it.
    pub creator: String,
    /// Who may migrate it and change its admin.
    pub admin: Option<String>,
    /// Its label.
    pub label: String,
}

/// Block information contracts see in `env.block`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockState {
    /// Block height.
    pub height: u64,
    /// Block time in nanoseconds since the Unix epoch.
    pub time_nanos: u64,
    /// The chain id.
    pub chain_id: String,
}

/// Makes the `debug` handler of each call.
pub type DebugFactory = Arc<dyn Fn() -> Box<dyn DebugHandler + Send> + Send + Sync>;

pub(crate) struct Shared<T: CostTable + Clone> {
    pub table: T,
    pub api: Arc<dyn Api + Send + Sync>,
    pub limits: HostLimits,
    pub debug: DebugFactory,
    pub max_call_depth: u32,
    pub store: Mutex<TxStore>,
    pub codes: RwLock<Vec<Arc<StoredCode<T>>>>,
    pub block: Mutex<BlockState>,
    pub executor: Executor<T>,
}

/// Locks ignoring poisoning: the store is only changed by complete
/// operations, so a panic elsewhere cannot leave it half-written.
pub(crate) fn lock<X>(m: &Mutex<X>) -> MutexGuard<'_, X> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl<T: CostTable + Clone + Send + Sync + 'static> Shared<T> {
    pub(crate) fn code(&self, code_id: u64) -> Result<Arc<StoredCode<T>>, ChainError> {
        let codes = self
            .codes
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        usize::try_from(code_id)
            .ok()
            .and_then(|id| id.checked_sub(1))
            .and_then(|index| codes.get(index).cloned())
            .ok_or(ChainError::NoSuchCode { code_id })
    }

    pub(crate) fn contract_record(&self, address: &str) -> Option<ContractRecord> {
        let store = lock(&self.store);
        store
            .get(&keys::contract(address))
            .and_then(|bytes| cosmwasm_std::from_json(bytes).ok())
    }

    pub(crate) fn env_json(&self, contract: &str, in_transaction: bool) -> Vec<u8> {
        let block = lock(&self.block).clone();
        let env = EnvJson {
            block: BlockJson {
                height: block.height,
                time: block.time_nanos.to_string(),
                chain_id: &block.chain_id,
            },
            transaction: in_transaction.then_some(TransactionJson { index: 0 }),
            contract: ContractJson { address: contract },
        };
        cosmwasm_std::to_json_vec(&env).unwrap_or_default()
    }

    /// Calls `entry` of the contract at `address` with `gas_limit`; returns
    /// the result bytes or failure and the call's gas report.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn call(
        self: &Arc<Self>,
        address: &str,
        code: &StoredCode<T>,
        entry: EntryPoint,
        info: Option<&[u8]>,
        msg: &[u8],
        gas_limit: T::Gas,
        query_depth: u32,
    ) -> (Result<Vec<u8>, VmFailure>, GasReport, T::Gas) {
        let env = self.env_json(address, !entry.is_read_only());
        let backend = CallBackend {
            storage: Box::new(ContractStorage {
                shared: Arc::clone(self),
                prefix: keys::contract_store(address),
            }),
            api: Arc::clone(&self.api),
            querier: Box::new(super::querier::ChainQuerier {
                shared: Arc::clone(self),
            }),
            gas: GasMeter::new(self.table.clone(), gas_limit),
            call: CallState::for_entry_point(entry)
                .with_limits(self.limits)
                .with_query_depth(query_depth),
            debug: (self.debug)(),
        };
        let mut contract = self.executor.contract(&code.runner);
        let input = CallInput {
            entry,
            env: &env,
            info,
            msg,
        };
        let (result, backend) = contract.call(input, backend);
        (result, backend.gas.report(), backend.gas.used())
    }
}

/// The default `debug` handler factory: `tracing`.
pub(crate) fn tracing_debug() -> DebugFactory {
    Arc::new(|| Box::new(TracingDebugHandler))
}

/// A contract's storage: its namespace of the chain's store. Every access
/// locks the store for that access only, so a query made during the call
/// can read other contracts (and this one).
struct ContractStorage<T: CostTable + Clone> {
    shared: Arc<Shared<T>>,
    prefix: Vec<u8>,
}

impl<T: CostTable + Clone> ContractStorage<T> {
    fn key(&self, key: &[u8]) -> Vec<u8> {
        let mut full = Vec::with_capacity(self.prefix.len() + key.len());
        full.extend_from_slice(&self.prefix);
        full.extend_from_slice(key);
        full
    }
}

impl<T: CostTable + Clone> Storage for ContractStorage<T> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, BackendError> {
        Ok(lock(&self.shared.store).get(&self.key(key)).cloned())
    }

    fn set(&mut self, key: &[u8], value: &[u8]) -> Result<(), BackendError> {
        lock(&self.shared.store).set(&self.key(key), value);
        Ok(())
    }

    fn remove(&mut self, key: &[u8]) -> Result<(), BackendError> {
        lock(&self.shared.store).remove(&self.key(key));
        Ok(())
    }

    fn seek(
        &self,
        range: KeyRange<'_>,
        order: Order,
        after: Option<&[u8]>,
    ) -> Result<Option<Record>, BackendError> {
        // The namespace's own range, intersected with the contract's.
        let start = self.key(range.start.unwrap_or(&[]));
        let end = match range.end {
            Some(end) => self.key(end),
            None => prefix_end(&self.prefix),
        };
        let after = after.map(|a| self.key(a));
        let full = KeyRange {
            start: Some(&start),
            end: Some(&end),
        };
        let found = lock(&self.shared.store).seek(full, order, after.as_deref());
        Ok(found.map(|(k, v)| (k[self.prefix.len()..].to_vec(), v)))
    }
}

/// The first key after every key that starts with `prefix`.
fn prefix_end(prefix: &[u8]) -> Vec<u8> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return end;
        }
    }
    // A prefix of only 0xff bytes: no finite bound; the store's keys never
    // reach it because contract prefixes start with a kind byte < 0xff.
    vec![u8::MAX; prefix.len() + 1]
}

/// Converts CosmWasm gas to the table's unit, rounding down.
pub(crate) fn from_cw<G: GasQuantity>(cw: cw_gas::CwGas) -> G {
    match G::UNIT {
        cw_gas::GasUnit::CosmWasm => G::from_u64(cw.as_u64()),
        cw_gas::GasUnit::Near => {
            G::from_u64(cw.to_near_gas().map_or(u64::MAX, |near| near.as_u64()))
        }
    }
}
