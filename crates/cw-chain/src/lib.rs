#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod address;
mod bank;
mod basic;
mod builder;
mod checks;
mod core;
mod dispatch;
mod error;
mod event;
mod json;
mod json_valid;
mod keys;
mod messages;
mod outcome;
mod querier;
mod response;
mod runner;
mod state;
mod store;
mod tx_info;
mod wasm_query;

use std::sync::{Arc, Mutex};

use cosmwasm_std::Coin;

use cw_gas::{CostTable, CwGas};
use cw_host::{EntryPoint, NodeFault};
use sha2::{Digest, Sha256};

pub use self::address::{classic_address_bytes, instantiate2_address_bytes};
pub use self::bank::{Coins, parse_coins, valid_denom};
pub use self::builder::ChainBuilder;
pub use self::core::{BlockState, ContractRecord, DebugFactory};
pub use self::dispatch::GAS_MULTIPLIER;
pub use self::error::ChainError;
pub use self::event::{Event, EventAttribute};
pub use self::json::MsgResponseJson;
pub use self::messages::{HandledMessage, MessageHandler};
pub use self::outcome::{CallGas, QueryAnswer, TxFailure, TxGas, TxResult, TxSuccess};
pub use self::runner::{
    ContractFactory, ExecutionMode, LoadError, LoadedCode, NativeFactory, NativeRegistry,
    NoWasmEngine,
};
pub use self::state::{ChainState, CodeRecord, MemoryState};
pub use self::store::{Checkpoint, TxStore};
/// The code checksum every seam of the chain is keyed by (cw-host's).
pub use cw_host::Checksum;
/// The static validation a [`ContractFactory`] runs when it overrides
/// [`ContractFactory::validate_and_load`].
pub use cw_validate::{ModuleInfo, ValidationConfig, ValidationError};

use self::basic::InstantiateMsg;
use self::core::{CallSpec, CheckpointGuard, Shared, StoredCode, from_cw, lock};
use self::dispatch::Tx;
use self::error::Halt;
use self::tx_info::{TxInfo, TxOp};

/// The default gas limit of one transaction: 300 * 10^9 CosmWasm gas, the
/// CosmWasm equivalent of NEAR's 300 Tgas per-call cap at 1 CosmWasm gas =
/// 1,000 NEAR gas (see docs/gas.md). About 0.3 s of Wasm at the schedules'
/// target speed.
pub const DEFAULT_TX_GAS_LIMIT: CwGas = CwGas::new(300_000_000_000);

/// The default depth of nested contract responses: 100, wasmd's
/// `DefaultMaxCallDepth` (`x/wasm/types/wasm_engine.go`, since v0.53),
/// counted as wasmd counts it (`checkAndIncreaseCallDepth`): once per
/// contract response, after the contract ran, the top-level call being 1.
pub const DEFAULT_MAX_CALL_DEPTH: u32 = 100;

/// A chain of CosmWasm contracts. Every operation is one transaction:
/// atomic (a failure leaves no trace in storage, balances or the registry)
/// and deterministic (same inputs, same bytes, same gas). Operations from
/// several threads run one at a time.
pub struct Chain<T: CostTable> {
    shared: Arc<Shared<T>>,
    handler: Option<Arc<dyn MessageHandler>>,
    tx_gas_limit: CwGas,
    tx_lock: Mutex<()>,
}

impl<T: CostTable> std::fmt::Debug for Chain<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chain")
            .field("tx_gas_limit", &self.tx_gas_limit)
            .finish_non_exhaustive()
    }
}

/// What a transaction body returned, with the gas of its calls.
type Finished = (
    Result<(Option<cosmwasm_std::Binary>, Vec<Event>), Halt>,
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
    /// Funds sent along (sorted by denomination, no duplicates, no zero
    /// amounts, as a transaction's funds must be).
    pub funds: &'a [Coin],
    /// Who may migrate the contract (`Some("")` is no admin, as in wasmd).
    pub admin: Option<&'a str>,
    /// The contract's label (1 to 128 printable bytes).
    pub label: &'a str,
    /// `Some(salt)` for an `instantiate2` (predictable) address.
    pub salt: Option<&'a [u8]>,
}

impl<'a> Instantiate<'a> {
    /// A plain instantiation: no funds, no admin, a classic (not
    /// `instantiate2`) address. Set the public fields for the rest.
    #[must_use]
    pub fn new(code_id: u64, sender: &'a str, msg: &'a [u8], label: &'a str) -> Self {
        Self {
            code_id,
            sender,
            msg,
            funds: &[],
            admin: None,
            label,
            salt: None,
        }
    }
}

