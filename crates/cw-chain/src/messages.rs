//! A message a contract emitted, executed as wasmd does: encoded
//! (`x/wasm/keeper/handler_plugin_encoders.go`, which normalises coins),
//! checked (`ValidateBasic` in `handleSdkMessage`), then run by the bank,
//! the wasm keeper, the burn handler (`NewBurnCoinMessageHandler`) or the
//! embedder's [`MessageHandler`].

use cosmwasm_std::{BankMsg, Binary, Coin, CosmosMsg, WasmMsg};
use cw_gas::CostTable;

use super::address;
use super::bank;
use super::basic::{self, InstantiateMsg};
use super::checks;
use super::core::lock;
use super::dispatch::{Custom, Tx};
use super::error::{ChainError, Halt};
use super::event::Event;
use super::json::{MsgResponseJson, proto_fields};

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

/// What one dispatched message produced besides its events: the SDK
/// message's response, if it has one (a burn and an empty bank send have
/// none).
pub(super) struct MsgOutcome {
    pub response: Option<MsgResponseJson>,
}

fn respond(type_url: &str, value: Vec<u8>) -> MsgOutcome {
    MsgOutcome {
        response: Some(MsgResponseJson {
            type_url: type_url.to_owned(),
            value: Binary::from(value),
        }),
    }
}

/// The name wasmd's wasm module account has (`types.ModuleName`).
const WASM_MODULE: &str = "wasm";

