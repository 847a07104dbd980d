//! cw-near's chain on the host, as the contract runs it: a fresh chain over
//! the flushed `KvState` for every call (each NEAR call builds its own),
//! against one cw-chain over `MemoryState`. Results, gas and the whole
//! state must agree; a failed call must write nothing.

use cw_chain::{BlockState, Chain, DEFAULT_TX_GAS_LIMIT, MemoryState};
use cw_gas::{CosmWasmSchedule, CwGas, NearGas};
use cw_near::{
    CallContext, KvState, MemoryRaw, NearError, chain_builder, contract_chain_builder, ops,
    tx_gas_limit,
};
use serde_json::json;

const ALICE: &str = "alice.near";
const BOB: &str = "bob.near";

type Op = fn(&Chain<CosmWasmSchedule>, &str, &[u8]) -> Result<Vec<u8>, NearError>;

fn context(limit: CwGas) -> CallContext {
    CallContext {
        block: BlockState {
            height: 7,
            time_nanos: 1_700_000_000_000_000_000,
            chain_id: "cw.near".into(),
        },
        tx_gas_limit: limit,
    }
}

fn cw20() -> Vec<u8> {
    xtask::fixtures::fixture_bytes("cw20_base").expect("the cw20-base fixture")
}

/// The contract's storage between calls, and the host chain beside it.
struct Pair {
    raw: MemoryRaw,
    host: Chain<CosmWasmSchedule>,
}

impl Pair {
    fn new() -> Self {
        Self {
            raw: MemoryRaw::default(),
            host: chain_builder(
                Box::new(MemoryState::default()),
                &context(DEFAULT_TX_GAS_LIMIT),
            )
            .build()
            .unwrap(),
        }
    }

    /// One NEAR call: a chain over the stored bytes, the operation, a flush
    /// on success only (as the contract does).
    fn near(
        &mut self,
        op: Op,
        sender: &str,
        input: &[u8],
        limit: CwGas,
    ) -> Result<Vec<u8>, NearError> {
        let state = KvState::new(self.raw.clone());
        let chain = contract_chain_builder(&state, &context(limit)).build()?;
        let out = op(&chain, sender, input);
        let (height, next) = chain.tx_position();
        state.set_tx_position(height, next);
        drop(chain);
        if out.is_ok() {
            state.flush();
            self.raw = state.with_raw(Clone::clone);
        }
        out
    }

    /// The operation on both sides: equal results, then equal states.
    fn both(&mut self, op: Op, sender: &str, input: &[u8]) -> Result<Vec<u8>, String> {
        let near = self.near(op, sender, input, DEFAULT_TX_GAS_LIMIT);
        let host = op(&self.host, sender, input);
        let (near, host) = (
            near.map_err(|e| e.to_string()),
            host.map_err(|e| e.to_string()),
        );
        let text = |r: &Result<Vec<u8>, String>| match r {
            Ok(bytes) => Ok(String::from_utf8_lossy(bytes).into_owned()),
            Err(e) => Err(e.clone()),
        };
        assert_eq!(text(&near), text(&host));
        let stored = KvState::new(self.raw.clone());
        let chain = chain_builder(Box::new(stored), &context(DEFAULT_TX_GAS_LIMIT))
            .build()
            .unwrap();
        assert_eq!(chain.dump(), self.host.dump());
        near
    }
}

impl Pair {
    /// Instantiates code 1 (cw20-base) on both sides with 1,000 tokens for
    /// alice; returns the token's address.
    fn cw20_token(&mut self, admin: Option<&str>) -> String {
        let init = input(json!({"code_id": 1, "label": "token", "admin": admin,
            "msg": {"name": "Token", "symbol": "TKN", "decimals": 6,
                    "initial_balances": [{"address": ALICE, "amount": "1000"}]}}));
        let report: ops::TxReport =
            serde_json::from_slice(&self.both(ops::instantiate, ALICE, &init).unwrap()).unwrap();
        report.contract_address.unwrap()
    }

    /// Alice transfers `amount` of `token` to bob on both sides.
    fn transfer(&mut self, token: &str, amount: &str) -> Result<Vec<u8>, String> {
        let transfer = input(json!({"contract": token,
            "msg": {"transfer": {"recipient": BOB, "amount": amount}}}));
        self.both(ops::execute, ALICE, &transfer)
    }
}

fn input(value: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&value).unwrap()
}

