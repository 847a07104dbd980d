//! Contract queries of the chain (`query_chain`): bank, wasm smart / raw /
//! contract info / code info, answered from the live transaction state,
//! read-only, with wasmd's error mapping.

use std::sync::Arc;

use cosmwasm_std::{Binary, ContractResult, SystemError, SystemResult, WasmQuery};
use cw_gas::{CostTable, CwGas};
use cw_host::{BackendError, EntryPoint, Querier, QueryOutcome, VmFailure};
use serde::Deserialize;

use super::bank;
use super::core::{Shared, from_cw, lock};
use super::json::{
    AllBalancesJson, BalanceJson, CodeInfoJson, CoinJson, ContractInfoJson, coins_json,
};
use super::keys;

/// The [`Querier`] every contract call of the chain gets.
pub(crate) struct ChainQuerier<T: CostTable + Clone> {
    pub shared: Arc<Shared<T>>,
}

type Answer = SystemResult<ContractResult<Binary>>;

fn ok_json(value: &impl serde::Serialize) -> Answer {
    match cosmwasm_std::to_json_binary(value) {
        Ok(bin) => SystemResult::Ok(ContractResult::Ok(bin)),
        Err(e) => SystemResult::Err(SystemError::InvalidResponse {
            error: e.to_string(),
            response: Binary::default(),
        }),
    }
}

impl<T: CostTable + Clone + Send + Sync + 'static> Querier for ChainQuerier<T> {
    fn query_raw(&self, request: &[u8], gas_limit: CwGas, depth: u32) -> QueryOutcome {
        let mut gas_used = CwGas::new(0);
        let answer = match parse_request(request) {
            Err(e) => SystemResult::Err(SystemError::InvalidRequest {
                error: e.to_string(),
                request: Binary::from(request),
            }),
            Ok(request) => match self.answer(&request, gas_limit, depth, &mut gas_used) {
                Ok(answer) => answer,
                Err(fault) => {
                    return QueryOutcome {
                        result: Err(fault),
                        gas_used,
                    };
                }
            },
        };
        QueryOutcome {
            result: cosmwasm_std::to_json_vec(&answer).map_err(|e| BackendError::Other {
                message: e.to_string(),
            }),
            gas_used,
        }
    }
}

