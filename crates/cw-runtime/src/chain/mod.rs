//! The chain layer: a set of contracts that behave as they would on a
//! wasmd chain. Code store and contract registry (wasmd address
//! derivation), per-contract storage over one transactional store with
//! nested checkpoints, a bank, message and submessage dispatch with
//! replies, queries between contracts, events, and gas per call.
//!
//! Wasmer-free: with `default-features = false` the chain runs verified
//! native emulators only ([`ExecutionMode::Native`]).

mod address;
mod bank;
mod core;
mod dispatch;
mod error;
mod event;
mod json;
mod keys;
#[cfg(feature = "native")]
mod natives;
mod outcome;
mod querier;
mod runner;
mod store;

use std::sync::{Arc, Mutex, RwLock};

use cosmwasm_std::Coin;

use cw_gas::{CostTable, CwGas};
use cw_host::{Api, Bech32Api, EntryPoint, HostLimits};
use sha2::{Digest, Sha256};

pub use self::address::{classic_address_bytes, instantiate2_address_bytes};
pub use self::bank::{Coins, parse_coins, valid_denom};
pub use self::core::{BlockState, ContractRecord, DebugFactory};
pub use self::dispatch::{GAS_MULTIPLIER, HandledMessage, MessageHandler};
pub use self::error::ChainError;
pub use self::event::{Event, EventAttribute};
pub use self::json::MsgResponseJson;
pub use self::outcome::{CallGas, QueryAnswer, TxFailure, TxGas, TxResult, TxSuccess};
pub use self::runner::{ExecutionMode, NativeFactory, NativeRegistry};
pub use self::store::{Checkpoint, TxStore};

use self::core::{Shared, StoredCode, from_cw, lock};
use self::dispatch::Tx;
use self::runner::Executor;
use crate::validate::ValidationConfig;

/// The default gas limit of one transaction: 300 * 10^9 CosmWasm gas, the
/// CosmWasm equivalent of NEAR's 300 Tgas per-call cap at 1 CosmWasm gas =
/// 1,000 NEAR gas (see docs/gas.md). About 0.3 s of Wasm at the schedules'
/// target speed.
pub const DEFAULT_TX_GAS_LIMIT: CwGas = CwGas::new(300_000_000_000);

/// The default depth of nested contract calls through messages. wasmd has
/// no such limit (gas bounds it); this one keeps the host's own stack
/// bounded whatever the gas limit.
pub const DEFAULT_MAX_CALL_DEPTH: u32 = 64;

/// Settings of a [`Chain`]; build one with [`ChainBuilder`].
pub struct ChainBuilder<T: CostTable + Clone> {
    table: T,
    api: Arc<dyn Api + Send + Sync>,
    block: BlockState,
    tx_gas_limit: CwGas,
    max_call_depth: u32,
    limits: HostLimits,
    debug: DebugFactory,
    natives: NativeRegistry<T>,
    handler: Option<Arc<dyn MessageHandler>>,
    validation: ValidationConfig,
    #[cfg(feature = "engine")]
    cache: Option<Arc<crate::cache::ModuleCache<T>>>,
    #[cfg(feature = "engine")]
    instance: crate::instance::InstanceOptions,
    #[cfg(feature = "engine")]
    pool_limits: crate::instance::PoolLimits,
    #[cfg(feature = "engine")]
    tier_up: Option<crate::cache::TierUp>,
}

