//! The chain's shared state and one contract call at the byte boundary:
//! the namespaced storage handle, the env JSON, the backend, the gas.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use cosmwasm_std::{Binary, DenomMetadata};

use cw_gas::{CostTable, GasMeter, GasQuantity, GasReport};
use cw_host::{
    Api, BackendError, CallBackend, CallInput, CallOutcome, CallState, Checksum, DebugHandler,
    EntryPoint, HostLimits, KeyRange, Order, Record, Storage, TracingDebugHandler,
};
use serde::{Deserialize, Serialize};

use super::error::ChainError;
use super::json::{BlockJson, ContractJson, EnvJson, TransactionJson};
use super::keys;
use super::runner::{Executor, Runner};
use super::store::{Checkpoint, TxStore};
use super::tx_info::{TxCounter, TxInfo};

/// A stored code.
pub(crate) struct StoredCode<T: CostTable> {
    pub creator: String,
    pub checksum: Checksum,
    pub runner: Runner<T>,
    /// The code's `cw_migrate_version` custom section (wasmvm's
    /// `AnalysisReport.ContractMigrateVersion`).
    pub migrate_version: Option<u64>,
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

pub(crate) struct Shared<T: CostTable> {
    pub table: T,
    pub api: Arc<dyn Api + Send + Sync>,
    /// The bech32 prefix of account addresses, when the chain knows it
    /// (wasmd's `ibc2_port` strips it).
    pub account_prefix: Option<String>,
    pub limits: HostLimits,
    pub debug: DebugFactory,
    pub max_call_depth: u32,
    pub store: Mutex<TxStore>,
    pub codes: RwLock<Vec<Arc<StoredCode<T>>>>,
    pub block: Mutex<BlockState>,
    pub tx_counter: Mutex<TxCounter>,
    /// The bank's denomination metadata, by base denomination.
    pub denom_metadata: BTreeMap<String, DenomMetadata>,
    pub executor: Executor<T>,
}

/// One contract call at the byte boundary.
pub(crate) struct CallSpec<'a, T: CostTable> {
    pub address: &'a str,
    pub code: &'a StoredCode<T>,
    pub entry: EntryPoint,
    pub info: Option<&'a [u8]>,
    pub msg: &'a [u8],
    pub gas_limit: T::Gas,
    /// 0 for a call of a transaction; `n` for a smart query at nesting `n`.
    pub query_depth: u32,
    /// `env.transaction` of this call and of the queries it makes.
    pub transaction: Option<TxInfo>,
}

/// A checkpoint of the chain's store that rolls back when dropped without
/// [`CheckpointGuard::commit`]: on an error path, and also when a panic
/// unwinds through the operation, so an embedder that catches the panic
/// finds the state as it was before.
pub(crate) struct CheckpointGuard<'s> {
    store: &'s Mutex<TxStore>,
    checkpoint: Option<Checkpoint>,
}

impl<'s> CheckpointGuard<'s> {
    pub(crate) fn open(store: &'s Mutex<TxStore>) -> Self {
        let checkpoint = lock(store).checkpoint();
        Self {
            store,
            checkpoint: Some(checkpoint),
        }
    }

    /// Keeps the changes.
    pub(crate) fn commit(mut self) {
        if let Some(checkpoint) = self.checkpoint.take() {
            lock(self.store).commit(checkpoint);
        }
    }

    /// Undoes the changes (as dropping does).
    pub(crate) fn rollback(self) {}
}

impl Drop for CheckpointGuard<'_> {
    fn drop(&mut self) {
        if let Some(checkpoint) = self.checkpoint.take() {
            lock(self.store).rollback(checkpoint);
        }
    }
}

/// Locks ignoring poisoning: a panic while the lock was held cannot leave
/// the store half-written (every store method completes or changes
/// nothing), and a panic inside an operation is undone by its
/// [`CheckpointGuard`].
pub(crate) fn lock<X>(m: &Mutex<X>) -> MutexGuard<'_, X> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl<T: CostTable> Shared<T> {
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
            .and_then(|bytes| cosmwasm_std::from_json(&bytes).ok())
    }

    /// The `Env` JSON wasmvm sends (`types/env.go`): block, transaction
    /// (`null` outside a transaction), contract.
    pub(crate) fn env_json(&self, contract: &str, transaction: Option<&TxInfo>) -> Vec<u8> {
        let block = lock(&self.block).clone();
        let env = EnvJson {
            block: BlockJson {
                height: block.height,
                time: block.time_nanos.to_string(),
                chain_id: &block.chain_id,
            },
            transaction: transaction.map(|tx| TransactionJson {
                index: tx.index,
                hash: Binary::from(tx.hash.to_vec()),
            }),
            contract: ContractJson { address: contract },
        };
        cosmwasm_std::to_json_vec(&env).unwrap_or_default()
    }

    /// The limits a call's imports get: the chain's, except that the host
    /// lets one more level of queries through. wasmd counts only smart
    /// queries against its query depth (`QuerySmart` →
    /// `checkAndIncreaseQueryStackSize`, `x/wasm/keeper/keeper.go`), so
    /// the chain's querier applies `max_query_depth` to smart queries and a
    /// contract at the deepest level may still make raw, bank and
    /// contract-info queries.
    fn call_limits(&self) -> HostLimits {
        let mut limits = self.limits;
        limits.max_query_depth = limits.max_query_depth.saturating_add(1);
        limits
    }

    /// Calls `call.entry` of the contract at `call.address`; returns the
    /// result bytes or failure, the call's gas report and the gas used.
    pub(crate) fn call(
        self: &Arc<Self>,
        call: CallSpec<'_, T>,
    ) -> (CallOutcome, GasReport, T::Gas) {
        let env = self.env_json(call.address, call.transaction.as_ref());
        let backend = CallBackend {
            storage: Box::new(ContractStorage {
                shared: Arc::clone(self),
                prefix: keys::contract_store(call.address),
            }),
            api: Arc::clone(&self.api),
            querier: Box::new(super::querier::ChainQuerier {
                shared: Arc::clone(self),
                transaction: call.transaction,
            }),
            gas: GasMeter::new(self.table.clone(), call.gas_limit),
            call: CallState::for_entry_point(call.entry)
                .with_limits(self.call_limits())
                .with_query_depth(call.query_depth),
            debug: (self.debug)(),
        };
        let mut contract = call.code.runner.contract();
        let input = CallInput {
            entry: call.entry,
            env: &env,
            info: call.info,
            msg: call.msg,
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
struct ContractStorage<T: CostTable> {
    shared: Arc<Shared<T>>,
    prefix: Vec<u8>,
}

impl<T: CostTable> ContractStorage<T> {
    fn key(&self, key: &[u8]) -> Vec<u8> {
        let mut full = Vec::with_capacity(self.prefix.len() + key.len());
        full.extend_from_slice(&self.prefix);
        full.extend_from_slice(key);
        full
    }
}

impl<T: CostTable> Storage for ContractStorage<T> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, BackendError> {
        Ok(lock(&self.shared.store).get(&self.key(key)))
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
pub(crate) fn prefix_end(prefix: &[u8]) -> Vec<u8> {
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
