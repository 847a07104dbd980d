//! One transaction in progress and wasmd's keeper operations on it
//! (`x/wasm/keeper/keeper.go`): instantiate, execute, migrate, sudo, admin
//! changes; each contract call charged to the transaction's gas.
//!
//! What a response does next (events, submessages, replies) is in
//! `response.rs`; how a contract's message becomes one of these
//! operations is in `messages.rs`.

use std::sync::Arc;

use cosmwasm_std::{Binary, ContractResult, Response};
use cw_gas::{CostTable, GasQuantity, GasReport};
use cw_host::EntryPoint;

use super::address;
use super::bank::{self, Funds};
use super::core::{CallSpec, ContractRecord, Shared, lock};
use super::error::{ChainError, Halt};
use super::event::Event;
use super::json::{InfoJson, MigrateInfoJson, coins_json};
use super::keys;
use super::messages::MessageHandler;
use super::outcome::CallGas;
use super::tx_info::TxInfo;

/// wasmd's `DefaultGasMultiplier` (CosmWasm 2.x): CosmWasm gas per SDK gas.
/// A submessage's `gas_limit` and a reply's `gas_used` are in SDK gas.
pub const GAS_MULTIPLIER: u64 = 140_000;

/// wasmvm's `ReplyPayloadMaxBytes` (`lib_libwasmvm.go`
/// `DeserializeResponse`): a response whose submessage carries a longer
/// payload is a VM error.
const REPLY_PAYLOAD_MAX_BYTES: usize = 128 * 1024;

/// Any custom message a contract emits (kept as JSON).
pub(crate) type Custom = serde_json::Value;

/// A contract to instantiate, after wasmd's `ValidateBasic`.
pub(crate) struct NewContract<'a> {
    pub code_id: u64,
    pub msg: &'a [u8],
    pub funds: Funds,
    /// The admin's normalized address; `None` also for `admin: ""`.
    pub admin: Option<String>,
    pub label: &'a str,
    /// `Some` for `instantiate2`.
    pub salt: Option<&'a [u8]>,
}

/// The state of one transaction in progress.
pub(crate) struct Tx<'c, T: CostTable> {
    pub(super) shared: &'c Arc<Shared<T>>,
    pub(super) handler: Option<&'c dyn MessageHandler>,
    /// Gas the transaction has left, in the table's unit.
    pub(super) gas_left: T::Gas,
    pub calls: Vec<CallGas>,
    /// How many contract responses are being handled on the current path
    /// (wasmd's call depth, `checkAndIncreaseCallDepth`).
    pub(super) depth: u32,
    /// `env.transaction` of every call, `None` outside a transaction.
    transaction: Option<TxInfo>,
}

impl<'c, T: CostTable> Tx<'c, T> {
    pub(crate) fn new(
        shared: &'c Arc<Shared<T>>,
        handler: Option<&'c dyn MessageHandler>,
        gas_limit: T::Gas,
        transaction: Option<TxInfo>,
    ) -> Self {
        Self {
            shared,
            handler,
            gas_left: gas_limit,
            calls: Vec::new(),
            depth: 0,
            transaction,
        }
    }

    /// Runs one contract entry point and charges its gas to the transaction.
    fn call(
        &mut self,
        address: &str,
        code_id: u64,
        entry: EntryPoint,
        info: Option<&[u8]>,
        msg: &[u8],
    ) -> Result<Vec<u8>, Halt> {
        let code = self.shared.code(code_id)?;
        let (outcome, report, used) = self.shared.call(CallSpec {
            address,
            code: &code,
            entry,
            info,
            msg,
            gas_limit: self.gas_left,
            query_depth: 0,
            transaction: self.transaction,
        });
        self.charge(address, entry, report, used);
        match outcome {
            Ok(result) => {
                result.map_err(|failure| ChainError::from_vm(address, entry, failure).into())
            }
            Err(fault) => Err(Halt::Fault(fault)),
        }
    }

