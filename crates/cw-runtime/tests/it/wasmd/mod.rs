//! The chain layer against wasmd (x/wasm v0.61 to v0.70, CosmWasm 3.0):
//! each module takes one part of issue 25 and states, beside every
//! expectation, the wasmd (or wasmvm, or SDK) source it follows. `flows`
//! is the table-driven differential harness: message flows of the probe,
//! a scripted native contract and cw20-base, each with wasmd's outcome.

mod bank;
mod counters;
mod errors;
mod events;
mod faults;
mod flows;
mod limits;
mod migrate;
mod panics;
mod queries;
mod script;
mod transaction;

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use cosmwasm_std::{Binary, Coin};
use cw_gas::CosmWasmSchedule;
use cw_gas::middleware::DEFAULT_STACK_LIMIT_BYTES;
use cw_runtime::chain::{ExecutionMode, Instantiate, TxResult};
use cw_runtime::{Chain, ChainBuilder, CompileConfig, ModuleCache, ValidationConfig};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use script::{Scripted, with_custom_section};

fn cache() -> Arc<ModuleCache<CosmWasmSchedule>> {
    static CACHE: OnceLock<Arc<ModuleCache<CosmWasmSchedule>>> = OnceLock::new();
    CACHE
        .get_or_init(|| {
            let config = CompileConfig {
                table: CosmWasmSchedule::default(),
                stack_limit_bytes: Some(DEFAULT_STACK_LIMIT_BYTES),
                validation: ValidationConfig::default(),
            };
            Arc::new(ModuleCache::new(config, 512 << 20, None).unwrap())
        })
        .clone()
}

/// The scripted codes: a name and the `cw_migrate_version` each declares.
const SCRIPTED: [(&str, Option<&str>); 4] = [
    ("plain", None),
    ("v1", Some("1")),
    ("v1b", Some("1")),
    ("v2", Some("2")),
];

