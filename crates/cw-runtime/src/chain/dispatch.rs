//! One transaction: contract calls, their responses' messages and
//! submessages, replies, events and gas, with wasmd's semantics.

use std::sync::Arc;

use cosmwasm_std::{
    Attribute, BankMsg, Binary, ContractResult, CosmosMsg, ReplyOn, Response, SubMsg, WasmMsg,
};
use cw_gas::{CostTable, CwGas, GasQuantity, GasReport};
use cw_host::{EntryPoint, VmFailure};

use super::address;
use super::bank::{self, Coins};
use super::core::{ContractRecord, Shared, from_cw, lock};
use super::error::ChainError;
use super::event::{Event, EventAttribute};
use super::json::{
    InfoJson, MigrateInfoJson, MsgResponseJson, ReplyJson, SubMsgResponseJson, SubMsgResultJson,
    coins_json, proto_fields,
};
use super::keys;
use super::outcome::CallGas;

/// wasmd's `DefaultGasMultiplier` (CosmWasm 2.x): CosmWasm gas per SDK gas.
/// A submessage's `gas_limit` and a reply's `gas_used` are in SDK gas.
pub const GAS_MULTIPLIER: u64 = 140_000;

/// Messages a contract may emit that the chain does not execute itself.
pub trait MessageHandler: Send + Sync {
    /// Handles `msg` (the `CosmosMsg` JSON) sent by `sender`; returns the
    /// events to emit and the message's response (`type_url`, protobuf bytes).
    ///
    /// # Errors
    /// The handler's message, reported as [`ChainError::Handler`].
    fn handle(&self, sender: &str, msg: &[u8]) -> Result<HandledMessage, String>;
}

/// What a [`MessageHandler`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HandledMessage {
    /// Events to emit.
    pub events: Vec<Event>,
    /// The message's protobuf response, if it has one.
    pub response: Option<MsgResponseJson>,
}

/// Any custom message a contract emits (kept as JSON).
pub(crate) type Custom = serde_json::Value;

/// What one dispatched message produced.
struct MsgOutcome {
    events: Vec<Event>,
    response: Option<MsgResponseJson>,
}

/// The state of one transaction in progress.
pub(crate) struct Tx<'c, T: CostTable + Clone> {
    shared: &'c Arc<Shared<T>>,
    handler: Option<&'c dyn MessageHandler>,
    /// Gas the transaction has left, in the table's unit.
    gas_left: T::Gas,
    pub calls: Vec<CallGas>,
    depth: u32,
}