impl<T: CostTable + Clone + Send + Sync + 'static> ChainBuilder<T> {
    /// A chain charging `table`, with bech32 addresses prefixed `cosmwasm`,
    /// chain id `cw-chain`, height 1, time 1,700,000,000 s, the default gas
    /// and depth limits, the chain's host limits and `tracing` debug output.
    #[must_use]
    pub fn new(table: T) -> Self {
        Self {
            table,
            api: Arc::new(Bech32Api::default()),
            block: BlockState {
                height: 1,
                time_nanos: 1_700_000_000_000_000_000,
                chain_id: "cw-chain".into(),
            },
            tx_gas_limit: DEFAULT_TX_GAS_LIMIT,
            max_call_depth: DEFAULT_MAX_CALL_DEPTH,
            limits: HostLimits::default(),
            debug: self::core::tracing_debug(),
            natives: NativeRegistry::default(),
            handler: None,
            validation: ValidationConfig::default(),
            #[cfg(feature = "engine")]
            cache: None,
            #[cfg(feature = "engine")]
            instance: crate::instance::InstanceOptions::default(),
            #[cfg(feature = "engine")]
            pool_limits: crate::instance::PoolLimits::default(),
            #[cfg(feature = "engine")]
            tier_up: None,
        }
    }

    /// Addresses through `api` (bech32 with another prefix, NEAR accounts).
    #[must_use]
    pub fn api(mut self, api: Arc<dyn Api + Send + Sync>) -> Self {
        self.api = api;
        self
    }

    /// Bech32 addresses with `prefix`.
    #[must_use]
    pub fn bech32_prefix(mut self, prefix: &str) -> Self {
        self.api = Arc::new(Bech32Api::new(prefix));
        self
    }

    /// The first block.
    #[must_use]
    pub fn block(mut self, block: BlockState) -> Self {
        self.block = block;
        self
    }

    /// The gas limit of each transaction, in CosmWasm gas.
    #[must_use]
    pub fn tx_gas_limit(mut self, limit: CwGas) -> Self {
        self.tx_gas_limit = limit;
        self
    }

    /// The depth limit of nested contract calls.
    #[must_use]
    pub fn max_call_depth(mut self, depth: u32) -> Self {
        self.max_call_depth = depth;
        self
    }

    /// Limits for every call's imports.
    #[must_use]
    pub fn host_limits(mut self, limits: HostLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Where each call's `debug` messages go.
    #[must_use]
    pub fn debug(mut self, factory: DebugFactory) -> Self {
        self.debug = factory;
        self
    }

    /// Registers a verified native build: code whose sha256 is `checksum`
    /// may run on `factory` in [`ExecutionMode::Native`] or `Auto`.
    #[must_use]
    pub fn native(mut self, checksum: [u8; 32], factory: Arc<dyn NativeFactory<T>>) -> Self {
        self.natives.insert(checksum, factory);
        self
    }

    /// Handles the messages the chain does not execute itself (staking,
    /// distribution, IBC, gov, `Any`, custom).
    #[must_use]
    pub fn message_handler(mut self, handler: Arc<dyn MessageHandler>) -> Self {
        self.handler = Some(handler);
        self
    }

    /// Static validation rules for stored code.
    #[must_use]
    pub fn validation(mut self, validation: ValidationConfig) -> Self {
        self.validation = validation;
        self
    }

    /// The module cache Wasm code compiles into (shared with other chains
    /// or kept on disk). Without one, the chain makes an in-memory cache of
    /// 256 MiB with the deterministic stack limit.
    #[cfg(feature = "engine")]
    #[must_use]
    pub fn module_cache(mut self, cache: Arc<crate::cache::ModuleCache<T>>) -> Self {
        self.cache = Some(cache);
        self
    }

    /// Per-instance settings (memory limit).
    #[cfg(feature = "engine")]
    #[must_use]
    pub fn instance_options(mut self, options: crate::instance::InstanceOptions) -> Self {
        self.instance = options;
        self
    }

    /// How many idle instances the chain keeps for reuse (each call runs
    /// on an instance reset to its instantiated state; see
    /// [`crate::instance::InstancePool`]).
    #[cfg(feature = "engine")]
    #[must_use]
    pub fn instance_pool(mut self, limits: crate::instance::PoolLimits) -> Self {
        self.pool_limits = limits;
        self
    }

    /// Recompiles often-called code with Cranelift in the background (see
    /// [`crate::cache::TierUp`]) in the module cache this chain makes; a
    /// cache given with [`module_cache`](Self::module_cache) keeps its own
    /// setting. Off by default.
    #[cfg(feature = "engine")]
    #[must_use]
    pub fn tier_up(mut self, tier_up: crate::cache::TierUp) -> Self {
        self.tier_up = Some(tier_up);
        self
    }

    /// The chain, with no code and no contracts.
    ///
    /// # Errors
    /// [`ChainError::Backend`] if the default module cache cannot be made.
    pub fn build(self) -> Result<Chain<T>, ChainError> {
        #[cfg(feature = "engine")]
        let cache = match self.cache {
            Some(cache) => Some(cache),
            None => {
                let config = crate::compile::CompileConfig {
                    table: self.table.clone(),
                    stack_limit_bytes: Some(cw_gas::middleware::DEFAULT_STACK_LIMIT_BYTES),
                    validation: self.validation.clone(),
                };
                let backend = |e: crate::error::RuntimeError| ChainError::Backend {
                    message: e.to_string(),
                };
                let mut cache =
                    crate::cache::ModuleCache::new(config, 256 << 20, None).map_err(backend)?;
                if let Some(tier_up) = self.tier_up {
                    cache = cache.with_tier_up(tier_up).map_err(backend)?;
                }
                Some(Arc::new(cache))
            }
        };
        let executor = Executor {
            #[cfg(feature = "engine")]
            cache,
            #[cfg(feature = "engine")]
            pool: Arc::new(crate::instance::InstancePool::new(
                self.instance,
                self.pool_limits,
            )),
            validation: self.validation,
            natives: self.natives,
        };
        Ok(Chain {
            shared: Arc::new(Shared {
                table: self.table,
                api: self.api,
                limits: self.limits,
                debug: self.debug,
                max_call_depth: self.max_call_depth,
                store: Mutex::new(TxStore::default()),
                codes: RwLock::new(Vec::new()),
                block: Mutex::new(self.block),
                executor,
            }),
            handler: self.handler,
            tx_gas_limit: self.tx_gas_limit,
            tx_lock: Mutex::new(()),
        })
    }
}