impl<T: CostTable> Chain<T> {
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
    /// or `mode` cannot run it; [`ChainError::CounterOverflow`] if code ids
    /// ran out.
    pub fn store_code(
        &self,
        creator: &str,
        wasm: &[u8],
        mode: ExecutionMode,
    ) -> Result<u64, ChainError> {
        let _tx = lock(&self.tx_lock);
        let checksum = Checksum::of(wasm);
        let (runner, migrate_version) = self.shared.executor.prepare(wasm, &checksum, mode)?;
        let mut codes = self
            .shared
            .codes
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let code_id = u64::try_from(codes.len())
            .ok()
            .and_then(|stored| stored.checked_add(1))
            .ok_or(ChainError::CounterOverflow { counter: "code id" })?;
        lock(&self.shared.store).push_code(CodeRecord {
            creator: creator.to_owned(),
            checksum,
            wasm: Arc::from(wasm),
            mode,
        });
        codes.push(Some(Arc::new(StoredCode {
            creator: creator.to_owned(),
            checksum,
            runner,
            migrate_version,
        })));
        Ok(code_id)
    }

    /// The sha256 of code `code_id` and whether it runs natively.
    ///
    /// # Errors
    /// [`ChainError::NoSuchCode`].
    pub fn code_info(&self, code_id: u64) -> Result<(Checksum, bool), ChainError> {
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
        let checkpoint = CheckpointGuard::open(&self.shared.store);
        let minted = bank::mint(&mut lock(&self.shared.store), address, &coins);
        match minted {
            Ok(()) => checkpoint.commit(),
            Err(_) => checkpoint.rollback(),
        }
        minted
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
            .into_iter()
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
            .into_iter()
            .map(|(k, v)| (k[prefix.len()..].to_vec(), v))
            .collect()
    }

    /// The whole chain state, every record in key order: contract storage,
    /// registry, bank, the classic instance counter. Equal dumps mean equal
    /// states.
    #[must_use]
    pub fn dump(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        lock(&self.shared.store).records()
    }

