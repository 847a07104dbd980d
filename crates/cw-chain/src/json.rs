//! The JSON the chain sends to contracts, shaped as cosmwasm-std 3.0
//! deserializes it (Env, MessageInfo, MigrateInfo, Reply, query responses).

use cosmwasm_std::Binary;

use super::event::Event;
use serde::Serialize;

use std::collections::BTreeMap;

/// A coin as cosmwasm-std serializes it (amount as a decimal string).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct CoinJson {
    pub denom: String,
    pub amount: String,
}

pub(crate) fn coins_json<A: ToString>(coins: &BTreeMap<String, A>) -> Vec<CoinJson> {
    coins
        .iter()
        .map(|(denom, amount)| CoinJson {
            denom: denom.clone(),
            amount: amount.to_string(),
        })
        .collect()
}

#[derive(Serialize)]
pub(crate) struct EnvJson<'a> {
    pub block: BlockJson<'a>,
    pub transaction: Option<TransactionJson>,
    pub contract: ContractJson<'a>,
}

#[derive(Serialize)]
pub(crate) struct BlockJson<'a> {
    pub height: u64,
    /// Nanoseconds since the Unix epoch, as a string (cosmwasm-std `Timestamp`).
    pub time: String,
    pub chain_id: &'a str,
}

/// wasmvm `TransactionInfo`: the hash as base64 (Go `[]byte`).
#[derive(Serialize)]
pub(crate) struct TransactionJson {
    pub index: u32,
    pub hash: Binary,
}

#[derive(Serialize)]
pub(crate) struct ContractJson<'a> {
    pub address: &'a str,
}

#[derive(Serialize)]
pub(crate) struct InfoJson<'a> {
    pub sender: &'a str,
    pub funds: Vec<CoinJson>,
}

#[derive(Serialize)]
pub(crate) struct MigrateInfoJson<'a> {
    pub sender: &'a str,
    pub old_migrate_version: Option<u64>,
}

/// wasmvm `Reply` (`types/submessages.go`), in its field order; the
/// payload is left out when empty (`omitempty`).
#[derive(Serialize)]
pub(crate) struct ReplyJson<'a> {
    pub gas_used: u64,
    pub id: u64,
    pub result: SubMsgResultJson,
    #[serde(skip_serializing_if = "is_empty")]
    pub payload: &'a Binary,
}

fn is_empty(bytes: &&Binary) -> bool {
    bytes.is_empty()
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SubMsgResultJson {
    Ok(SubMsgResponseJson),
    Error(String),
}

/// wasmvm `SubMsgResponse`: `data` is left out when empty (`omitempty`).
#[derive(Serialize)]
pub(crate) struct SubMsgResponseJson {
    pub events: Vec<Event>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Binary>,
    pub msg_responses: Vec<MsgResponseJson>,
}

/// A message's protobuf response, as `SubMsgResponse::msg_responses` holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MsgResponseJson {
    /// The response's protobuf type URL.
    pub type_url: String,
    /// The protobuf-encoded response.
    pub value: Binary,
}

#[derive(Serialize)]
pub(crate) struct BalanceJson {
    pub amount: CoinJson,
}

#[derive(Serialize)]
pub(crate) struct AllBalancesJson {
    pub amount: Vec<CoinJson>,
}

/// wasmvm `ContractInfoResponse`: `admin`, `ibc_port` and `ibc2_port` are
/// left out when empty (`omitempty`).
#[derive(Serialize)]
pub(crate) struct ContractInfoJson<'a> {
    pub code_id: u64,
    pub creator: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin: Option<&'a str>,
    pub pinned: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ibc_port: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ibc2_port: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct CodeInfoJson<'a> {
    pub code_id: u64,
    pub creator: &'a str,
    /// Hex, as cosmwasm-std `Checksum` serializes.
    pub checksum: String,
}

/// wasmvm `RawRangeResponse`: each entry a `[key, value]` array; `next_key`
/// is `null` when the range is exhausted.
#[derive(Serialize)]
pub(crate) struct RawRangeJson {
    pub data: Vec<(Binary, Binary)>,
    pub next_key: Option<Binary>,
}

/// wasmvm `DenomMetadataResponse`.
#[derive(Serialize)]
pub(crate) struct DenomMetadataJson<'a> {
    pub metadata: &'a cosmwasm_std::DenomMetadata,
}

/// wasmvm `AllDenomMetadataResponse`: `next_key` left out when there is no
/// next page (`omitempty`).
#[derive(Serialize)]
pub(crate) struct AllDenomMetadataJson<'a> {
    pub metadata: Vec<&'a cosmwasm_std::DenomMetadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_key: Option<Binary>,
}

/// Protobuf encoding of the `MsgXxxResponse` messages wasmd returns in
/// `msg_responses`: only length-delimited fields (string / bytes) occur.
pub(crate) fn proto_fields(fields: &[(u32, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (number, bytes) in fields {
        if bytes.is_empty() {
            continue; // proto3 omits empty scalars
        }
        varint(&mut out, u64::from(*number) << 3 | 2);
        varint(&mut out, bytes.len() as u64);
        out.extend_from_slice(bytes);
    }
    out
}

fn varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proto_encoding_of_an_execute_response() {
        // MsgExecuteContractResponse { data: [1, 2, 3] } = field 1, wire type 2.
        assert_eq!(proto_fields(&[(1, &[1, 2, 3])]), [0x0a, 3, 1, 2, 3]);
        assert_eq!(proto_fields(&[(1, b"")]), Vec::<u8>::new());
        let long = vec![7u8; 200];
        let encoded = proto_fields(&[(2, &long)]);
        assert_eq!(&encoded[..3], &[0x12, 0xc8, 0x01]);
    }
}