    fn charge(&mut self, address: &str, entry: EntryPoint, report: GasReport, used: T::Gas) {
        self.gas_left = T::Gas::from_u64(self.gas_left.to_u64().saturating_sub(used.to_u64()));
        self.calls.push(CallGas {
            contract: address.to_owned(),
            entry: entry.export_name(),
            report,
        });
    }

    fn record(&self, address: &str) -> Result<ContractRecord, ChainError> {
        self.shared
            .contract_record(address)
            .ok_or_else(|| ChainError::NoSuchContract {
                address: address.to_owned(),
            })
    }

    /// wasmd `keeper.execute`: funds, the call, its response.
    pub(crate) fn execute(
        &mut self,
        sender: &str,
        contract: &str,
        msg: &[u8],
        funds: &Funds,
        events: &mut Vec<Event>,
    ) -> Result<Option<Binary>, Halt> {
        let response = self.run_execute(sender, contract, msg, funds, events)?;
        self.handle_response(contract, EntryPoint::Execute, response, events)
    }

    // The `run_*` functions hold the work before a response is handled,
    // not inlined, so the frames that stay on the stack while nested
    // messages run are small (see `response.rs`).
    #[inline(never)]
    fn run_execute(
        &mut self,
        sender: &str,
        contract: &str,
        msg: &[u8],
        funds: &Funds,
        events: &mut Vec<Event>,
    ) -> Result<Response<Custom>, Halt> {
        let record = self.record(contract)?;
        self.send_funds(sender, contract, funds, events)?;
        let info = info_json(sender, funds);
        let bytes = self.call(
            contract,
            record.code_id,
            EntryPoint::Execute,
            Some(&info),
            msg,
        )?;
        let response = parse_response(contract, EntryPoint::Execute, &bytes)?;
        events.push(Event::new("execute").add_attribute("_contract_address", contract));
        Ok(response)
    }

    /// wasmd's `BankCoinTransferrer.TransferCoins`: nothing for no funds.
    fn send_funds(
        &mut self,
        from: &str,
        to: &str,
        funds: &Funds,
        events: &mut Vec<Event>,
    ) -> Result<(), Halt> {
        if funds.is_empty() {
            return Ok(());
        }
        let coins = bank::spendable(funds)?;
        let mut store = lock(&self.shared.store);
        events.extend(bank::transfer(&mut store, from, to, &coins)?);
        Ok(())
    }

    /// wasmd `keeper.instantiate`: derive the address, move funds, call
    /// `instantiate`, record the contract, handle the response.
    pub(crate) fn instantiate(
        &mut self,
        sender: &str,
        new: &NewContract<'_>,
        events: &mut Vec<Event>,
    ) -> Result<(String, Option<Binary>), Halt> {
        let (contract, response) = self.run_instantiate(sender, new, events)?;
        let data = self.handle_response(&contract, EntryPoint::Instantiate, response, events)?;
        Ok((contract, data))
    }

    #[inline(never)]
    fn run_instantiate(
        &mut self,
        sender: &str,
        new: &NewContract<'_>,
        events: &mut Vec<Event>,
    ) -> Result<(String, Response<Custom>), Halt> {
        let code = self.shared.code(new.code_id)?;
        let bytes = match new.salt {
            Some(salt) => {
                let creator = self.shared.api.addr_canonicalize(sender).map_err(|e| {
                    ChainError::InvalidAddress {
                        address: sender.to_owned(),
                        reason: e.to_string(),
                    }
                })?;
                address::instantiate2_address_bytes(&code.checksum, &creator, salt)?
            }
            None => {
                let instance_id = self.next_instance_id()?;
                address::classic_address_bytes(new.code_id, instance_id)
            }
        };
        let contract = address::humanize(&*self.shared.api, &bytes)?;
        if self.shared.contract_record(&contract).is_some() {
            return Err(Halt::from(ChainError::DuplicateContract {
                address: contract,
            }));
        }
        self.send_funds(sender, &contract, &new.funds, events)?;
        let info = info_json(sender, &new.funds);
        let result = self.call(
            &contract,
            new.code_id,
            EntryPoint::Instantiate,
            Some(&info),
            new.msg,
        )?;
        let response = parse_response(&contract, EntryPoint::Instantiate, &result)?;
        let record = ContractRecord {
            code_id: new.code_id,
            creator: sender.to_owned(),
            admin: new.admin.clone(),
            label: new.label.to_owned(),
        };
        self.store_record(&contract, &record);
        events.push(
            Event::new("instantiate")
                .add_attribute("_contract_address", &contract)
                .add_attribute("code_id", new.code_id.to_string()),
        );
        Ok((contract, response))
    }