/// A fixture's bytes, read once per test binary.
fn fixture(name: &'static str) -> &'static [u8] {
    static PROBE: OnceLock<Vec<u8>> = OnceLock::new();
    static CW20: OnceLock<Vec<u8>> = OnceLock::new();
    let cell = match name {
        "probe" => &PROBE,
        "cw20_base" => &CW20,
        other => panic!("no fixture {other} here"),
    };
    cell.get_or_init(|| tests::fixture_bytes(name))
}

fn scripted_wasm(name: &str, version: Option<&str>) -> Vec<u8> {
    let wasm = with_custom_section(fixture("probe"), "scripted", name.as_bytes());
    match version {
        Some(v) => with_custom_section(&wasm, "cw_migrate_version", v.as_bytes()),
        None => wasm,
    }
}

/// A chain with codes and contracts every test starts from:
/// - `A`: the probe (Wasm), admin alice, holding 1000ucosm and 1000uatom;
/// - `B`: a scripted contract (code `plain`) whose admin is `A`;
/// - `C`: a scripted contract (code `plain`), admin alice;
/// - `token`: cw20-base, `A` holds 1000 tokens, alice may mint.
pub(crate) struct World {
    pub chain: Chain<CosmWasmSchedule>,
    names: std::cell::RefCell<BTreeMap<String, String>>,
    codes: BTreeMap<String, u64>,
}

/// Builds the chain with `configure` applied to its builder first.
pub(crate) fn world_with(
    configure: impl FnOnce(ChainBuilder<CosmWasmSchedule>) -> ChainBuilder<CosmWasmSchedule>,
) -> World {
    let mut builder = ChainBuilder::new(CosmWasmSchedule::default()).module_cache(cache());
    for (name, version) in SCRIPTED {
        let checksum = cw_runtime::Checksum::of(&scripted_wasm(name, version));
        builder = builder.native(checksum, Arc::new(Scripted));
    }
    let chain = configure(builder).build().unwrap();
    let mut w = World {
        chain,
        names: std::cell::RefCell::new(BTreeMap::new()),
        codes: BTreeMap::new(),
    };
    for who in ["alice", "bob", "carol"] {
        let address = w.chain.addr_make(who).unwrap();
        w.names_insert(who, &address);
    }
    // The SDK's module account address: sha256(name), first 20 bytes
    // (`authtypes.NewModuleAddress`).
    let module = bech32::encode::<bech32::Bech32>(
        bech32::Hrp::parse("cosmwasm").unwrap(),
        &Sha256::digest(b"wasm")[..20],
    )
    .unwrap();
    w.names_insert("wasm_module", &module);
    let alice = w.addr("alice");
    w.chain
        .mint(
            &alice,
            &[
                Coin::new(10_000u128, "uatom"),
                Coin::new(10_000u128, "ucosm"),
            ],
        )
        .unwrap();
    let probe = w
        .chain
        .store_code(&alice, fixture("probe"), ExecutionMode::Wasm)
        .unwrap();
    w.codes.insert("probe".into(), probe);
    for (name, version) in SCRIPTED {
        let code = w
            .chain
            .store_code(&alice, &scripted_wasm(name, version), ExecutionMode::Native)
            .unwrap();
        w.codes.insert(name.into(), code);
    }
    let cw20 = w
        .chain
        .store_code(&alice, fixture("cw20_base"), ExecutionMode::Wasm)
        .unwrap();
    w.codes.insert("cw20".into(), cw20);
    let a = w.instantiate("probe", json!({}), Some(&alice));
    w.names_insert("A", &a);
    w.chain
        .mint(
            &a,
            &[Coin::new(1000u128, "uatom"), Coin::new(1000u128, "ucosm")],
        )
        .unwrap();
    let b = w.instantiate("plain", json!({}), Some(&a));
    w.names_insert("B", &b);
    let c = w.instantiate("plain", json!({}), Some(&alice));
    w.names_insert("C", &c);
    let token = w.instantiate(
        "cw20",
        json!({"name": "Token", "symbol": "TKN", "decimals": 6,
               "initial_balances": [{"address": a, "amount": "1000"}],
               "mint": {"minter": alice}}),
        None,
    );
    w.names_insert("token", &token);
    w
}

/// [`world_with`] the default settings.
pub(crate) fn world() -> World {
    world_with(|b| b)
}

impl World {
    /// The address of a name (`alice`, `A`, `token`, ...).
    pub(crate) fn addr(&self, name: &str) -> String {
        self.names.borrow()[name].clone()
    }

    /// Gives `address` a name for templates.
    pub(crate) fn names_insert(&self, name: &str, address: &str) {
        self.names
            .borrow_mut()
            .insert(name.to_owned(), address.to_owned());
    }

    pub(crate) fn code(&self, name: &str) -> u64 {
        self.codes[name]
    }

    /// Instantiates code `code` as alice.
    pub(crate) fn instantiate(&self, code: &str, init: Value, admin: Option<&str>) -> String {
        let init = serde_json::to_vec(&init).unwrap();
        let sender = self.addr("alice");
        self.chain
            .instantiate(&Instantiate {
                code_id: self.code(code),
                sender: &sender,
                msg: &init,
                funds: &[],
                admin,
                label: "wasmd",
                salt: None,
            })
            .expect("no node fault")
            .unwrap_or_else(|e| panic!("instantiate {code}: {e}"))
            .contract_address
            .unwrap()
    }

    /// Replaces `@name` strings by addresses, `{"$code": name}` by code
    /// ids and `{"$b64": value}` by the base64 of `value`'s JSON, all
    /// through `template`.
    pub(crate) fn fill(&self, template: &Value) -> Value {
        match template {
            Value::String(s) => match s.strip_prefix('@') {
                Some(name) if self.names.borrow().contains_key(name) => {
                    Value::String(self.addr(name))
                }
                _ => template.clone(),
            },
            Value::Array(items) => Value::Array(items.iter().map(|v| self.fill(v)).collect()),
            Value::Object(map) => {
                if let Some(code) = map.get("$code").and_then(Value::as_str) {
                    return json!(self.code(code));
                }
                if let Some(inner) = map.get("$b64") {
                    let bytes = serde_json::to_vec(&self.fill(inner)).unwrap();
                    return Value::String(Binary::from(bytes).to_base64());
                }
                Value::Object(map.iter().map(|(k, v)| (k.clone(), self.fill(v))).collect())
            }
            other => other.clone(),
        }
    }

    /// `sender` executes contract `contract` with `msg` (a template).
    pub(crate) fn execute(&self, sender: &str, contract: &str, msg: &Value) -> TxResult {
        let msg = serde_json::to_vec(&self.fill(msg)).unwrap();
        self.chain
            .execute(&self.addr(sender), &self.addr(contract), &msg, &[])
            .expect("no node fault")
    }

    /// alice has `A` (the probe) dispatch `subs` (templates of `SubMsg`).
    pub(crate) fn dispatch(&self, subs: Value) -> TxResult {
        self.execute("alice", "A", &json!({"dispatch": {"messages": subs}}))
    }

    /// The JSON a contract stored under `key`.
    pub(crate) fn stored(&self, contract: &str, key: &str) -> Option<Value> {
        self.chain
            .contract_storage(&self.addr(contract))
            .into_iter()
            .find(|(k, _)| k == key.as_bytes())
            .map(|(_, v)| serde_json::from_slice(&v).unwrap())
    }

    /// The last `Reply` the probe `A` got.
    pub(crate) fn reply(&self) -> Value {
        self.stored("A", "probe/reply").expect("A got a reply")
    }

    /// `A` (the probe) sends `request` (a `QueryRequest` template) through
    /// `query_chain`; returns what the contract received, as JSON.
    pub(crate) fn query_chain(&self, request: Value) -> Value {
        let msg = json!({"query_chain": {"request": {"$b64": request}}});
        let done = self
            .execute("alice", "A", &msg)
            .unwrap_or_else(|e| panic!("query_chain: {e}"));
        serde_json::from_slice(&done.data.unwrap()).unwrap()
    }

    /// The balance of `who` in `denom`.
    pub(crate) fn balance(&self, who: &str, denom: &str) -> u128 {
        self.chain
            .balances(&self.addr(who))
            .get(denom)
            .copied()
            .unwrap_or(0)
    }
}

/// A submessage template.
pub(crate) fn sub(id: u64, msg: Value, reply_on: &str) -> Value {
    json!({"id": id, "msg": msg, "gas_limit": null, "reply_on": reply_on})
}

/// A `WasmMsg::Execute` template.
pub(crate) fn wasm_execute(contract: &str, msg: Value) -> Value {
    json!({"wasm": {"execute": {"contract_addr": contract, "msg": {"$b64": msg}, "funds": []}}})
}

/// The events of a transaction as (type, [(key, value)]) pairs.
pub(crate) fn events(done: &cw_runtime::TxSuccess) -> Vec<(String, Vec<(String, String)>)> {
    done.events
        .iter()
        .map(|e| {
            (
                e.ty.clone(),
                e.attributes
                    .iter()
                    .map(|a| (a.key.clone(), a.value.clone()))
                    .collect(),
            )
        })
        .collect()
}