impl<T: CostTable + Clone + Send + Sync + 'static> ChainQuerier<T> {
    fn answer(
        &self,
        request: &Request,
        gas_limit: CwGas,
        depth: u32,
        gas_used: &mut CwGas,
    ) -> Result<Answer, BackendError> {
        let shared = &self.shared;
        Ok(match request {
            Request::Bank(BankRequest::Balance { address, denom }) => {
                let amount = bank::balance(&lock(&shared.store), address, denom);
                ok_json(&BalanceJson {
                    amount: CoinJson {
                        denom: denom.clone(),
                        amount: amount.to_string(),
                    },
                })
            }
            Request::Bank(BankRequest::AllBalances { address }) => {
                let coins = bank::all_balances(&lock(&shared.store), address);
                ok_json(&AllBalancesJson {
                    amount: coins_json(&coins),
                })
            }
            Request::Bank(BankRequest::Supply { denom }) => {
                let amount = bank::supply(&lock(&shared.store), denom);
                ok_json(&BalanceJson {
                    amount: CoinJson {
                        denom: denom.clone(),
                        amount: amount.to_string(),
                    },
                })
            }
            Request::Wasm(WasmQuery::Smart { contract_addr, msg }) => {
                self.smart(contract_addr, msg, gas_limit, depth, gas_used)?
            }
            Request::Wasm(WasmQuery::Raw { contract_addr, key }) => {
                let mut full = keys::contract_store(contract_addr);
                full.extend_from_slice(key);
                let value = lock(&shared.store).get(&full).cloned().unwrap_or_default();
                SystemResult::Ok(ContractResult::Ok(Binary::from(value)))
            }
            Request::Wasm(WasmQuery::ContractInfo { contract_addr }) => {
                match shared.contract_record(contract_addr) {
                    None => SystemResult::Err(SystemError::NoSuchContract {
                        addr: contract_addr.clone(),
                    }),
                    Some(record) => ok_json(&ContractInfoJson {
                        code_id: record.code_id,
                        creator: &record.creator,
                        admin: record.admin.as_deref(),
                        pinned: false,
                        ibc_port: None,
                        ibc2_port: None,
                    }),
                }
            }
            Request::Wasm(WasmQuery::CodeInfo { code_id }) => match shared.code(*code_id) {
                Err(_) => SystemResult::Err(SystemError::NoSuchCode { code_id: *code_id }),
                Ok(code) => ok_json(&CodeInfoJson {
                    code_id: *code_id,
                    creator: &code.creator,
                    checksum: hex::encode(code.checksum),
                }),
            },
            Request::Wasm(_) => SystemResult::Err(SystemError::UnsupportedRequest {
                kind: "wasm".into(),
            }),
            Request::Unsupported(kind) => {
                SystemResult::Err(SystemError::UnsupportedRequest { kind: kind.clone() })
            }
        })
    }

    fn smart(
        &self,
        contract: &str,
        msg: &Binary,
        gas_limit: CwGas,
        depth: u32,
        gas_used: &mut CwGas,
    ) -> Result<Answer, BackendError> {
        let shared = &self.shared;
        let Some(record) = shared.contract_record(contract) else {
            return Ok(SystemResult::Err(SystemError::NoSuchContract {
                addr: contract.to_owned(),
            }));
        };
        let Ok(code) = shared.code(record.code_id) else {
            return Ok(SystemResult::Err(SystemError::NoSuchCode {
                code_id: record.code_id,
            }));
        };
        let (result, report, _) = shared.call(
            contract,
            &code,
            EntryPoint::Query,
            None,
            msg,
            from_cw::<T::Gas>(gas_limit),
            depth,
        );
        *gas_used = report.used.cw_gas;
        // wasmd: the queried contract's failure reaches the caller redacted
        // to its ABCI code (`codespace: wasm, code: 9` for a contract error),
        // except out of gas, which ends the whole call.
        Ok(match result {
            Err(VmFailure::OutOfGas) => return Err(BackendError::OutOfGas),
            Err(_) => SystemResult::Ok(ContractResult::Err("codespace: wasm, code: 29".into())),
            Ok(bytes) => match cosmwasm_std::from_json::<ContractResult<Binary>>(&bytes) {
                Ok(ContractResult::Ok(bin)) => SystemResult::Ok(ContractResult::Ok(bin)),
                Ok(ContractResult::Err(_)) => {
                    SystemResult::Ok(ContractResult::Err("codespace: wasm, code: 9".into()))
                }
                Err(_) => SystemResult::Ok(ContractResult::Err("codespace: wasm, code: 10".into())),
            },
        })
    }
}

/// The queries the chain answers. Bank queries are parsed here rather than
/// with cosmwasm-std 3.0's `BankQuery`, which no longer has `AllBalances`
/// (contracts built with cosmwasm-std 2.x still send it).
enum Request {
    Bank(BankRequest),
    Wasm(WasmQuery),
    /// Any other kind (`staking`, `distribution`, `ibc`, `custom`, `grpc`,
    /// `stargate`, ...), named by its JSON key.
    Unsupported(String),
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum BankRequest {
    Balance { address: String, denom: String },
    AllBalances { address: String },
    Supply { denom: String },
}

/// Parses a `QueryRequest` JSON object (one key naming the kind).
fn parse_request(bytes: &[u8]) -> Result<Request, cosmwasm_std::StdError> {
    let value: serde_json::Value = cosmwasm_std::from_json(bytes)?;
    let invalid = || cosmwasm_std::StdError::msg("expected a JSON object with one key");
    let object = value
        .as_object()
        .filter(|o| o.len() == 1)
        .ok_or_else(invalid)?;
    let (kind, body) = object.iter().next().ok_or_else(invalid)?;
    let body = serde_json::to_vec(body).map_err(|e| cosmwasm_std::StdError::msg(e.to_string()))?;
    Ok(match kind.as_str() {
        "bank" => {
            let known = ["balance", "all_balances", "supply"];
            let is_known = body_kind(&object[kind]).is_some_and(|k| known.contains(&k));
            if is_known {
                Request::Bank(cosmwasm_std::from_json(&body)?)
            } else {
                Request::Unsupported("bank".into())
            }
        }
        "wasm" => Request::Wasm(cosmwasm_std::from_json(&body)?),
        other => Request::Unsupported(other.to_owned()),
    })
}

fn body_kind(body: &serde_json::Value) -> Option<&str> {
    body.as_object()?.keys().next().map(String::as_str)
}