    /// The next classic instance id (wasmd's `KeySequenceInstanceID`),
    /// counted in the state so it rolls back with a failed transaction.
    fn next_instance_id(&mut self) -> Result<u64, Halt> {
        let key = keys::sequence("instance_id");
        let mut store = lock(&self.shared.store);
        let last = store
            .get(&key)
            .and_then(|v| <[u8; 8]>::try_from(v.as_slice()).ok())
            .map_or(0, u64::from_be_bytes);
        // Wrapping would give the next contract the address of the first.
        let next = last.checked_add(1).ok_or(ChainError::CounterOverflow {
            counter: "contract instance",
        })?;
        store.set(&key, &next.to_be_bytes());
        Ok(next)
    }

    fn store_record(&self, contract: &str, record: &ContractRecord) {
        let bytes = cosmwasm_std::to_json_vec(record).unwrap_or_default();
        lock(&self.shared.store).set(&keys::contract(contract), &bytes);
    }

    /// wasmd `keeper.migrate`: only the admin; `migrate` of the new code is
    /// skipped when both codes declare the same `cw_migrate_version`.
    pub(crate) fn migrate(
        &mut self,
        sender: &str,
        contract: &str,
        new_code_id: u64,
        msg: &[u8],
        events: &mut Vec<Event>,
    ) -> Result<Option<Binary>, Halt> {
        match self.run_migrate(sender, contract, new_code_id, msg, events)? {
            Some(response) => self.handle_response(contract, EntryPoint::Migrate, response, events),
            None => Ok(None),
        }
    }

    /// The migration up to its response: `None` when `migrate` was skipped
    /// (no response, so no `wasm` events and no call-depth step).
    #[inline(never)]
    fn run_migrate(
        &mut self,
        sender: &str,
        contract: &str,
        new_code_id: u64,
        msg: &[u8],
        events: &mut Vec<Event>,
    ) -> Result<Option<Response<Custom>>, Halt> {
        let mut record =
            self.shared
                .contract_record(contract)
                .ok_or_else(|| ChainError::UnknownContract {
                    address: contract.to_owned(),
                })?;
        if record.admin.as_deref() != Some(sender) {
            return Err(Halt::from(ChainError::Unauthorized {
                action: "can not migrate",
                sender: sender.to_owned(),
            }));
        }
        let new_code = self
            .shared
            .code(new_code_id)
            .map_err(|_| ChainError::UnknownCode {
                code_id: new_code_id,
            })?;
        let old_version = self.shared.code(record.code_id)?.migrate_version;
        let same_version = matches!(
            (old_version, new_code.migrate_version),
            (Some(old), Some(new)) if old == new
        );
        let response = if same_version {
            None
        } else {
            let info = cosmwasm_std::to_json_vec(&MigrateInfoJson {
                sender,
                old_migrate_version: old_version,
            })
            .unwrap_or_default();
            let bytes = self.call(contract, new_code_id, EntryPoint::Migrate, Some(&info), msg)?;
            Some(parse_response(contract, EntryPoint::Migrate, &bytes)?)
        };
        record.code_id = new_code_id;
        self.store_record(contract, &record);
        events.push(
            Event::new("migrate")
                .add_attribute("code_id", new_code_id.to_string())
                .add_attribute("_contract_address", contract),
        );
        Ok(response)
    }