#[test]
fn the_contracts_chain_matches_the_host_chain_call_for_call() {
    let mut pair = Pair::new();
    let wasm = cw20();
    assert_eq!(pair.both(ops::store_code, ALICE, &wasm).unwrap(), b"1");
    let token = pair.cw20_token(Some(ALICE));
    for amount in ["1", "10", "100"] {
        pair.transfer(&token, amount).unwrap();
    }
    // A second copy of the code, and a migration to it by the admin (bob
    // is not the admin and is refused).
    assert_eq!(pair.both(ops::store_code, BOB, &wasm).unwrap(), b"2");
    let migrate = input(json!({"contract": token, "new_code_id": 2, "msg": {}}));
    let refused = pair.both(ops::migrate, BOB, &migrate).unwrap_err();
    assert!(refused.contains("CosmWasm transaction failed"), "{refused}");
    let report: ops::TxReport =
        serde_json::from_slice(&pair.both(ops::migrate, ALICE, &migrate).unwrap()).unwrap();
    assert_eq!(report.events[0].ty, "migrate");
    // Bank coins at genesis, then sent along with an execute: they move to
    // the token contract (cw20-base ignores them).
    pair.both(
        |c, _, i| ops::mint(c, i),
        "cw.near",
        &input(json!({"address": ALICE,
        "coins": [{"denom": "unear", "amount": "50"}]})),
    )
    .unwrap();
    let with_funds = input(
        json!({"contract": token, "funds": [{"denom": "unear", "amount": "5"}],
        "msg": {"burn": {"amount": "1"}}}),
    );
    pair.both(ops::execute, ALICE, &with_funds).unwrap();
    let balance = pair
        .both(
            |c, _, i| ops::balance(c, i),
            ALICE,
            &input(json!({"address": ALICE})),
        )
        .unwrap();
    assert_eq!(balance, br#"[{"denom":"unear","amount":"45"}]"#);
    let answer = ops::query(
        &pair.host,
        &input(json!({"contract": token,
        "msg": {"balance": {"address": BOB}}})),
    )
    .unwrap();
    assert_eq!(answer.data, br#"{"balance":"111"}"#);
}

#[test]
fn a_transaction_over_the_translated_limit_fails_and_writes_nothing() {
    let mut pair = Pair::new();
    pair.both(ops::store_code, ALICE, &cw20()).unwrap();
    let init = input(json!({"code_id": 1, "label": "token",
        "msg": {"name": "Token", "symbol": "TKN", "decimals": 6,
                "initial_balances": [{"address": ALICE, "amount": "1000"}]}}));
    let report: ops::TxReport =
        serde_json::from_slice(&pair.both(ops::instantiate, ALICE, &init).unwrap()).unwrap();
    let token = report.contract_address.unwrap();
    let transfer = input(json!({"contract": token,
        "msg": {"transfer": {"recipient": BOB, "amount": "5"}}}));
    let needed = {
        let report: ops::TxReport =
            serde_json::from_slice(&ops::execute(&pair.host, ALICE, &transfer).unwrap()).unwrap();
        report.cosmwasm_gas
    };
    let before = pair.raw.clone();
    // A NEAR call with 30 Tgas prepaid that has used all but this much: the
    // translated limit is one CosmWasm gas short of the transfer's need.
    let prepaid = NearGas::from_tgas(30).unwrap();
    let used = prepaid.saturating_sub(NearGas::new((needed - 1) * 1_000));
    let limit = tx_gas_limit(prepaid, used);
    assert_eq!(limit, CwGas::new(needed - 1));
    let error = pair
        .near(ops::execute, ALICE, &transfer, limit)
        .unwrap_err();
    assert!(
        matches!(&error, NearError::TxFailed { cosmwasm_gas, .. } if *cosmwasm_gas == needed - 1),
        "{error}"
    );
    assert!(
        error.to_string().to_lowercase().contains("out of gas"),
        "{error}"
    );
    assert_eq!(pair.raw, before);
    // With exactly enough it goes through.
    pair.near(ops::execute, ALICE, &transfer, CwGas::new(needed))
        .unwrap();
    assert_ne!(pair.raw, before);
}

#[cfg(not(feature = "wasmi"))]
#[test]
fn code_that_no_native_runs_is_refused_when_stored() {
    use cw_chain::ChainState;
    let mut pair = Pair::new();
    let other = wat::parse_str(
        r#"(module (memory 1)
            (func (export "allocate") (param i32) (result i32) i32.const 0)
            (func (export "deallocate") (param i32))
            (func (export "interface_version_8")))"#,
    )
    .unwrap();
    let refused = pair.both(ops::store_code, ALICE, &other).unwrap_err();
    assert!(refused.contains("no Wasm engine"), "{refused}");
    assert!(pair.raw.records.is_empty());
    let state = KvState::new(pair.raw.clone());
    assert_eq!(state.code_count(), 0);
}

/// With the interpreter, a code is prepared once, when stored, and later
/// calls (each a fresh chain over the stored bytes) parse the kept bytes:
/// the same results, gas and state as the host chain, which prepares the
/// code on every load; the kept bytes are exactly the prepared code, and
/// nothing the contracts write reaches them.
#[cfg(feature = "wasmi")]
#[test]
fn interpreted_code_is_prepared_once_and_kept_beside_the_state() {
    use cw_gas::CosmWasmSchedule;
    use cw_wasmi::{ModuleOptions, PreparedCode};
    let artifacts = |raw: &MemoryRaw| -> Vec<Vec<u8>> {
        raw.records
            .iter()
            .filter(|(key, _)| key.first() == Some(&b'w'))
            .map(|(_, value)| value.clone())
            .collect()
    };
    let mut pair = Pair::new();
    let wasm = cw20();
    assert_eq!(pair.both(ops::store_code_wasm, ALICE, &wasm).unwrap(), b"1");
    let prepared = PreparedCode::prepare(
        &wasm,
        &CosmWasmSchedule::default(),
        &ModuleOptions::default(),
    )
    .unwrap();
    assert_eq!(artifacts(&pair.raw), vec![prepared.as_bytes().to_vec()]);
    let token = pair.cw20_token(None);
    for amount in ["1", "10", "2000"] {
        // The last one fails (alice has 1,000): compared all the same.
        let _ = pair.transfer(&token, amount);
    }
    // The same code stored again shares the kept bytes.
    assert_eq!(pair.both(ops::store_code_wasm, BOB, &wasm).unwrap(), b"2");
    assert_eq!(artifacts(&pair.raw), vec![prepared.as_bytes().to_vec()]);
}