/// A chain of CosmWasm contracts. Every operation is one transaction:
/// atomic (a failure leaves no trace in storage, balances or the registry)
/// and deterministic (same inputs, same bytes, same gas). Operations from
/// several threads run one at a time.
pub struct Chain<T: CostTable + Clone> {
    shared: Arc<Shared<T>>,
    handler: Option<Arc<dyn MessageHandler>>,
    tx_gas_limit: CwGas,
    tx_lock: Mutex<()>,
}

impl<T: CostTable + Clone> std::fmt::Debug for Chain<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chain")
            .field("tx_gas_limit", &self.tx_gas_limit)
            .finish_non_exhaustive()
    }
}

/// What a transaction body returned, with the gas of its calls.
type Finished = (
    Result<(Option<cosmwasm_std::Binary>, Vec<Event>), ChainError>,
    TxGas,
);

/// One instantiation request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instantiate<'a> {
    /// The code to instantiate.
    pub code_id: u64,
    /// Who instantiates (pays the funds, becomes `creator`).
    pub sender: &'a str,
    /// The instantiate message (JSON).
    pub msg: &'a [u8],
    /// Funds sent along.
    pub funds: &'a [Coin],
    /// Who may migrate the contract.
    pub admin: Option<&'a str>,
    /// The contract's label.
    pub label: &'a str,
    /// `Some(salt)` for an `instantiate2` (predictable) address.
    pub salt: Option<&'a [u8]>,
}