    /// wasmd `keeper.Sudo`: a privileged call from the chain itself.
    pub(crate) fn sudo(
        &mut self,
        contract: &str,
        msg: &[u8],
        events: &mut Vec<Event>,
    ) -> Result<Option<Binary>, Halt> {
        self.call_without_info(contract, EntryPoint::Sudo, msg, events)
    }

    /// Calls `entry`, one that takes no `MessageInfo` (`sudo`, `reply`), and
    /// handles its response; the event wasmd emits is named after the entry
    /// point.
    pub(super) fn call_without_info(
        &mut self,
        contract: &str,
        entry: EntryPoint,
        msg: &[u8],
        events: &mut Vec<Event>,
    ) -> Result<Option<Binary>, Halt> {
        let response = self.run_without_info(contract, entry, msg, events)?;
        self.handle_response(contract, entry, response, events)
    }

    #[inline(never)]
    fn run_without_info(
        &mut self,
        contract: &str,
        entry: EntryPoint,
        msg: &[u8],
        events: &mut Vec<Event>,
    ) -> Result<Response<Custom>, Halt> {
        let record = self.record(contract)?;
        let bytes = self.call(contract, record.code_id, entry, None, msg)?;
        let response = parse_response(contract, entry, &bytes)?;
        events.push(Event::new(entry.export_name()).add_attribute("_contract_address", contract));
        Ok(response)
    }

    /// wasmd `keeper.setContractAdmin` (`MsgUpdateAdmin` / `MsgClearAdmin`):
    /// only the current admin.
    pub(crate) fn set_admin(
        &mut self,
        sender: &str,
        contract: &str,
        new_admin: Option<&str>,
        events: &mut Vec<Event>,
    ) -> Result<(), ChainError> {
        let mut record =
            self.shared
                .contract_record(contract)
                .ok_or_else(|| ChainError::UnknownContract {
                    address: contract.to_owned(),
                })?;
        if record.admin.as_deref() != Some(sender) {
            return Err(ChainError::Unauthorized {
                action: "can not modify contract",
                sender: sender.to_owned(),
            });
        }
        record.admin = new_admin.map(str::to_owned);
        self.store_record(contract, &record);
        events.push(
            Event::new("update_contract_admin")
                .add_attribute("_contract_address", contract)
                .add_attribute("new_admin_address", new_admin.unwrap_or_default()),
        );
        Ok(())
    }
}

fn info_json(sender: &str, funds: &Funds) -> Vec<u8> {
    cosmwasm_std::to_json_vec(&InfoJson {
        sender,
        funds: coins_json(funds),
    })
    .unwrap_or_default()
}

/// Parses an execute-like entry point's `ContractResult<Response>`, with
/// the limit wasmvm's `DeserializeResponse` adds.
pub(super) fn parse_response(
    contract: &str,
    entry: EntryPoint,
    bytes: &[u8],
) -> Result<Response<Custom>, ChainError> {
    let bad = |reason: String| ChainError::BadResult {
        address: contract.to_owned(),
        entry: entry.export_name(),
        reason,
    };
    match cosmwasm_std::from_json::<ContractResult<Response<Custom>>>(bytes) {
        Ok(ContractResult::Ok(response)) => {
            if let Some(sub) = response
                .messages
                .iter()
                .find(|sub| sub.payload.len() > REPLY_PAYLOAD_MAX_BYTES)
            {
                return Err(bad(format!(
                    "reply payload of submessage {} has {} bytes, more than {REPLY_PAYLOAD_MAX_BYTES}",
                    sub.id,
                    sub.payload.len()
                )));
            }
            Ok(response)
        }
        Ok(ContractResult::Err(message)) => Err(ChainError::Contract {
            address: contract.to_owned(),
            entry: entry.export_name(),
            message,
        }),
        Err(e) => Err(bad(e.to_string())),
    }
}
