//! Item 6: the queries a contract makes, answered as wasmd's `WasmQuerier`
//! and `BankQuerier` (`x/wasm/keeper/query_plugins.go`) answer them, in
//! the JSON of wasmvm's response types.

use cosmwasm_std::{Binary, DenomMetadata, DenomUnit};
use cw_runtime::chain::ChainError;
use serde_json::{Value, json};

use super::{World, world, world_with};

/// The answer's `ok.ok` bytes as JSON.
fn ok(answer: &Value) -> Value {
    let bytes = Binary::from_base64(answer["ok"]["ok"].as_str().expect("an ok answer")).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn b64(bytes: &[u8]) -> String {
    Binary::from(bytes).to_base64()
}

fn write(w: &World, key: &[u8], value: &[u8]) {
    w.execute(
        "alice",
        "A",
        &json!({"write": {"key": b64(key), "value": b64(value)}}),
    )
    .unwrap();
}

fn raw_range(w: &World, body: Value) -> Value {
    let mut query = json!({"contract_addr": "@A", "limit": 10, "order": "ascending"});
    for (k, v) in body.as_object().unwrap() {
        query[k] = v.clone();
    }
    w.query_chain(json!({"wasm": {"raw_range": query}}))
}

/// wasmd `QueryRawRange` (`keeper.go`, pinned by `TestQueryRawRange`):
/// `start` inclusive, `end` exclusive, at most `limit` entries, `next_key`
/// the key the iteration stopped on (`null` when exhausted), `data` never
/// `null`; an unknown order is `ErrInvalidRequest` (sdk 18).
#[test]
fn raw_range_pages_through_a_contract_s_storage() {
    let w = world();
    for key in [b"a", b"b", b"c", b"d"] {
        write(&w, key, &[key[0], b'!']);
    }
    let pair = |k: &[u8]| json!([b64(k), b64(&[k[0], b'!'])]);
    assert_eq!(
        ok(&raw_range(&w, json!({"start": b64(b"b"), "limit": 2}))),
        json!({"data": [pair(b"b"), pair(b"c")], "next_key": b64(b"d")})
    );
    assert_eq!(
        ok(&raw_range(
            &w,
            json!({"end": b64(b"c"), "order": "descending"})
        )),
        json!({"data": [pair(b"b"), pair(b"a")], "next_key": null})
    );
    assert_eq!(
        ok(&raw_range(&w, json!({"limit": 0}))),
        json!({"data": [], "next_key": b64(b"a")})
    );
    assert_eq!(
        ok(&raw_range(
            &w,
            json!({"start": b64(b"c"), "end": b64(b"b")})
        )),
        json!({"data": [], "next_key": null})
    );
    assert_eq!(
        raw_range(&w, json!({"order": "sideways"})),
        json!({"ok": {"error": "codespace: sdk, code: 18"}})
    );
    assert_eq!(
        raw_range(&w, json!({"contract_addr": "nope"})),
        json!({"ok": {"error": "codespace: sdk, code: 7"}})
    );
    assert_eq!(
        ok(&raw_range(&w, json!({"contract_addr": "@bob"}))),
        json!({"data": [], "next_key": null}),
        "no existence check"
    );
}

/// `BankQuerier`: an address `sdk.AccAddressFromBech32` refuses is
/// `ErrInvalidAddress` (sdk 7), for balances and wasm queries alike; an
/// all-upper-case bech32 address is the same account.
#[test]
fn invalid_addresses_are_query_errors() {
    let w = world();
    let sdk7 = json!({"ok": {"error": "codespace: sdk, code: 7"}});
    for request in [
        json!({"bank": {"balance": {"address": "nope", "denom": "ucosm"}}}),
        json!({"bank": {"all_balances": {"address": ""}}}),
        json!({"wasm": {"raw": {"contract_addr": "nope", "key": ""}}}),
        json!({"wasm": {"contract_info": {"contract_addr": "nope"}}}),
    ] {
        assert_eq!(w.query_chain(request.clone()), sdk7, "{request}");
    }
    let upper = w.addr("alice").to_uppercase();
    let balance = w.query_chain(json!({"bank": {"balance": {"address": upper, "denom": "ucosm"}}}));
    assert_eq!(
        ok(&balance),
        json!({"amount": {"denom": "ucosm", "amount": "10000"}})
    );
}

/// The SDK's `GetBalance` panics on an invalid denomination
/// (`sdk.NewCoin`); wasmvm turns the panic into a failed query call, so
/// the querying contract fails [SDK, not v0.54-verified].
#[test]
fn a_balance_of_an_invalid_denomination_fails_the_caller() {
    let w = world();
    let request = w.fill(&json!({"bank": {"balance": {"address": "@alice", "denom": "x"}}}));
    let msg = json!({"query_chain": {"request": b64(&serde_json::to_vec(&request).unwrap())}});
    let failure = w.execute("alice", "A", &msg).unwrap_err();
    assert!(
        matches!(*failure.error, ChainError::Vm { .. }),
        "{}",
        failure.error
    );
}

/// wasmvm `ContractInfoResponse`: `admin` left out when empty, `ibc2_port`
/// set for every contract (`PortIDForContractV2`: "wasm2" and the address
/// without the bech32 prefix).
#[test]
fn contract_info_has_the_ibc2_port() {
    let w = world();
    let token = w.addr("token");
    let info = ok(&w.query_chain(json!({"wasm": {"contract_info": {"contract_addr": "@token"}}})));
    assert_eq!(
        info,
        json!({"code_id": w.code("cw20"), "creator": w.addr("alice"), "pinned": false,
               "ibc2_port": format!("wasm2{}", token.strip_prefix("cosmwasm").unwrap())})
    );
    let with_admin =
        ok(&w.query_chain(json!({"wasm": {"contract_info": {"contract_addr": "@B"}}})));
    assert_eq!(with_admin["admin"], w.addr("A"));
}

/// `WasmQuerier` `CodeInfo`: code id 0 is `ErrEmpty` (wasm 12); an unknown
/// code is wasmvm's `NoSuchCode`.
#[test]
fn code_info_of_code_zero_is_an_error() {
    let w = world();
    assert_eq!(
        w.query_chain(json!({"wasm": {"code_info": {"code_id": 0}}})),
        json!({"ok": {"error": "codespace: wasm, code: 12"}})
    );
    assert_eq!(
        w.query_chain(json!({"wasm": {"code_info": {"code_id": 99}}})),
        json!({"error": {"no_such_code": {"code_id": 99}}})
    );
}

fn metadata(base: &str) -> DenomMetadata {
    DenomMetadata {
        description: format!("the {base} token"),
        denom_units: vec![DenomUnit {
            denom: base.to_owned(),
            exponent: 0,
            aliases: vec![],
        }],
        base: base.to_owned(),
        display: base.to_owned(),
        name: base.to_owned(),
        symbol: base.to_uppercase(),
        uri: String::new(),
        uri_hash: String::new(),
    }
}

/// `BankQuerier` `DenomMetadata` (unknown: `ErrNotFound`, sdk 38) and
/// `AllDenomMetadata` (pages of the bank's metadata; `next_key` left out
/// on the last page).
#[test]
fn denom_metadata_is_answered() {
    let w = world();
    assert_eq!(
        w.query_chain(json!({"bank": {"denom_metadata": {"denom": "ucosm"}}})),
        json!({"ok": {"error": "codespace: sdk, code: 38"}})
    );
    assert_eq!(
        ok(&w.query_chain(json!({"bank": {"all_denom_metadata": {}}}))),
        json!({"metadata": []})
    );
    let w = world_with(|b| {
        b.denom_metadata(metadata("uatom"))
            .denom_metadata(metadata("ucosm"))
            .denom_metadata(metadata("ujuno"))
    });
    let one = ok(&w.query_chain(json!({"bank": {"denom_metadata": {"denom": "ucosm"}}})));
    assert_eq!(
        one,
        json!({"metadata": serde_json::to_value(metadata("ucosm")).unwrap()})
    );
    let page = ok(&w.query_chain(json!({"bank": {"all_denom_metadata": {
        "pagination": {"key": null, "limit": 2, "reverse": false}}}})));
    assert_eq!(page["metadata"].as_array().unwrap().len(), 2);
    assert_eq!(page["next_key"], b64(b"ujuno"));
    let last = ok(&w.query_chain(json!({"bank": {"all_denom_metadata": {
        "pagination": {"key": b64(b"ujuno"), "limit": 2, "reverse": false}}}})));
    assert_eq!(
        last,
        json!({"metadata": [serde_json::to_value(metadata("ujuno")).unwrap()]})
    );
}

/// `HandleQuery`: no known kind is wasmvm's `Unknown`; the plugins' own
/// refusals name what they refuse.
#[test]
fn unknown_and_unsupported_kinds() {
    let w = world();
    assert_eq!(
        w.query_chain(json!({"nothing": {}})),
        json!({"error": {"unknown": {}}})
    );
    assert_eq!(
        w.query_chain(json!({"bank": {"total": {}}})),
        json!({"error": {"unsupported_request": {"kind": "unknown BankQuery variant"}}})
    );
    assert_eq!(
        w.query_chain(json!({"stargate": {"path": "/x", "data": ""}})),
        json!({"error": {"unsupported_request": {"kind": "Stargate queries are disabled on this chain"}}})
    );
}