impl<'c, T: CostTable + Clone + Send + Sync + 'static> Tx<'c, T> {
    pub(crate) fn new(
        shared: &'c Arc<Shared<T>>,
        handler: Option<&'c dyn MessageHandler>,
        gas_limit: T::Gas,
    ) -> Self {
        Self {
            shared,
            handler,
            gas_left: gas_limit,
            calls: Vec::new(),
            depth: 0,
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
    ) -> Result<Vec<u8>, ChainError> {
        let code = self.shared.code(code_id)?;
        let (result, report, used) =
            self.shared
                .call(address, &code, entry, info, msg, self.gas_left, 0);
        self.charge(address, entry, report, used);
        result.map_err(|failure| ChainError::from_vm(address, entry, failure))
    }

    fn charge(&mut self, address: &str, entry: EntryPoint, report: GasReport, used: T::Gas) {
        self.gas_left = T::Gas::from_u64(self.gas_left.to_u64().saturating_sub(used.to_u64()));
        self.calls.push(CallGas {
            contract: address.to_owned(),
            entry: entry.export_name(),
            report,
        });
    }

    fn enter(&mut self) -> Result<(), ChainError> {
        let limit = self.shared.max_call_depth;
        if self.depth >= limit {
            return Err(ChainError::CallDepth { limit });
        }
        self.depth += 1;
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn record(&self, address: &str) -> Result<ContractRecord, ChainError> {
        self.shared
            .contract_record(address)
            .ok_or_else(|| ChainError::NoSuchContract {
                address: address.to_owned(),
            })
    }

    /// `MsgExecuteContract`: funds, the call, its response.
    pub(crate) fn execute(
        &mut self,
        sender: &str,
        contract: &str,
        msg: &[u8],
        funds: &Coins,
        events: &mut Vec<Event>,
    ) -> Result<Option<Binary>, ChainError> {
        self.enter()?;
        let result = self.execute_inner(sender, contract, msg, funds, events);
        self.leave();
        result
    }

    fn execute_inner(
        &mut self,
        sender: &str,
        contract: &str,
        msg: &[u8],
        funds: &Coins,
        events: &mut Vec<Event>,
    ) -> Result<Option<Binary>, ChainError> {
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
        self.handle_response(contract, response, events)
    }

    fn send_funds(
        &mut self,
        from: &str,
        to: &str,
        funds: &Coins,
        events: &mut Vec<Event>,
    ) -> Result<(), ChainError> {
        if funds.is_empty() {
            return Ok(());
        }
        let mut store = lock(&self.shared.store);
        events.extend(bank::transfer(&mut store, from, to, funds)?);
        Ok(())
    }

    /// `MsgInstantiateContract(2)`: derive the address, move funds, call
    /// `instantiate`, record the contract, handle the response.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn instantiate(
        &mut self,
        sender: &str,
        code_id: u64,
        msg: &[u8],
        funds: &Coins,
        admin: Option<&str>,
        label: &str,
        salt: Option<&[u8]>,
        events: &mut Vec<Event>,
    ) -> Result<(String, Option<Binary>), ChainError> {
        self.enter()?;
        let result =
            self.instantiate_inner(sender, code_id, msg, funds, admin, label, salt, events);
        self.leave();
        result
    }

    #[allow(clippy::too_many_arguments)]
    fn instantiate_inner(
        &mut self,
        sender: &str,
        code_id: u64,
        msg: &[u8],
        funds: &Coins,
        admin: Option<&str>,
        label: &str,
        salt: Option<&[u8]>,
        events: &mut Vec<Event>,
    ) -> Result<(String, Option<Binary>), ChainError> {
        let code = self.shared.code(code_id)?;
        if let Some(admin) = admin {
            address::validate(&*self.shared.api, admin)?;
        }
        let bytes = match salt {
            Some(salt) => {
                let creator = address::validate(&*self.shared.api, sender)?;
                address::instantiate2_address_bytes(&code.checksum, &creator, salt)?
            }
            None => {
                let instance_id = self.next_instance_id();
                address::classic_address_bytes(code_id, instance_id)
            }
        };
        let contract = address::humanize(&*self.shared.api, &bytes)?;
        if self.shared.contract_record(&contract).is_some() {
            return Err(ChainError::DuplicateContract { address: contract });
        }
        self.send_funds(sender, &contract, funds, events)?;
        let info = info_json(sender, funds);
        let result = self.call(
            &contract,
            code_id,
            EntryPoint::Instantiate,
            Some(&info),
            msg,
        )?;
        let response = parse_response(&contract, EntryPoint::Instantiate, &result)?;
        let record = ContractRecord {
            code_id,
            creator: sender.to_owned(),
            admin: admin.map(str::to_owned),
            label: label.to_owned(),
        };
        self.store_record(&contract, &record);
        events.push(
            Event::new("instantiate")
                .add_attribute("_contract_address", &contract)
                .add_attribute("code_id", code_id.to_string()),
        );
        let data = self.handle_response(&contract, response, events)?;
        Ok((contract, data))
    }

    fn next_instance_id(&mut self) -> u64 {
        let key = keys::sequence("instance_id");
        let mut store = lock(&self.shared.store);
        let last = store
            .get(&key)
            .and_then(|v| <[u8; 8]>::try_from(v.as_slice()).ok())
            .map_or(0, u64::from_be_bytes);
        let next = last + 1;
        store.set(&key, &next.to_be_bytes());
        next
    }

    fn store_record(&self, contract: &str, record: &ContractRecord) {
        let bytes = cosmwasm_std::to_json_vec(record).unwrap_or_default();
        lock(&self.shared.store).set(&keys::contract(contract), &bytes);
    }

    /// `MsgMigrateContract`: only the admin; runs the new code's `migrate`.
    pub(crate) fn migrate(
        &mut self,
        sender: &str,
        contract: &str,
        new_code_id: u64,
        msg: &[u8],
        events: &mut Vec<Event>,
    ) -> Result<Option<Binary>, ChainError> {
        self.enter()?;
        let result = (|| {
            let mut record = self.record(contract)?;
            if record.admin.as_deref() != Some(sender) {
                return Err(ChainError::Unauthorized {
                    action: "migrate",
                    sender: sender.to_owned(),
                });
            }
            self.shared.code(new_code_id)?;
            let info = cosmwasm_std::to_json_vec(&MigrateInfoJson {
                sender,
                old_migrate_version: None,
            })
            .unwrap_or_default();
            let bytes = self.call(contract, new_code_id, EntryPoint::Migrate, Some(&info), msg)?;
            let response = parse_response(contract, EntryPoint::Migrate, &bytes)?;
            record.code_id = new_code_id;
            self.store_record(contract, &record);
            events.push(
                Event::new("migrate")
                    .add_attribute("_contract_address", contract)
                    .add_attribute("code_id", new_code_id.to_string()),
            );
            self.handle_response(contract, response, events)
        })();
        self.leave();
        result
    }

    /// `sudo`: a privileged call from the chain itself.
    pub(crate) fn sudo(
        &mut self,
        contract: &str,
        msg: &[u8],
        events: &mut Vec<Event>,
    ) -> Result<Option<Binary>, ChainError> {
        self.call_without_info(contract, EntryPoint::Sudo, msg, events)
    }

    /// Calls `entry`, one that takes no `MessageInfo` (`sudo`, `reply`), and
    /// handles its response; the event wasmd emits is named after the entry
    /// point.
    fn call_without_info(
        &mut self,
        contract: &str,
        entry: EntryPoint,
        msg: &[u8],
        events: &mut Vec<Event>,
    ) -> Result<Option<Binary>, ChainError> {
        self.enter()?;
        let result = (|| {
            let record = self.record(contract)?;
            let bytes = self.call(contract, record.code_id, entry, None, msg)?;
            let response = parse_response(contract, entry, &bytes)?;
            events
                .push(Event::new(entry.export_name()).add_attribute("_contract_address", contract));
            self.handle_response(contract, response, events)
        })();
        self.leave();
        result
    }

    /// `MsgUpdateAdmin` / `MsgClearAdmin`: only the current admin.
    pub(crate) fn set_admin(
        &mut self,
        sender: &str,
        contract: &str,
        new_admin: Option<&str>,
        events: &mut Vec<Event>,
    ) -> Result<(), ChainError> {
        let mut record = self.record(contract)?;
        if record.admin.as_deref() != Some(sender) {
            return Err(ChainError::Unauthorized {
                action: if new_admin.is_some() {
                    "update admin"
                } else {
                    "clear admin"
                },
                sender: sender.to_owned(),
            });
        }
        if let Some(admin) = new_admin {
            address::validate(&*self.shared.api, admin)?;
        }
        record.admin = new_admin.map(str::to_owned);
        self.store_record(contract, &record);
        let event = match new_admin {
            Some(admin) => Event::new("update_contract_admin")
                .add_attribute("_contract_address", contract)
                .add_attribute("new_admin_address", admin),
            None => Event::new("update_contract_admin")
                .add_attribute("_contract_address", contract)
                .add_attribute("new_admin_address", ""),
        };
        events.push(event);
        Ok(())
    }

    /// wasmd `handleContractResponse`: the contract's own events, then its
    /// messages; the result data is the response's, replaced by the last
    /// reply that returned data.
    fn handle_response(
        &mut self,
        contract: &str,
        response: Response<Custom>,
        events: &mut Vec<Event>,
    ) -> Result<Option<Binary>, ChainError> {
        if !response.attributes.is_empty() {
            let attributes = contract_attributes(contract, &response.attributes)?;
            events.push(Event {
                ty: "wasm".into(),
                attributes,
            });
        }
        for event in &response.events {
            let kind = event.ty.trim();
            if kind.len() < 2 {
                return Err(ChainError::InvalidEvent {
                    reason: format!("event type {:?} is too short", event.ty),
                });
            }
            let attributes = contract_attributes(contract, &event.attributes)?;
            events.push(Event {
                ty: format!("wasm-{kind}"),
                attributes,
            });
        }
        let reply_data = self
            .dispatch_submessages(contract, &response.messages, events)
            .map_err(|e| ChainError::SubMessage(Box::new(e)))?;
        Ok(reply_data.or(response.data))
    }

    /// wasmd `DispatchSubmessages`.
    fn dispatch_submessages(
        &mut self,
        contract: &str,
        messages: &[SubMsg<Custom>],
        events: &mut Vec<Event>,
    ) -> Result<Option<Binary>, ChainError> {
        let mut data = None;
        for sub in messages {
            let checkpoint = lock(&self.shared.store).checkpoint();
            let outer_left = self.gas_left;
            if let Some(limit) = sub.gas_limit {
                let cap = from_cw::<T::Gas>(CwGas::new(limit.saturating_mul(GAS_MULTIPLIER)));
                if cap < self.gas_left {
                    self.gas_left = cap;
                }
            }
            let start = self.gas_left;
            let mut sub_events = Vec::new();
            let result = self.dispatch_message(contract, &sub.msg, &mut sub_events);
            let used = start.to_u64().saturating_sub(self.gas_left.to_u64());
            self.gas_left = T::Gas::from_u64(outer_left.to_u64().saturating_sub(used));
            match &result {
                Ok(_) => {
                    lock(&self.shared.store).commit(checkpoint);
                    events.extend(sub_events.iter().cloned());
                }
                Err(_) => lock(&self.shared.store).rollback(checkpoint),
            }
            // Without its own gas limit, running out of gas cannot be caught
            // (wasmd: the SDK's out-of-gas panic ends the transaction).
            if sub.gas_limit.is_none() && result.as_ref().is_err_and(is_out_of_gas) {
                return result.map(|_| None);
            }
            let reply = match (&result, &sub.reply_on) {
                (Err(_), ReplyOn::Never | ReplyOn::Success) => return result.map(|_| None),
                (Ok(_), ReplyOn::Never | ReplyOn::Error) => continue,
                (Ok(outcome), _) => SubMsgResultJson::Ok(SubMsgResponseJson {
                    events: sub_events
                        .into_iter()
                        .filter(|e| e.ty != "message")
                        .collect(),
                    data: outcome
                        .response
                        .as_ref()
                        .map(|r| r.value.clone())
                        .filter(|v| !v.is_empty()),
                    msg_responses: outcome.response.iter().cloned().collect(),
                }),
                (Err(error), _) => {
                    let (codespace, code) = error.abci_code();
                    SubMsgResultJson::Error(format!("codespace: {codespace}, code: {code}"))
                }
            };
            let gas_used_sdk = T::Gas::from_u64(used)
                .to_cw_gas_ceil()
                .as_u64()
                .div_ceil(GAS_MULTIPLIER);
            let reply = cosmwasm_std::to_json_vec(&ReplyJson {
                id: sub.id,
                payload: &sub.payload,
                gas_used: gas_used_sdk,
                result: reply,
            })
            .unwrap_or_default();
            if let Some(reply_data) = self.reply(contract, &reply, events)? {
                data = Some(reply_data);
            }
        }
        Ok(data)
    }

    /// Calls the contract's `reply`.
    fn reply(
        &mut self,
        contract: &str,
        reply: &[u8],
        events: &mut Vec<Event>,
    ) -> Result<Option<Binary>, ChainError> {
        self.call_without_info(contract, EntryPoint::Reply, reply, events)
    }

    /// Executes one message `sender` (a contract) emitted.
    fn dispatch_message(
        &mut self,
        sender: &str,
        msg: &CosmosMsg<Custom>,
        events: &mut Vec<Event>,
    ) -> Result<MsgOutcome, ChainError> {
        let response = |type_url: &str, value: Vec<u8>| {
            Some(MsgResponseJson {
                type_url: type_url.to_owned(),
                value: Binary::from(value),
            })
        };
        let outcome = match msg {
            CosmosMsg::Bank(BankMsg::Send { to_address, amount }) => {
                address::validate(&*self.shared.api, to_address)?;
                let coins = bank::parse_coins(amount)?;
                let mut store = lock(&self.shared.store);
                events.extend(bank::transfer(&mut store, sender, to_address, &coins)?);
                MsgOutcome {
                    events: Vec::new(),
                    response: response("/cosmos.bank.v1beta1.MsgSendResponse", Vec::new()),
                }
            }
            CosmosMsg::Bank(BankMsg::Burn { amount }) => {
                let coins = bank::parse_coins(amount)?;
                let mut store = lock(&self.shared.store);
                events.extend(bank::burn(&mut store, sender, &coins)?);
                MsgOutcome {
                    events: Vec::new(),
                    response: response("/cosmos.bank.v1beta1.MsgBurnResponse", Vec::new()),
                }
            }
            CosmosMsg::Wasm(WasmMsg::Execute {
                contract_addr,
                msg,
                funds,
            }) => {
                let funds = bank::parse_coins(funds)?;
                let data = self.execute(sender, contract_addr, msg, &funds, events)?;
                let data = data.map(|d| d.to_vec()).unwrap_or_default();
                MsgOutcome {
                    events: Vec::new(),
                    response: response(
                        "/cosmwasm.wasm.v1.MsgExecuteContractResponse",
                        proto_fields(&[(1, &data)]),
                    ),
                }
            }
            CosmosMsg::Wasm(WasmMsg::Instantiate {
                admin,
                code_id,
                msg,
                funds,
                label,
            }) => {
                let funds = bank::parse_coins(funds)?;
                let (address, data) = self.instantiate(
                    sender,
                    *code_id,
                    msg,
                    &funds,
                    admin.as_deref(),
                    label,
                    None,
                    events,
                )?;
                let data = data.map(|d| d.to_vec()).unwrap_or_default();
                MsgOutcome {
                    events: Vec::new(),
                    response: response(
                        "/cosmwasm.wasm.v1.MsgInstantiateContractResponse",
                        proto_fields(&[(1, address.as_bytes()), (2, &data)]),
                    ),
                }
            }
            CosmosMsg::Wasm(WasmMsg::Instantiate2 {
                admin,
                code_id,
                label,
                msg,
                funds,
                salt,
            }) => {
                let funds = bank::parse_coins(funds)?;
                let (address, data) = self.instantiate(
                    sender,
                    *code_id,
                    msg,
                    &funds,
                    admin.as_deref(),
                    label,
                    Some(salt),
                    events,
                )?;
                let data = data.map(|d| d.to_vec()).unwrap_or_default();
                MsgOutcome {
                    events: Vec::new(),
                    response: response(
                        "/cosmwasm.wasm.v1.MsgInstantiateContract2Response",
                        proto_fields(&[(1, address.as_bytes()), (2, &data)]),
                    ),
                }
            }
            CosmosMsg::Wasm(WasmMsg::Migrate {
                contract_addr,
                new_code_id,
                msg,
            }) => {
                let data = self.migrate(sender, contract_addr, *new_code_id, msg, events)?;
                let data = data.map(|d| d.to_vec()).unwrap_or_default();
                MsgOutcome {
                    events: Vec::new(),
                    response: response(
                        "/cosmwasm.wasm.v1.MsgMigrateContractResponse",
                        proto_fields(&[(1, &data)]),
                    ),
                }
            }
            CosmosMsg::Wasm(WasmMsg::UpdateAdmin {
                contract_addr,
                admin,
            }) => {
                self.set_admin(sender, contract_addr, Some(admin), events)?;
                MsgOutcome {
                    events: Vec::new(),
                    response: response("/cosmwasm.wasm.v1.MsgUpdateAdminResponse", Vec::new()),
                }
            }
            CosmosMsg::Wasm(WasmMsg::ClearAdmin { contract_addr }) => {
                self.set_admin(sender, contract_addr, None, events)?;
                MsgOutcome {
                    events: Vec::new(),
                    response: response("/cosmwasm.wasm.v1.MsgClearAdminResponse", Vec::new()),
                }
            }
            other => {
                let kind = message_kind(other);
                let Some(handler) = self.handler else {
                    return Err(ChainError::UnsupportedMessage { kind: kind.into() });
                };
                let json = cosmwasm_std::to_json_vec(other).map_err(|e| ChainError::Handler {
                    message: e.to_string(),
                })?;
                let handled = handler
                    .handle(sender, &json)
                    .map_err(|message| ChainError::Handler { message })?;
                events.extend(handled.events);
                MsgOutcome {
                    events: Vec::new(),
                    response: handled.response,
                }
            }
        };
        events.extend(outcome.events.iter().cloned());
        Ok(outcome)
    }
}