impl<T: CostTable + Clone + Send + Sync + 'static> Chain<T> {
    /// A chain with the default settings ([`ChainBuilder::new`]).
    ///
    /// # Errors
    /// As [`ChainBuilder::build`].
    pub fn new(table: T) -> Result<Self, ChainError> {
        ChainBuilder::new(table).build()
    }

    /// The address `MockApi::addr_make(name)` makes: bech32 of
    /// sha256(`name`) with the chain's prefix.
    ///
    /// # Errors
    /// [`ChainError::InvalidAddress`] if the `Api` cannot encode it.
    pub fn addr_make(&self, name: &str) -> Result<String, ChainError> {
        address::humanize(&*self.shared.api, &Sha256::digest(name.as_bytes()))
    }

    /// Stores `wasm` (validated as the chain does) to run in `mode`, with
    /// `creator` recorded; returns its code id (from 1).
    ///
    /// # Errors
    /// [`ChainError::StoreCode`] when validation or compilation refuses it
    /// or `mode` cannot run it.
    pub fn store_code(
        &self,
        creator: &str,
        wasm: &[u8],
        mode: ExecutionMode,
    ) -> Result<u64, ChainError> {
        let _tx = lock(&self.tx_lock);
        let checksum: [u8; 32] = Sha256::digest(wasm).into();
        let runner = self.shared.executor.prepare(wasm, &checksum, mode)?;
        let mut codes = self
            .shared
            .codes
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        codes.push(Arc::new(StoredCode {
            creator: creator.to_owned(),
            checksum,
            runner,
        }));
        Ok(codes.len() as u64)
    }

    /// The sha256 of code `code_id` and whether it runs natively.
    ///
    /// # Errors
    /// [`ChainError::NoSuchCode`].
    pub fn code_info(&self, code_id: u64) -> Result<([u8; 32], bool), ChainError> {
        let code = self.shared.code(code_id)?;
        Ok((code.checksum, code.runner.is_native()))
    }

    /// Creates `coins` for `address` (genesis; no transaction).
    ///
    /// # Errors
    /// [`ChainError::InvalidCoins`] for invalid coins or an overflow.
    pub fn mint(&self, address: &str, coins: &[Coin]) -> Result<(), ChainError> {
        let _tx = lock(&self.tx_lock);
        let coins = parse_coins(coins)?;
        let mut store = lock(&self.shared.store);
        let checkpoint = store.checkpoint();
        match bank::mint(&mut store, address, &coins) {
            Ok(()) => {
                store.commit(checkpoint);
                Ok(())
            }
            Err(e) => {
                store.rollback(checkpoint);
                Err(e)
            }
        }
    }

    /// `address`'s balances.
    #[must_use]
    pub fn balances(&self, address: &str) -> Coins {
        bank::all_balances(&lock(&self.shared.store), address)
    }

    /// The supply of `denom`.
    #[must_use]
    pub fn supply(&self, denom: &str) -> u128 {
        bank::supply(&lock(&self.shared.store), denom)
    }

    /// The registry record of the contract at `address`.
    #[must_use]
    pub fn contract(&self, address: &str) -> Option<ContractRecord> {
        self.shared.contract_record(address)
    }

    /// Every address that has a contract, in order.
    #[must_use]
    pub fn contracts(&self) -> Vec<String> {
        let store = lock(&self.shared.store);
        store
            .prefixed(&[keys::CONTRACT])
            .filter_map(|(k, _)| String::from_utf8(k[1..].to_vec()).ok())
            .collect()
    }

    /// A contract's storage: every (key, value) in key order.
    #[must_use]
    pub fn contract_storage(&self, address: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
        let prefix = keys::contract_store(address);
        let store = lock(&self.shared.store);
        store
            .prefixed(&prefix)
            .map(|(k, v)| (k[prefix.len()..].to_vec(), v.to_vec()))
            .collect()
    }

    /// The whole chain state, every record in key order: contract storage,
    /// registry, bank. Equal dumps mean equal states.
    #[must_use]
    pub fn dump(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        let store = lock(&self.shared.store);
        store
            .records()
            .map(|(k, v)| (k.to_vec(), v.to_vec()))
            .collect()
    }

    /// Replaces the whole state with `records` (a [`Chain::dump`] or a
    /// persistent store's contents). Codes are not part of it: store them
    /// again in the same order first.
    pub fn load_state(&self, records: Vec<(Vec<u8>, Vec<u8>)>) {
        let _tx = lock(&self.tx_lock);
        let mut store = lock(&self.shared.store);
        *store = TxStore::from_records(records);
    }

    /// The keys changed since the last call and their values (`None`:
    /// removed), for a persistent store to write after each transaction.
    pub fn take_changes(&self) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
        lock(&self.shared.store).take_changes()
    }

    /// The current block.
    #[must_use]
    pub fn block(&self) -> BlockState {
        lock(&self.shared.block).clone()
    }

    /// Moves to a new block.
    pub fn set_block(&self, block: BlockState) {
        let _tx = lock(&self.tx_lock);
        *lock(&self.shared.block) = block;
    }

    /// Runs `body` as one transaction: commits on success, rolls back on
    /// failure, and reports gas either way.
    fn transaction<R>(
        &self,
        body: impl FnOnce(&mut Tx<'_, T>, &mut Vec<Event>) -> Result<R, ChainError>,
    ) -> (Result<(R, Vec<Event>), ChainError>, TxGas) {
        let _tx = lock(&self.tx_lock);
        let checkpoint = lock(&self.shared.store).checkpoint();
        let mut tx = Tx::new(
            &self.shared,
            self.handler.as_deref(),
            from_cw::<T::Gas>(self.tx_gas_limit),
        );
        let mut events = Vec::new();
        let result = body(&mut tx, &mut events);
        let gas = TxGas {
            calls: std::mem::take(&mut tx.calls),
        };
        let mut store = lock(&self.shared.store);
        match result {
            Ok(value) => {
                store.commit(checkpoint);
                (Ok((value, events)), gas)
            }
            Err(e) => {
                store.rollback(checkpoint);
                (Err(e), gas)
            }
        }
    }

    fn finish(outcome: Finished, contract_address: Option<String>) -> TxResult {
        match outcome {
            (Ok((data, events)), gas) => Ok(TxSuccess {
                data: data.map(|d| d.to_vec()),
                events,
                contract_address,
                gas,
            }),
            (Err(error), gas) => Err(TxFailure {
                error: Box::new(error),
                gas,
            }),
        }
    }

    /// Instantiates a contract (`MsgInstantiateContract` or, with a salt,
    /// `MsgInstantiateContract2`); the new address is in
    /// [`TxSuccess::contract_address`].
    ///
    /// # Errors
    /// A [`TxFailure`] with the reason and the gas used.
    pub fn instantiate(&self, request: &Instantiate<'_>) -> TxResult {
        let mut created = None;
        let outcome = self.transaction(|tx, events| {
            let funds = parse_coins(request.funds)?;
            address::validate(&*self.shared.api, request.sender)?;
            let (address, data) = tx.instantiate(
                request.sender,
                request.code_id,
                request.msg,
                &funds,
                request.admin,
                request.label,
                request.salt,
                events,
            )?;
            created = Some(address);
            Ok(data)
        });
        let created = if outcome.0.is_ok() { created } else { None };
        Self::finish(outcome, created)
    }

    /// Executes a contract (`MsgExecuteContract`).
    ///
    /// # Errors
    /// A [`TxFailure`] with the reason and the gas used.
    pub fn execute(&self, sender: &str, contract: &str, msg: &[u8], funds: &[Coin]) -> TxResult {
        let outcome = self.transaction(|tx, events| {
            let funds = parse_coins(funds)?;
            address::validate(&*self.shared.api, sender)?;
            tx.execute(sender, contract, msg, &funds, events)
        });
        Self::finish(outcome, None)
    }

    /// Migrates a contract to `new_code_id` (only its admin may).
    ///
    /// # Errors
    /// A [`TxFailure`] with the reason and the gas used.
    pub fn migrate(&self, sender: &str, contract: &str, new_code_id: u64, msg: &[u8]) -> TxResult {
        let outcome =
            self.transaction(|tx, events| tx.migrate(sender, contract, new_code_id, msg, events));
        Self::finish(outcome, None)
    }

    /// Calls a contract's `sudo` (a privileged call from the chain).
    ///
    /// # Errors
    /// A [`TxFailure`] with the reason and the gas used.
    pub fn sudo(&self, contract: &str, msg: &[u8]) -> TxResult {
        let outcome = self.transaction(|tx, events| tx.sudo(contract, msg, events));
        Self::finish(outcome, None)
    }

    /// Sets (`Some`) or clears (`None`) a contract's admin; only the current
    /// admin may.
    ///
    /// # Errors
    /// A [`TxFailure`] with the reason.
    pub fn set_admin(&self, sender: &str, contract: &str, admin: Option<&str>) -> TxResult {
        let outcome = self.transaction(|tx, events| {
            tx.set_admin(sender, contract, admin, events)?;
            Ok(None)
        });
        Self::finish(outcome, None)
    }

    /// Queries a contract (read-only; state never changes).
    ///
    /// # Errors
    /// A [`TxFailure`]: [`ChainError::Contract`] for the contract's own error.
    pub fn query(&self, contract: &str, msg: &[u8]) -> Result<QueryAnswer, TxFailure> {
        let _tx = lock(&self.tx_lock);
        let fail = |error| TxFailure {
            error: Box::new(error),
            gas: TxGas::default(),
        };
        let record = self.shared.contract_record(contract).ok_or_else(|| {
            fail(ChainError::NoSuchContract {
                address: contract.to_owned(),
            })
        })?;
        let code = self.shared.code(record.code_id).map_err(fail)?;
        let (result, report, _) = self.shared.call(
            contract,
            &code,
            EntryPoint::Query,
            None,
            msg,
            from_cw::<T::Gas>(self.tx_gas_limit),
            0,
        );
        let gas = TxGas {
            calls: vec![CallGas {
                contract: contract.to_owned(),
                entry: "query",
                report,
            }],
        };
        let fail = |error| TxFailure {
            error: Box::new(error),
            gas: gas.clone(),
        };
        let bytes = result
            .map_err(|failure| fail(ChainError::from_vm(contract, EntryPoint::Query, failure)))?;
        match cosmwasm_std::from_json::<cosmwasm_std::ContractResult<cosmwasm_std::Binary>>(&bytes)
        {
            Ok(cosmwasm_std::ContractResult::Ok(data)) => Ok(QueryAnswer {
                data: data.to_vec(),
                gas,
            }),
            Ok(cosmwasm_std::ContractResult::Err(message)) => Err(fail(ChainError::Contract {
                address: contract.to_owned(),
                entry: "query",
                message,
            })),
            Err(e) => Err(fail(ChainError::BadResult {
                address: contract.to_owned(),
                entry: "query",
                reason: e.to_string(),
            })),
        }
    }
}
