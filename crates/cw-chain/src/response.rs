//! What happens after a contract returned a response: wasmd's
//! `handleContractResponse` (`x/wasm/keeper/keeper.go`: the contract's
//! events, the call-depth check, the messages) and `DispatchSubmessages`
//! (`x/wasm/keeper/msg_dispatcher.go`: a checkpoint per submessage, gas
//! limits, event filtering and sorting, replies).

use cosmwasm_std::{Attribute, Binary, CosmosMsg, ReplyOn, Response, SubMsg};
use cw_gas::{CostTable, CwGas, GasQuantity};
use cw_host::{EntryPoint, VmFailure};

use super::core::{CheckpointGuard, from_cw};
use super::dispatch::{Custom, GAS_MULTIPLIER, Tx};
use super::error::{ChainError, Halt};
use super::event::{Event, EventAttribute};
use super::json::{ReplyJson, SubMsgResponseJson, SubMsgResultJson};
use super::messages::MsgOutcome;

/// One submessage that ran: its outcome, its events and its gas.
struct Ran {
    result: Result<MsgOutcome, Halt>,
    events: Vec<Event>,
    /// CosmWasm gas (in the table's unit) to charge the parent.
    used: u64,
}

// Nested messages recurse through `handle_response` →
// `dispatch_submessages` → `run_submessage` → `dispatch_message` → the
// keeper, once per level and up to `DEFAULT_MAX_CALL_DEPTH` levels: the
// functions on that path keep their frames small and leave the rest to
// helpers that are not inlined into them, so 100 levels fit a 2 MiB thread
// stack in a debug build.
impl<T: CostTable> Tx<'_, T> {
    /// wasmd `handleContractResponse`: the contract's own events, the call
    /// depth, then its messages; the result data is the response's,
    /// replaced by the last reply that returned data.
    ///
    /// `execute` passes a failure up as it is (`keeper.execute` returns
    /// it unwrapped); the other entry points wrap it with "dispatch".
    pub(super) fn handle_response(
        &mut self,
        contract: &str,
        entry: EntryPoint,
        response: Response<Custom>,
        events: &mut Vec<Event>,
    ) -> Result<Option<Binary>, Halt> {
        self.enter_response(contract, &response, events)
            .map_err(|error| wrap(entry, error))?;
        let dispatched = self.dispatch_submessages(contract, &response.messages, events);
        self.depth -= 1;
        match dispatched {
            Ok(reply_data) => Ok(reply_data.or(response.data)),
            Err(halt) if entry == EntryPoint::Execute => {
                Err(halt.map_failed(|error| ChainError::SubMessage(Box::new(error))))
            }
            Err(halt) => Err(halt.map_failed(|error| wrap(entry, error))),
        }
    }

    /// The response's events, then wasmd's `checkAndIncreaseCallDepth`:
    /// counted for every response, after the contract ran and its events
    /// were emitted.
    #[inline(never)]
    fn enter_response(
        &mut self,
        contract: &str,
        response: &Response<Custom>,
        events: &mut Vec<Event>,
    ) -> Result<(), ChainError> {
        contract_events(contract, response, events)?;
        let limit = self.shared.max_call_depth;
        if self.depth >= limit {
            return Err(ChainError::CallDepth { limit });
        }
        self.depth += 1;
        Ok(())
    }

    /// wasmd `DispatchSubmessages`.
    fn dispatch_submessages(
        &mut self,
        contract: &str,
        messages: &[SubMsg<Custom>],
        events: &mut Vec<Event>,
    ) -> Result<Option<Binary>, Halt> {
        let mut data = None;
        for sub in messages {
            let checkpoint = CheckpointGuard::open(&self.shared.store);
            let outer_left = self.gas_left;
            let cap = self.limit_gas(sub);
            let ran = self.run_submessage(contract, sub);
            if let Some(reply_data) =
                self.settle(contract, sub, ran, cap, outer_left, checkpoint, events)?
            {
                data = Some(reply_data);
            }
        }
        Ok(data)
    }

    /// Limits the gas for `sub` when its `gas_limit` is below the gas left;
    /// otherwise the submessage runs on the parent's meter and running out
    /// ends the transaction (the SDK's out-of-gas panic is not caught).
    #[inline(never)]
    fn limit_gas(&mut self, sub: &SubMsg<Custom>) -> Option<T::Gas> {
        let cap = sub
            .gas_limit
            .map(|limit| from_cw::<T::Gas>(CwGas::new(limit.saturating_mul(GAS_MULTIPLIER))))
            .filter(|cap| *cap < self.gas_left);
        if let Some(cap) = cap {
            self.gas_left = cap;
        }
        cap
    }

    fn run_submessage(&mut self, contract: &str, sub: &SubMsg<Custom>) -> Ran {
        let start = self.gas_left;
        let mut events = Vec::new();
        let result = self.dispatch_message(contract, &sub.msg, &mut events);
        Ran {
            result,
            events,
            used: start.to_u64().saturating_sub(self.gas_left.to_u64()),
        }
    }

    /// Everything `DispatchSubmessages` does after a submessage ran: the
    /// gas, the checkpoint, the events, the reply; returns the reply's data.
    #[inline(never)]
    #[allow(clippy::too_many_arguments)]
    fn settle(
        &mut self,
        contract: &str,
        sub: &SubMsg<Custom>,
        ran: Ran,
        cap: Option<T::Gas>,
        outer_left: T::Gas,
        checkpoint: CheckpointGuard<'_>,
        events: &mut Vec<Event>,
    ) -> Result<Option<Binary>, Halt> {
        let Ran {
            result,
            events: sub_events,
            mut used,
        } = ran;
        // A fault of the node ends the transaction: no reply sees it, no
        // gas limit turns it into an error.
        let mut result = match result {
            Err(Halt::Fault(fault)) => return Err(Halt::Fault(fault)),
            Err(Halt::Failed(error)) => Err(error),
            Ok(outcome) => Ok(outcome),
        };
        if result.as_ref().is_err_and(is_out_of_gas) {
            match (cap, sub.gas_limit) {
                // `dispatchMsgWithGasLimit`: the parent pays the whole
                // limit and the failure becomes an ordinary error.
                (Some(cap), Some(limit)) => {
                    used = cap.to_u64();
                    result = Err(ChainError::SubMsgGasLimit { limit });
                }
                _ => {
                    self.gas_left = T::Gas::from_u64(outer_left.to_u64().saturating_sub(used));
                    return result.map(|_| None).map_err(Halt::from);
                }
            }
        }
        self.gas_left = T::Gas::from_u64(outer_left.to_u64().saturating_sub(used));
        let is_wasm = matches!(sub.msg, CosmosMsg::Wasm(_));
        let reply_events = match &result {
            Ok(_) => {
                checkpoint.commit();
                let passed_up = filter_and_sort(sub_events, is_wasm);
                events.extend(passed_up.iter().cloned());
                if is_wasm { passed_up } else { Vec::new() }
            }
            Err(_) => {
                checkpoint.rollback();
                Vec::new()
            }
        };
        let outcome = match (result, &sub.reply_on) {
            (Err(error), ReplyOn::Never | ReplyOn::Success) => return Err(error.into()),
            (Ok(_), ReplyOn::Never | ReplyOn::Error) => return Ok(None),
            (Ok(outcome), _) => SubMsgResultJson::Ok(SubMsgResponseJson {
                events: reply_events,
                data: outcome
                    .response
                    .as_ref()
                    .map(|r| r.value.clone())
                    .filter(|v| !v.is_empty()),
                msg_responses: outcome.response.into_iter().collect(),
            }),
            (Err(error), _) => SubMsgResultJson::Error(error.redacted()),
        };
        // wasmd builds `Reply{ID, Result, Payload}` and never sets
        // `GasUsed`, so contracts always see 0.
        let reply = cosmwasm_std::to_json_vec(&ReplyJson {
            gas_used: 0,
            id: sub.id,
            result: outcome,
            payload: &sub.payload,
        })
        .unwrap_or_default();
        self.call_without_info(contract, EntryPoint::Reply, &reply, events)
            .map_err(|halt| halt.map_failed(|error| ChainError::Reply(Box::new(error))))
    }
}