fn is_out_of_gas(error: &ChainError) -> bool {
    match error {
        ChainError::OutOfGas
        | ChainError::Vm {
            failure: VmFailure::OutOfGas,
            ..
        } => true,
        ChainError::SubMessage(inner) => is_out_of_gas(inner),
        _ => false,
    }
}

fn info_json(sender: &str, funds: &Coins) -> Vec<u8> {
    cosmwasm_std::to_json_vec(&InfoJson {
        sender,
        funds: coins_json(funds),
    })
    .unwrap_or_default()
}

/// Parses an execute-like entry point's `ContractResult<Response>`.
fn parse_response(
    contract: &str,
    entry: EntryPoint,
    bytes: &[u8],
) -> Result<Response<Custom>, ChainError> {
    match cosmwasm_std::from_json::<ContractResult<Response<Custom>>>(bytes) {
        Ok(ContractResult::Ok(response)) => Ok(response),
        Ok(ContractResult::Err(message)) => Err(ChainError::Contract {
            address: contract.to_owned(),
            entry: entry.export_name(),
            message,
        }),
        Err(e) => Err(ChainError::BadResult {
            address: contract.to_owned(),
            entry: entry.export_name(),
            reason: e.to_string(),
        }),
    }
}

/// `_contract_address` first, then the contract's attributes; refuses what
/// wasmd refuses (empty keys, keys with the reserved `_` prefix).
fn contract_attributes(
    contract: &str,
    attributes: &[Attribute],
) -> Result<Vec<EventAttribute>, ChainError> {
    let mut out = Vec::with_capacity(attributes.len() + 1);
    out.push(EventAttribute {
        key: "_contract_address".into(),
        value: contract.to_owned(),
    });
    for attribute in attributes {
        let key = attribute.key.trim();
        if key.is_empty() {
            return Err(ChainError::InvalidEvent {
                reason: "an attribute key is empty".into(),
            });
        }
        if key.starts_with('_') {
            return Err(ChainError::InvalidEvent {
                reason: format!("attribute key {key:?} starts with the reserved prefix `_`"),
            });
        }
        out.push(EventAttribute {
            key: key.to_owned(),
            value: attribute.value.trim().to_owned(),
        });
    }
    Ok(out)
}

/// The name of a message kind the chain does not execute.
fn message_kind(msg: &CosmosMsg<Custom>) -> &'static str {
    #[allow(deprecated)]
    match msg {
        CosmosMsg::Bank(_) => "bank",
        CosmosMsg::Custom(_) => "custom",
        CosmosMsg::Staking(_) => "staking",
        CosmosMsg::Distribution(_) => "distribution",
        CosmosMsg::Stargate { .. } => "stargate",
        CosmosMsg::Any(_) => "any",
        CosmosMsg::Ibc(_) => "ibc",
        CosmosMsg::Wasm(_) => "wasm",
        CosmosMsg::Gov(_) => "gov",
        _ => "other",
    }
}
