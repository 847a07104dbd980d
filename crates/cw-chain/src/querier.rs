//! Contract queries of the chain (`query_chain`), answered from the live
//! transaction state, read-only, as wasmd's `QueryHandler` and
//! `QueryPlugins` (`x/wasm/keeper/query_plugins.go`) answer them: requests
//! are read as wasmvm's Go types read them, errors reach the contract as
//! `redactError` leaves them.
//!
//! Bank queries are here; wasm queries in `wasm_query.rs`.

use std::sync::Arc;

use cosmwasm_std::{Binary, ContractResult, DenomMetadata, SystemError, SystemResult};
use cw_gas::{CostTable, CwGas};
use cw_host::{BackendError, Querier, QueryOutcome};
use serde::Deserialize;

use super::bank;
use super::checks;
use super::core::{Shared, lock};
use super::json::{
    AllBalancesJson, AllDenomMetadataJson, BalanceJson, CoinJson, DenomMetadataJson, coins_json,
};
use super::tx_info::TxInfo;
use super::wasm_query::WasmRequest;

/// The [`Querier`] every contract call of the chain gets.
pub(crate) struct ChainQuerier<T: CostTable> {
    pub shared: Arc<Shared<T>>,
    /// `env.transaction` of the querying call, passed on to queried
    /// contracts (wasmd's query context inherits the transaction's).
    pub transaction: Option<TxInfo>,
}

/// What a query answers the contract.
pub(super) type Answer = SystemResult<ContractResult<Binary>>;

pub(super) fn ok_json(value: &impl serde::Serialize) -> Answer {
    match cosmwasm_std::to_json_binary(value) {
        Ok(bin) => SystemResult::Ok(ContractResult::Ok(bin)),
        Err(e) => SystemResult::Err(SystemError::InvalidResponse {
            error: e.to_string(),
            response: Binary::default(),
        }),
    }
}

/// An error that `redactError` turns into `codespace: …, code: …` and
/// wasmvm's `ToQuerierResult` hands the contract as a query error it can
/// handle.
pub(super) fn redacted(codespace: &str, code: u32) -> Answer {
    SystemResult::Ok(ContractResult::Err(format!(
        "codespace: {codespace}, code: {code}"
    )))
}

/// wasmd answers an invalid address with `ErrInvalidAddress` (sdk 7).
pub(super) fn invalid_address() -> Answer {
    redacted("sdk", 7)
}

