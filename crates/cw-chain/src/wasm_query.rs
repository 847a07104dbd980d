//! Wasm queries of contracts: wasmd's `WasmQuerier`
//! (`x/wasm/keeper/query_plugins.go`) and the keeper functions it calls
//! (`QuerySmart`, `QueryRaw`, `QueryRawRange` in `keeper.go`).

use cosmwasm_std::{Binary, ContractResult, SystemError, SystemResult};
use cw_gas::{CostTable, CwGas};
use cw_host::{BackendError, EntryPoint, KeyRange, Order, VmFailure};
use serde::Deserialize;

use super::checks;
use super::core::{CallSpec, from_cw, lock, prefix_end};
use super::error::contract_failure;
use super::json::{CodeInfoJson, ContractInfoJson, RawRangeJson};
use super::json_valid::json_valid;
use super::keys;
use super::querier::{Answer, ChainQuerier, body, field, invalid_address, ok_json, redacted};

/// wasmvm's `WasmQuery`, one variant taken in `WasmQuerier`'s order.
pub(super) enum WasmRequest {
    Smart { contract_addr: String, msg: Binary },
    Raw { contract_addr: String, key: Binary },
    ContractInfo { contract_addr: String },
    CodeInfo { code_id: u64 },
    RawRange(RawRangeQuery),
    Unknown,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SmartQuery {
    contract_addr: String,
    msg: Binary,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawQuery {
    contract_addr: String,
    key: Binary,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ContractInfoQuery {
    contract_addr: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CodeInfoQuery {
    code_id: u64,
}

/// wasmvm `RawRangeQuery` (CosmWasm 3.0): `order` is a free string there,
/// checked by the querier.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RawRangeQuery {
    contract_addr: String,
    start: Option<Binary>,
    end: Option<Binary>,
    limit: u16,
    order: String,
}

impl WasmRequest {
    pub(super) fn parse(value: &serde_json::Value) -> Result<Self, String> {
        let object = value
            .as_object()
            .ok_or_else(|| "a wasm query must be a JSON object".to_owned())?;
        Ok(if let Some(v) = field(object, "smart") {
            let q: SmartQuery = body(v)?;
            Self::Smart {
                contract_addr: q.contract_addr,
                msg: q.msg,
            }
        } else if let Some(v) = field(object, "raw") {
            let q: RawQuery = body(v)?;
            Self::Raw {
                contract_addr: q.contract_addr,
                key: q.key,
            }
        } else if let Some(v) = field(object, "contract_info") {
            let q: ContractInfoQuery = body(v)?;
            Self::ContractInfo {
                contract_addr: q.contract_addr,
            }
        } else if let Some(v) = field(object, "code_info") {
            let q: CodeInfoQuery = body(v)?;
            Self::CodeInfo { code_id: q.code_id }
        } else if let Some(v) = field(object, "raw_range") {
            Self::RawRange(body(v)?)
        } else {
            Self::Unknown
        })
    }
}

impl<T: CostTable> ChainQuerier<T> {
    /// wasmd `WasmQuerier`.
    pub(super) fn wasm(
        &self,
        request: WasmRequest,
        gas_limit: CwGas,
        depth: u32,
        gas_used: &mut CwGas,
    ) -> Result<Answer, BackendError> {
        let shared = &self.shared;
        let api = &*shared.api;
        Ok(match request {
            WasmRequest::Smart { contract_addr, msg } => {
                let Ok(contract) = checks::bank_account(api, &contract_addr) else {
                    return Ok(invalid_address());
                };
                // `RawContractMessage.ValidateBasic`, wrapped "json msg".
                if !json_valid(&msg) {
                    return Ok(redacted("wasm", 14));
                }
                self.smart(&contract, &msg, gas_limit, depth, gas_used)?
            }
            WasmRequest::Raw { contract_addr, key } => {
                let Ok(contract) = checks::bank_account(api, &contract_addr) else {
                    return Ok(invalid_address());
                };
                let mut full = keys::contract_store(&contract);
                full.extend_from_slice(&key);
                let value = lock(&shared.store).get(&full).unwrap_or_default();
                SystemResult::Ok(ContractResult::Ok(Binary::from(value)))
            }
            WasmRequest::ContractInfo { contract_addr } => {
                let Ok(contract) = checks::bank_account(api, &contract_addr) else {
                    return Ok(invalid_address());
                };
                match shared.contract_record(&contract) {
                    None => SystemResult::Err(SystemError::NoSuchContract {
                        addr: contract_addr,
                    }),
                    Some(record) => ok_json(&ContractInfoJson {
                        code_id: record.code_id,
                        creator: &record.creator,
                        admin: record.admin.as_deref(),
                        pinned: false,
                        ibc_port: None,
                        ibc2_port: Some(self.ibc2_port(&contract)),
                    }),
                }
            }
            WasmRequest::CodeInfo { code_id: 0 } => redacted("wasm", 12),
            WasmRequest::CodeInfo { code_id } => match shared.code(code_id) {
                Err(_) => SystemResult::Err(SystemError::NoSuchCode { code_id }),
                Ok(code) => ok_json(&CodeInfoJson {
                    code_id,
                    creator: &code.creator,
                    checksum: code.checksum.to_hex(),
                }),
            },
            WasmRequest::RawRange(query) => {
                let Ok(contract) = checks::bank_account(api, &query.contract_addr) else {
                    return Ok(invalid_address());
                };
                let order = match query.order.as_str() {
                    "ascending" => Order::Ascending,
                    "descending" => Order::Descending,
                    // `Wrapf(ErrInvalidRequest, "unknown order %s")`.
                    _ => return Ok(redacted("sdk", 18)),
                };
                ok_json(&self.raw_range(&contract, &query, order))
            }
            WasmRequest::Unknown => SystemResult::Err(SystemError::UnsupportedRequest {
                kind: "unknown WasmQuery variant".into(),
            }),
        })
    }

    /// wasmd `QuerySmart`: the query depth (smart queries alone count),
    /// then the contract's `query` at that depth, in the querying call's
    /// transaction.
    fn smart(
        &self,
        contract: &str,
        msg: &[u8],
        gas_limit: CwGas,
        depth: u32,
        gas_used: &mut CwGas,
    ) -> Result<Answer, BackendError> {
        let shared = &self.shared;
        if depth > shared.limits.max_query_depth {
            // `ErrExceedMaxQueryStackSize`.
            return Ok(redacted("wasm", 27));
        }
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
        let (result, report, _) = shared.call(CallSpec {
            address: contract,
            code: &code,
            entry: EntryPoint::Query,
            info: None,
            msg,
            gas_limit: from_cw::<T::Gas>(gas_limit),
            query_depth: depth,
            transaction: self.transaction,
        });
        *gas_used = report.used.cw_gas;
        // A failure of the queried contract: its own error keeps its text
        // (`MarkErrorDeterministic(Wrap(ErrQueryFailed, msg))` is not
        // redacted); a VM error becomes `ErrVMError` (29); running out of
        // gas ends the querying call too.
        // The node's fault in the queried call is the node's fault in the
        // querying one: a backend failure, which `HostError::classify`
        // makes a `NodeFault` again.
        let result = result.map_err(|fault| BackendError::Other {
            message: fault.to_string(),
        })?;
        Ok(match result {
            Err(VmFailure::OutOfGas) => return Err(BackendError::OutOfGas),
            Err(_) => redacted("wasm", 29),
            Ok(bytes) => match cosmwasm_std::from_json::<ContractResult<Binary>>(&bytes) {
                Ok(ContractResult::Ok(bin)) => SystemResult::Ok(ContractResult::Ok(bin)),
                Ok(ContractResult::Err(message)) => SystemResult::Ok(ContractResult::Err(format!(
                    "{message}: {}",
                    contract_failure("query")
                ))),
                Err(_) => redacted("wasm", 29),
            },
        })
    }

    /// wasmd `QueryRawRange`: at most `limit` entries of the contract's
    /// storage from `start` (inclusive) to `end` (exclusive) in `order`;
    /// `next_key` is the key the iteration stopped on, `null` once the
    /// range is exhausted.
    fn raw_range(&self, contract: &str, query: &RawRangeQuery, order: Order) -> RawRangeJson {
        let prefix = keys::contract_store(contract);
        let bound = |key: &Binary| {
            let mut full = prefix.clone();
            full.extend_from_slice(key);
            full
        };
        let start = query.start.as_ref().map_or_else(|| prefix.clone(), bound);
        let end = query
            .end
            .as_ref()
            .map_or_else(|| prefix_end(&prefix), bound);
        let range = KeyRange {
            start: Some(&start),
            end: Some(&end),
        };
        let store = lock(&self.shared.store);
        let mut data = Vec::new();
        let mut after: Option<Vec<u8>> = None;
        let next_key = loop {
            let Some((key, value)) = store.seek(range, order, after.as_deref()) else {
                break None;
            };
            let own_key = Binary::from(&key[prefix.len()..]);
            if data.len() == usize::from(query.limit) {
                break Some(own_key);
            }
            data.push((own_key, Binary::from(value)));
            after = Some(key);
        };
        RawRangeJson { data, next_key }
    }

    /// wasmd `PortIDForContractV2`: `wasm2` and the address without the
    /// chain's bech32 prefix (the whole address when the chain's `Api` is
    /// not the built-in bech32 one).
    fn ibc2_port(&self, contract: &str) -> String {
        let rest = self
            .shared
            .account_prefix
            .as_deref()
            .and_then(|prefix| contract.strip_prefix(prefix))
            .unwrap_or(contract);
        format!("wasm2{rest}")
    }
}