    /// Replaces every record of the state with `records` (a
    /// [`Chain::dump`] or a persistent store's contents). Codes are not
    /// part of it: store them again in the same order first.
    pub fn load_state(&self, records: Vec<(Vec<u8>, Vec<u8>)>) {
        let _tx = lock(&self.tx_lock);
        lock(&self.shared.store).replace_records(records);
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

    /// Where the count of transactions stands: the height last counted and
    /// the index the next transaction at that height gets (`None` once
    /// every index was given out). An embedder that builds the chain again
    /// for every transaction keeps it and resumes with
    /// [`ChainBuilder::tx_position`].
    pub fn tx_position(&self) -> (u64, Option<u32>) {
        lock(&self.shared.tx_counter).position()
    }

    /// Moves to a new block; transaction indexes start again at 0 when the
    /// height changes.
    pub fn set_block(&self, block: BlockState) {
        let _tx = lock(&self.tx_lock);
        *lock(&self.shared.block) = block;
    }

    /// Runs `body` as one transaction: gives it its index in the block and
    /// its hash (`op`; `None` for a call from the chain itself, which has
    /// no transaction), commits on success, rolls back on failure or on a
    /// panic that unwinds through it, and reports gas either way.
    fn transaction<R>(
        &self,
        op: Option<TxOp<'_>>,
        body: impl FnOnce(&mut Tx<'_, T>, &mut Vec<Event>) -> Result<R, Halt>,
    ) -> (Result<(R, Vec<Event>), Halt>, TxGas) {
        let _tx = lock(&self.tx_lock);
        let transaction = match op.map(|op| self.next_transaction(&op)).transpose() {
            Ok(transaction) => transaction,
            Err(error) => return (Err(error.into()), TxGas::default()),
        };
        let checkpoint = CheckpointGuard::open(&self.shared.store);
        let mut tx = Tx::new(
            &self.shared,
            self.handler.as_deref(),
            from_cw::<T::Gas>(self.tx_gas_limit),
            transaction,
        );
        let mut events = Vec::new();
        let result = body(&mut tx, &mut events);
        let gas = TxGas {
            calls: std::mem::take(&mut tx.calls),
        };
        match result {
            Ok(value) => {
                checkpoint.commit();
                (Ok((value, events)), gas)
            }
            Err(e) => {
                checkpoint.rollback();
                (Err(e), gas)
            }
        }
    }

    /// The index and hash of a transaction starting now.
    fn next_transaction(&self, op: &TxOp<'_>) -> Result<TxInfo, ChainError> {
        let height = lock(&self.shared.block).height;
        let index = lock(&self.shared.tx_counter).next_index(height)?;
        Ok(TxInfo {
            index,
            hash: op.hash(height, index),
        })
    }

    /// The transaction's recorded outcome, or the node's fault (never
    /// recorded: the state is as before the transaction).
    fn finish(outcome: Finished, contract_address: Option<String>) -> Result<TxResult, NodeFault> {
        match outcome {
            (Ok((data, events)), gas) => Ok(Ok(TxSuccess {
                data: data.map(|d| d.to_vec()),
                events,
                contract_address,
                gas,
            })),
            (Err(Halt::Failed(error)), gas) => Ok(Err(TxFailure {
                error: Box::new(error),
                gas,
            })),
            (Err(Halt::Fault(fault)), _) => Err(fault),
        }
    }

    /// A transaction refused by wasmd's `ValidateBasic`: on a chain it never
    /// enters a block (`CheckTx` refuses it), so it runs nothing and takes
    /// no transaction index.
    fn refused(error: ChainError) -> Result<TxResult, NodeFault> {
        Ok(Err(TxFailure {
            error: Box::new(error),
            gas: TxGas::default(),
        }))
    }

    /// Instantiates a contract (`MsgInstantiateContract` or, with a salt,
    /// `MsgInstantiateContract2`); the new address is in
    /// [`TxSuccess::contract_address`].
    ///
    /// # Errors
    /// A [`NodeFault`] (the node's, never recorded); the transaction's own
    /// failure is a [`TxFailure`] in the [`TxResult`], with the reason and
    /// the gas used.
    pub fn instantiate(&self, request: &Instantiate<'_>) -> Result<TxResult, NodeFault> {
        let message = InstantiateMsg {
            sender: request.sender,
            code_id: request.code_id,
            label: request.label,
            admin: request.admin,
            msg: request.msg,
            salt: request.salt,
        };
        let checked = basic::instantiate(&*self.shared.api, &message, || {
            bank::validate_funds(request.funds)
        });
        let (sender, new) = match checked {
            Ok(checked) => checked,
            Err(error) => return Self::refused(error),
        };
        let op = TxOp::Instantiate {
            sender: request.sender,
            code_id: request.code_id,
            msg: request.msg,
            funds: request.funds,
            admin: request.admin,
            label: request.label,
            salt: request.salt,
        };
        let mut created = None;
        let outcome = self.transaction(Some(op), |tx, events| {
            let (address, data) = tx.instantiate(&sender, &new, events)?;
            created = Some(address);
            Ok(data)
        });
        let created = if outcome.0.is_ok() { created } else { None };
        Self::finish(outcome, created)
    }

    /// Executes a contract (`MsgExecuteContract`).
    ///
    /// # Errors
    /// A [`NodeFault`]; the transaction's own failure is in the [`TxResult`].
    pub fn execute(
        &self,
        sender: &str,
        contract: &str,
        msg: &[u8],
        funds: &[Coin],
    ) -> Result<TxResult, NodeFault> {
        let checked = basic::execute(
            &*self.shared.api,
            sender,
            contract,
            || bank::validate_funds(funds),
            msg,
        );
        let (sender_account, contract_account, coins) = match checked {
            Ok(checked) => checked,
            Err(error) => return Self::refused(error),
        };
        let op = TxOp::Execute {
            sender,
            contract,
            msg,
            funds,
        };
        let outcome = self.transaction(Some(op), |tx, events| {
            tx.execute(&sender_account, &contract_account, msg, &coins, events)
        });
        Self::finish(outcome, None)
    }

    /// Migrates a contract to `new_code_id` (only its admin may).
    ///
    /// # Errors
    /// A [`NodeFault`]; the transaction's own failure is in the [`TxResult`].
    pub fn migrate(
        &self,
        sender: &str,
        contract: &str,
        new_code_id: u64,
        msg: &[u8],
    ) -> Result<TxResult, NodeFault> {
        let checked = basic::migrate(&*self.shared.api, sender, contract, new_code_id, msg);
        let (sender_account, contract_account) = match checked {
            Ok(checked) => checked,
            Err(error) => return Self::refused(error),
        };
        let op = TxOp::Migrate {
            sender,
            contract,
            code_id: new_code_id,
            msg,
        };
        let outcome = self.transaction(Some(op), |tx, events| {
            tx.migrate(&sender_account, &contract_account, new_code_id, msg, events)
        });
        Self::finish(outcome, None)
    }

    /// Calls a contract's `sudo`: a privileged call from the chain itself
    /// (wasmd's `Sudo` from a module's `EndBlock` or a governance
    /// proposal), so `env.transaction` is `null` and no transaction index
    /// is used.
    ///
    /// # Errors
    /// A [`NodeFault`]; the call's own failure is in the [`TxResult`].
    pub fn sudo(&self, contract: &str, msg: &[u8]) -> Result<TxResult, NodeFault> {
        let outcome = self.transaction(None, |tx, events| tx.sudo(contract, msg, events));
        Self::finish(outcome, None)
    }

    /// Sets (`Some`) or clears (`None`) a contract's admin; only the current
    /// admin may, and not to itself.
    ///
    /// # Errors
    /// A [`NodeFault`]; the transaction's own failure is in the [`TxResult`].
    pub fn set_admin(
        &self,
        sender: &str,
        contract: &str,
        admin: Option<&str>,
    ) -> Result<TxResult, NodeFault> {
        let checked = basic::set_admin(&*self.shared.api, sender, contract, admin);
        let (sender_account, contract_account, new_admin) = match checked {
            Ok(checked) => checked,
            Err(error) => return Self::refused(error),
        };
        let op = TxOp::SetAdmin {
            sender,
            contract,
            admin,
        };
        let outcome = self.transaction(Some(op), |tx, events| {
            tx.set_admin(
                &sender_account,
                &contract_account,
                new_admin.as_deref(),
                events,
            )?;
            Ok(None)
        });
        Self::finish(outcome, None)
    }

    /// Queries a contract (wasmd's gRPC `SmartContractState`: read-only, no
    /// transaction, the first level of smart-query nesting).
    ///
    /// # Errors
    /// A [`NodeFault`]; the query's own failure is the inner [`TxFailure`]
    /// ([`ChainError::Contract`] for the contract's own error).
    pub fn query(
        &self,
        contract: &str,
        msg: &[u8],
    ) -> Result<Result<QueryAnswer, TxFailure>, NodeFault> {
        Ok(match self.query_inner(contract, msg) {
            Ok(answer) => Ok(answer),
            Err(Halt::Failed(failure)) => Err(failure),
            Err(Halt::Fault(fault)) => return Err(fault),
        })
    }

    fn query_inner(&self, contract: &str, msg: &[u8]) -> Result<QueryAnswer, QueryHalt> {
        let _tx = lock(&self.tx_lock);
        let fail = |error| TxFailure {
            error: Box::new(error),
            gas: TxGas::default(),
        };
        let contract = checks::account(&*self.shared.api, "contract", contract).map_err(fail)?;
        checks::json_message("query data", msg).map_err(fail)?;
        let record = self.shared.contract_record(&contract).ok_or_else(|| {
            fail(ChainError::NoSuchContract {
                address: contract.clone(),
            })
        })?;
        let code = self.shared.code(record.code_id).map_err(fail)?;
        let (outcome, report, _) = self.shared.call(CallSpec {
            address: &contract,
            code: &code,
            entry: EntryPoint::Query,
            info: None,
            msg,
            gas_limit: from_cw::<T::Gas>(self.tx_gas_limit),
            // wasmd counts the gRPC query itself as level 1
            // (`checkAndIncreaseQueryStackSize` in `QuerySmart`).
            query_depth: 1,
            transaction: None,
        });
        let gas = TxGas {
            calls: vec![CallGas {
                contract: contract.clone(),
                entry: "query",
                report,
            }],
        };
        let fail = |error| TxFailure {
            error: Box::new(error),
            gas: gas.clone(),
        };
        let bytes = outcome
            .map_err(QueryHalt::Fault)?
            .map_err(|failure| fail(ChainError::from_vm(&contract, EntryPoint::Query, failure)))?;
        match cosmwasm_std::from_json::<cosmwasm_std::ContractResult<cosmwasm_std::Binary>>(&bytes)
        {
            Ok(cosmwasm_std::ContractResult::Ok(data)) => Ok(QueryAnswer {
                data: data.to_vec(),
                gas,
            }),
            Ok(cosmwasm_std::ContractResult::Err(message)) => Err(fail(ChainError::Contract {
                address: contract.clone(),
                entry: "query",
                message,
            })
            .into()),
            Err(e) => Err(fail(ChainError::BadResult {
                address: contract.clone(),
                entry: "query",
                reason: e.to_string(),
            })
            .into()),
        }
    }
}

/// How a top-level query stopped: its own failure, or the node's fault.
type QueryHalt = Halt<TxFailure>;