impl<T: CostTable> Querier for ChainQuerier<T> {
    fn query_raw(&self, request: &[u8], gas_limit: CwGas, depth: u32) -> QueryOutcome {
        let mut gas_used = CwGas::new(0);
        let answer = match parse_request(request) {
            Err(error) => SystemResult::Err(SystemError::InvalidRequest {
                error,
                request: Binary::from(request),
            }),
            Ok(request) => match self.answer(request, gas_limit, depth, &mut gas_used) {
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

impl<T: CostTable> ChainQuerier<T> {
    fn answer(
        &self,
        request: Request,
        gas_limit: CwGas,
        depth: u32,
        gas_used: &mut CwGas,
    ) -> Result<Answer, BackendError> {
        match request {
            Request::Bank(bank) => self.bank(bank),
            Request::Wasm(wasm) => self.wasm(wasm, gas_limit, depth, gas_used),
            Request::Unsupported(kind) => Ok(SystemResult::Err(SystemError::UnsupportedRequest {
                kind: kind.to_owned(),
            })),
            Request::Unknown => Ok(SystemResult::Err(SystemError::Unknown {})),
        }
    }

    /// wasmd `BankQuerier`.
    fn bank(&self, request: BankRequest) -> Result<Answer, BackendError> {
        let shared = &self.shared;
        let api = &*shared.api;
        Ok(match request {
            BankRequest::AllBalances { address } => {
                let Ok(address) = checks::bank_account(api, &address) else {
                    return Ok(invalid_address());
                };
                let coins = bank::all_balances(&lock(&shared.store), &address);
                ok_json(&AllBalancesJson {
                    amount: coins_json(&coins),
                })
            }
            BankRequest::Balance { address, denom } => {
                let Ok(address) = checks::bank_account(api, &address) else {
                    return Ok(invalid_address());
                };
                check_denom(&denom)?;
                let amount = bank::balance(&lock(&shared.store), &address, &denom);
                ok_json(&BalanceJson {
                    amount: CoinJson {
                        denom,
                        amount: amount.to_string(),
                    },
                })
            }
            BankRequest::Supply { denom } => {
                check_denom(&denom)?;
                let amount = bank::supply(&lock(&shared.store), &denom);
                ok_json(&BalanceJson {
                    amount: CoinJson {
                        denom,
                        amount: amount.to_string(),
                    },
                })
            }
            BankRequest::DenomMetadata { denom } => match shared.denom_metadata.get(&denom) {
                Some(metadata) => ok_json(&DenomMetadataJson { metadata }),
                // `Wrap(sdkerrors.ErrNotFound, denom)`.
                None => redacted("sdk", 38),
            },
            BankRequest::AllDenomMetadata { pagination } => {
                let (metadata, next_key) =
                    paginate(&shared.denom_metadata, pagination.unwrap_or_default());
                ok_json(&AllDenomMetadataJson { metadata, next_key })
            }
            BankRequest::Unknown => SystemResult::Err(SystemError::UnsupportedRequest {
                kind: "unknown BankQuery variant".into(),
            }),
        })
    }
}

/// The SDK's `GetBalance` / `GetSupply` build `sdk.NewCoin(denom, 0)`, which
/// panics on an invalid denomination; wasmvm turns the panic into a failed
/// query call (`recoverPanic`), so the querying contract's call fails
/// [SDK `x/bank/keeper`, not v0.54-verified].
fn check_denom(denom: &str) -> Result<(), BackendError> {
    if bank::valid_denom(denom) {
        Ok(())
    } else {
        Err(BackendError::Refused {
            message: format!("invalid denom: {denom}"),
        })
    }
}

/// The SDK's default page size (`query.DefaultLimit`).
const DEFAULT_PAGE_LIMIT: u32 = 100;

/// One page of denomination metadata, keyed by base denomination, as the
/// SDK's `DenomsMetadata` pages it: from `key` (inclusive) in the chosen
/// direction, `limit` entries (0: 100), and the key of the first entry
/// left over [SDK `query.Paginate`, not v0.54-verified].
fn paginate(
    all: &std::collections::BTreeMap<String, DenomMetadata>,
    page: PageRequest,
) -> (Vec<&DenomMetadata>, Option<Binary>) {
    let limit = if page.limit == 0 {
        DEFAULT_PAGE_LIMIT
    } else {
        page.limit
    } as usize;
    let key = page.key.as_ref().map(|k| k.as_slice());
    let in_range = |denom: &&String| {
        key.is_none_or(|k| {
            if page.reverse {
                denom.as_bytes() <= k
            } else {
                denom.as_bytes() >= k
            }
        })
    };
    let mut entries: Box<dyn Iterator<Item = (&String, &DenomMetadata)>> = if page.reverse {
        Box::new(all.iter().rev())
    } else {
        Box::new(all.iter())
    };
    let mut metadata = Vec::new();
    let mut next_key = None;
    for (denom, entry) in entries.by_ref().filter(|(d, _)| in_range(d)) {
        if metadata.len() == limit {
            next_key = Some(Binary::from(denom.as_bytes()));
            break;
        }
        metadata.push(entry);
    }
    (metadata, next_key)
}

/// A `QueryRequest`, by the kind wasmd's `HandleQuery` picks.
enum Request {
    Bank(BankRequest),
    Wasm(WasmRequest),
    /// A kind this chain has no module for, with the `kind` wasmd's
    /// plugin reports (or that this chain reports for a module it leaves
    /// out: staking, distribution, IBC).
    Unsupported(&'static str),
    /// No kind wasmvm knows (`wasmvmtypes.Unknown`).
    Unknown,
}

/// wasmvm's `BankQuery`, one variant taken in `BankQuerier`'s order.
enum BankRequest {
    AllBalances { address: String },
    Balance { address: String, denom: String },
    Supply { denom: String },
    DenomMetadata { denom: String },
    AllDenomMetadata { pagination: Option<PageRequest> },
    Unknown,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AddressQuery {
    address: String,
    denom: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DenomQuery {
    denom: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AllDenomMetadataQuery {
    pagination: Option<PageRequest>,
}

/// wasmvm `PageRequest`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct PageRequest {
    key: Option<Binary>,
    limit: u32,
    reverse: bool,
}

/// The value of `key` in `object` unless absent or `null` (wasmvm's Go
/// structs hold each variant as a nil-able pointer).
pub(super) fn field<'v>(
    object: &'v serde_json::Map<String, serde_json::Value>,
    key: &str,
) -> Option<&'v serde_json::Value> {
    object.get(key).filter(|v| !v.is_null())
}

/// Deserializes a variant's body as Go's `encoding/json` does: missing
/// fields are their zero values, unknown fields are ignored.
pub(super) fn body<B: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Result<B, String> {
    B::deserialize(value).map_err(|e| e.to_string())
}

/// Parses a `QueryRequest` as wasmvm's `RustQuery` does (`json.Unmarshal`
/// into `QueryRequest`), then picks the kind in `HandleQuery`'s order. An
/// error is the text of `SystemError::InvalidRequest`.
fn parse_request(bytes: &[u8]) -> Result<Request, String> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let object = value
        .as_object()
        .ok_or_else(|| "a query request must be a JSON object".to_owned())?;
    if let Some(bank) = field(object, "bank") {
        return parse_bank(bank).map(Request::Bank);
    }
    if field(object, "custom").is_some() {
        return Ok(Request::Unsupported("custom"));
    }
    if field(object, "ibc").is_some() {
        return Ok(Request::Unsupported("ibc"));
    }
    if field(object, "staking").is_some() {
        return Ok(Request::Unsupported("staking"));
    }
    if field(object, "stargate").is_some() {
        return Ok(Request::Unsupported(
            "Stargate queries are disabled on this chain",
        ));
    }
    if field(object, "grpc").is_some() {
        return Ok(Request::Unsupported(
            "gRPC queries are disabled on this chain",
        ));
    }
    if let Some(wasm) = field(object, "wasm") {
        return WasmRequest::parse(wasm).map(Request::Wasm);
    }
    if field(object, "distribution").is_some() {
        return Ok(Request::Unsupported("distribution"));
    }
    Ok(Request::Unknown)
}

fn parse_bank(value: &serde_json::Value) -> Result<BankRequest, String> {
    let object = value
        .as_object()
        .ok_or_else(|| "a bank query must be a JSON object".to_owned())?;
    Ok(if let Some(v) = field(object, "all_balances") {
        let q: AddressQuery = body(v)?;
        BankRequest::AllBalances { address: q.address }
    } else if let Some(v) = field(object, "balance") {
        let q: AddressQuery = body(v)?;
        BankRequest::Balance {
            address: q.address,
            denom: q.denom,
        }
    } else if let Some(v) = field(object, "supply") {
        let q: DenomQuery = body(v)?;
        BankRequest::Supply { denom: q.denom }
    } else if let Some(v) = field(object, "denom_metadata") {
        let q: DenomQuery = body(v)?;
        BankRequest::DenomMetadata { denom: q.denom }
    } else if let Some(v) = field(object, "all_denom_metadata") {
        let q: AllDenomMetadataQuery = body(v)?;
        BankRequest::AllDenomMetadata {
            pagination: q.pagination,
        }
    } else {
        BankRequest::Unknown
    })
}