// `dispatch_message` and `dispatch_wasm` are on the path nested messages
// recurse through (see `response.rs`): they only pick the function that
// runs the message, which is not inlined into them.
impl<T: CostTable> Tx<'_, T> {
    /// Executes one message `sender` (a contract) emitted.
    pub(super) fn dispatch_message(
        &mut self,
        sender: &str,
        msg: &CosmosMsg<Custom>,
        events: &mut Vec<Event>,
    ) -> Result<MsgOutcome, Halt> {
        match msg {
            CosmosMsg::Bank(BankMsg::Send { to_address, amount }) => {
                self.bank_send(sender, to_address, amount, events)
            }
            CosmosMsg::Bank(BankMsg::Burn { amount }) => self.bank_burn(sender, amount, events),
            CosmosMsg::Wasm(wasm) => self.dispatch_wasm(sender, wasm, events),
            other => self.handled(sender, other, events),
        }
    }

    /// `EncodeBankMsg`, then the bank's `MsgServer.Send`: the recipient,
    /// then the coins [SDK `x/bank/keeper/msg_server.go`, not
    /// v0.54-verified].
    #[inline(never)]
    fn bank_send(
        &mut self,
        sender: &str,
        to_address: &str,
        amount: &[Coin],
        events: &mut Vec<Event>,
    ) -> Result<MsgOutcome, Halt> {
        // No coins: no SDK message at all.
        if amount.is_empty() {
            return Ok(MsgOutcome { response: None });
        }
        let funds = bank::normalize(amount)?;
        let to = checks::bank_account(&*self.shared.api, to_address)?;
        if funds.is_empty() {
            return Err(Halt::from(ChainError::InvalidCoins {
                coins: String::new(),
            }));
        }
        let coins = bank::spendable(&funds)?;
        let mut store = lock(&self.shared.store);
        events.extend(bank::transfer(&mut store, sender, &to, &coins)?);
        Ok(respond("/cosmos.bank.v1beta1.MsgSendResponse", Vec::new()))
    }

    /// `NewBurnCoinMessageHandler`: the coins go to the wasm module account
    /// and are burnt there; no data, no msg_responses.
    #[inline(never)]
    fn bank_burn(
        &mut self,
        sender: &str,
        amount: &[Coin],
        events: &mut Vec<Event>,
    ) -> Result<MsgOutcome, Halt> {
        let funds = bank::normalize(amount)?;
        if funds.is_empty() {
            return Err(Halt::from(ChainError::Empty { what: "amount" }));
        }
        let coins = bank::spendable(&funds)?;
        let module = address::module_account(&*self.shared.api, WASM_MODULE)?;
        let mut store = lock(&self.shared.store);
        events.extend(bank::transfer(&mut store, sender, &module, &coins)?);
        events.extend(bank::burn(&mut store, &module, &coins)?);
        Ok(MsgOutcome { response: None })
    }

    /// A message for the embedder's [`MessageHandler`].
    #[inline(never)]
    fn handled(
        &mut self,
        sender: &str,
        msg: &CosmosMsg<Custom>,
        events: &mut Vec<Event>,
    ) -> Result<MsgOutcome, Halt> {
        let kind = message_kind(msg);
        let Some(handler) = self.handler else {
            return Err(Halt::from(ChainError::UnsupportedMessage {
                kind: kind.into(),
            }));
        };
        let json = cosmwasm_std::to_json_vec(msg).map_err(|e| ChainError::Handler {
            message: e.to_string(),
        })?;
        let handled = handler
            .handle(sender, &json)
            .map_err(|message| ChainError::Handler { message })?;
        events.extend(handled.events);
        Ok(MsgOutcome {
            response: handled.response,
        })
    }

    /// `EncodeWasmMsg`, `ValidateBasic`, then wasmd's `msgServer`.
    fn dispatch_wasm(
        &mut self,
        sender: &str,
        msg: &WasmMsg,
        events: &mut Vec<Event>,
    ) -> Result<MsgOutcome, Halt> {
        match msg {
            WasmMsg::Execute {
                contract_addr,
                msg,
                funds,
            } => self.execute_message(sender, contract_addr, msg, funds, events),
            WasmMsg::Instantiate {
                admin,
                code_id,
                msg,
                funds,
                label,
            } => self.instantiate_message(
                InstantiateMsg {
                    sender,
                    code_id: *code_id,
                    label,
                    admin: admin.as_deref(),
                    msg,
                    salt: None,
                },
                funds,
                events,
            ),
            WasmMsg::Instantiate2 {
                admin,
                code_id,
                label,
                msg,
                funds,
                salt,
            } => self.instantiate_message(
                InstantiateMsg {
                    sender,
                    code_id: *code_id,
                    label,
                    admin: admin.as_deref(),
                    msg,
                    salt: Some(salt),
                },
                funds,
                events,
            ),
            WasmMsg::Migrate {
                contract_addr,
                new_code_id,
                msg,
            } => self.migrate_message(sender, contract_addr, *new_code_id, msg, events),
            WasmMsg::UpdateAdmin {
                contract_addr,
                admin,
            } => self.admin_message(sender, contract_addr, Some(admin), events),
            WasmMsg::ClearAdmin { contract_addr } => {
                self.admin_message(sender, contract_addr, None, events)
            }
            _ => Err(Halt::from(ChainError::UnsupportedMessage {
                kind: "wasm".into(),
            })),
        }
    }

    #[inline(never)]
    fn execute_message(
        &mut self,
        sender: &str,
        contract: &str,
        msg: &Binary,
        funds: &[Coin],
        events: &mut Vec<Event>,
    ) -> Result<MsgOutcome, Halt> {
        let funds = bank::normalize(funds)?;
        let (sender, contract, funds) =
            basic::execute(&*self.shared.api, sender, contract, || Ok(funds), msg)?;
        let data = self.execute(&sender, &contract, msg, &funds, events)?;
        Ok(respond(
            "/cosmwasm.wasm.v1.MsgExecuteContractResponse",
            proto_fields(&[(1, data.as_deref().unwrap_or_default())]),
        ))
    }

    #[inline(never)]
    fn instantiate_message(
        &mut self,
        request: InstantiateMsg<'_>,
        funds: &[Coin],
        events: &mut Vec<Event>,
    ) -> Result<MsgOutcome, Halt> {
        let funds = bank::normalize(funds)?;
        let (sender, new) = basic::instantiate(&*self.shared.api, &request, || Ok(funds))?;
        let (address, data) = self.instantiate(&sender, &new, events)?;
        let type_url = if new.salt.is_some() {
            "/cosmwasm.wasm.v1.MsgInstantiateContract2Response"
        } else {
            "/cosmwasm.wasm.v1.MsgInstantiateContractResponse"
        };
        Ok(respond(
            type_url,
            proto_fields(&[
                (1, address.as_bytes()),
                (2, data.as_deref().unwrap_or_default()),
            ]),
        ))
    }

    #[inline(never)]
    fn migrate_message(
        &mut self,
        sender: &str,
        contract: &str,
        new_code_id: u64,
        msg: &Binary,
        events: &mut Vec<Event>,
    ) -> Result<MsgOutcome, Halt> {
        let (sender, contract) =
            basic::migrate(&*self.shared.api, sender, contract, new_code_id, msg)?;
        let data = self.migrate(&sender, &contract, new_code_id, msg, events)?;
        Ok(respond(
            "/cosmwasm.wasm.v1.MsgMigrateContractResponse",
            proto_fields(&[(1, data.as_deref().unwrap_or_default())]),
        ))
    }

    /// `MsgUpdateAdmin` (`Some`) or `MsgClearAdmin` (`None`).
    #[inline(never)]
    fn admin_message(
        &mut self,
        sender: &str,
        contract: &str,
        new_admin: Option<&str>,
        events: &mut Vec<Event>,
    ) -> Result<MsgOutcome, Halt> {
        let (sender, contract, new_admin) =
            basic::set_admin(&*self.shared.api, sender, contract, new_admin)?;
        self.set_admin(&sender, &contract, new_admin.as_deref(), events)?;
        let type_url = if new_admin.is_some() {
            "/cosmwasm.wasm.v1.MsgUpdateAdminResponse"
        } else {
            "/cosmwasm.wasm.v1.MsgClearAdminResponse"
        };
        Ok(respond(type_url, Vec::new()))
    }
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