/// wasmd's `Wrap(err, "dispatch")` around what handling the response of
/// any entry point but `execute` returned.
fn wrap(entry: EntryPoint, error: ChainError) -> ChainError {
    match entry {
        EntryPoint::Execute => error,
        _ => ChainError::Dispatch {
            entry: entry.export_name(),
            error: Box::new(error),
        },
    }
}

/// The events a successful submessage passes up, as `DispatchSubmessages`
/// leaves them: without `message` events (`filterEvents`) and, for a wasm
/// message, each event's attributes stable-sorted by key (byte order, as
/// Go's `strings.Compare`). wasmd sorts the reply's copy, whose attribute
/// slices the parent's events share, so the transaction's events are
/// sorted too.
fn filter_and_sort(mut events: Vec<Event>, is_wasm: bool) -> Vec<Event> {
    events.retain(|e| e.ty != "message");
    if is_wasm {
        for event in &mut events {
            event.attributes.sort_by(|a, b| a.key.cmp(&b.key));
        }
    }
    events
}

/// Whether the transaction's gas ran out somewhere inside `error`: nothing
/// but a limited submessage catches that (`SubMsgGasLimit` is already
/// caught, so it is not out of gas any more).
fn is_out_of_gas(error: &ChainError) -> bool {
    match error {
        ChainError::OutOfGas
        | ChainError::Vm {
            failure: VmFailure::OutOfGas,
            ..
        } => true,
        ChainError::SubMessage(inner) | ChainError::Reply(inner) => is_out_of_gas(inner),
        ChainError::Dispatch { error, .. } => is_out_of_gas(error),
        _ => false,
    }
}

/// wasmd `newWasmModuleEvent` and `newCustomEvents`
/// (`x/wasm/keeper/events.go`): a `wasm` event if the response has
/// attributes, then a `wasm-{type}` event per custom event.
fn contract_events(
    contract: &str,
    response: &Response<Custom>,
    events: &mut Vec<Event>,
) -> Result<(), ChainError> {
    if !response.attributes.is_empty() {
        let attributes = contract_attributes(contract, &response.attributes)?;
        events.push(Event {
            ty: "wasm".into(),
            attributes,
        });
    }
    for event in &response.events {
        let kind = event.ty.trim();
        // `eventTypeMinLength = 2`, refused when `len <= 2`.
        if kind.len() <= 2 {
            return Err(ChainError::InvalidEvent {
                reason: format!("Event type too short: '{kind}'"),
            });
        }
        let attributes = contract_attributes(contract, &event.attributes)?;
        events.push(Event {
            ty: format!("wasm-{kind}"),
            attributes,
        });
    }
    Ok(())
}

/// `_contract_address` first, then the contract's attributes, trimmed;
/// refuses what wasmd refuses (`contractSDKEventAttributes`: empty keys,
/// keys with the reserved `_` prefix).
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
                reason: format!("Empty attribute key. Value: {}", attribute.value),
            });
        }
        if key.starts_with('_') {
            return Err(ChainError::InvalidEvent {
                reason: format!("Attribute key starts with reserved prefix _: '{key}'"),
            });
        }
        out.push(EventAttribute {
            key: key.to_owned(),
            value: attribute.value.trim().to_owned(),
        });
    }
    Ok(out)
}
