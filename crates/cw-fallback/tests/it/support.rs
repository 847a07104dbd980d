//! The differential harness: one contract on the Wasm engine and on its
//! emulator, each over its own store, fed the same calls.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use cw_fallback::{NativeContract, NativeKind};
use cw_gas::{CosmWasmSchedule, CwGas, GasCategory, GasMeter};
use cw_host::testing::MockQuerier;
use cw_host::{Bech32Api, CallBackend, CallInput, CallResult, CallState, Contract, EntryPoint};
use cw_runtime::{CompileConfig, CompiledModule, InstanceOptions, ValidationConfig, WasmContract};
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use serde_json::{Value, json};

/// Gas for every call: far above what any of these calls use, so neither
/// side runs out (native gas is an estimate; it is not compared here).
pub(crate) const GAS_LIMIT: u64 = 1_000_000_000_000_000;

/// A store both the test and the contract see.
pub(crate) type Map = cw_host::testing::SharedStorage;

/// Everything in `map`, sorted by key.
pub(crate) fn dump(map: &Map) -> BTreeMap<Vec<u8>, Vec<u8>> {
    map.dump()
}

/// The schedule every test call is metered with: cosmwasm-vm's prices,
/// storage included.
pub(crate) fn schedule() -> CosmWasmSchedule {
    CosmWasmSchedule::default()
}

/// A call backend over `map`.
pub(crate) fn backend(
    entry: EntryPoint,
    map: &Map,
    gas_limit: u64,
) -> CallBackend<CosmWasmSchedule> {
    CallBackend {
        storage: Box::new(map.clone()),
        api: Arc::new(Bech32Api::default()),
        querier: Box::new(MockQuerier::new()),
        gas: GasMeter::new(schedule(), CwGas::new(gas_limit)),
        call: CallState::for_entry_point(entry),
        debug: Box::new(|_: &str, _: cw_host::DebugInfo| {}),
    }
}

/// The fixture compiled once per test binary.
pub(crate) fn module(kind: NativeKind) -> CompiledModule {
    static MODULES: OnceLock<Mutex<BTreeMap<NativeKind, CompiledModule>>> = OnceLock::new();
    let modules = MODULES.get_or_init(Mutex::default);
    let mut modules = modules.lock().unwrap();
    modules
        .entry(kind)
        .or_insert_with(|| {
            let wasm = tests::fixture_bytes(kind.fixture_name());
            let config = CompileConfig {
                table: schedule(),
                stack_limit_bytes: Some(cw_gas::middleware::DEFAULT_STACK_LIMIT_BYTES),
                validation: ValidationConfig::default(),
            };
            cw_runtime::compile(&wasm, &config)
                .expect("fixture compiles")
                .0
        })
        .clone()
}

/// A bech32 address of the test chain made from `name`.
pub(crate) fn addr(name: &str) -> String {
    Bech32Api::default().addr_make(name).expect("address")
}

/// The block a step runs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Block {
    /// Height.
    pub height: u64,
    /// Time in seconds.
    pub seconds: u64,
}

/// Height and time of the first block of every script.
pub(crate) const START: Block = Block {
    height: 12_345,
    seconds: 1_700_000_000,
};

impl Block {
    /// `blocks` blocks later, 5 seconds each.
    pub(crate) fn advance(self, blocks: u64) -> Self {
        Self {
            height: self.height + blocks,
            seconds: self.seconds + 5 * blocks,
        }
    }

    /// cosmwasm-std 2.x `Env` JSON for this block.
    pub(crate) fn env(self) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "block": {
                "height": self.height,
                "time": (self.seconds * 1_000_000_000).to_string(),
                "chain_id": "cw-fallback-test",
            },
            "transaction": {"index": 3},
            "contract": {"address": addr("contract")},
        }))
        .unwrap()
    }
}

/// `MessageInfo` JSON from `sender` without funds.
pub(crate) fn info(sender: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({"sender": sender, "funds": []})).unwrap()
}

/// How often each message variant reached each kind of outcome, so a
/// test can assert that its scripts exercised the success paths, not only
/// the errors.
#[derive(Default)]
pub(crate) struct Tally {
    by_variant: Mutex<BTreeMap<String, Outcomes>>,
}

/// Counts of one variant's outcomes.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Outcomes {
    /// `{"ok": ...}` results.
    pub ok: usize,
    /// `{"error": ...}` results.
    pub contract_error: usize,
    /// VM failures (aborts, ...).
    pub failure: usize,
}

impl Tally {
    /// Counts `result` of `msg` sent to `entry`.
    pub(crate) fn count(&self, entry: EntryPoint, msg: &[u8], result: &CallResult) {
        let variant = match serde_json::from_slice::<Value>(msg) {
            Ok(Value::Object(map)) if entry == EntryPoint::Instantiate || map.len() != 1 => {
                entry.export_name().to_owned()
            }
            Ok(Value::Object(map)) => map.keys().next().cloned().unwrap_or_default(),
            Ok(Value::String(name)) => name,
            _ => "malformed".to_owned(),
        };
        let key = format!("{}:{variant}", entry.export_name());
        let mut by_variant = self.by_variant.lock().unwrap();
        let outcomes = by_variant.entry(key).or_default();
        match result {
            Ok(bytes) if bytes.starts_with(b"{\"ok\"") => outcomes.ok += 1,
            Ok(_) => outcomes.contract_error += 1,
            Err(_) => outcomes.failure += 1,
        }
    }

    /// Every variant's counts, by `entry:variant`.
    pub(crate) fn outcomes(&self) -> BTreeMap<String, Outcomes> {
        self.by_variant.lock().unwrap().clone()
    }

    /// Panics unless each of `variants` (`"execute:transfer"`, ...)
    /// succeeded at least once, and some calls failed with a contract error.
    pub(crate) fn assert_covered(&self, variants: &[&str]) {
        let outcomes = self.outcomes();
        let table = format!("{outcomes:#?}");
        for variant in variants {
            let ok = outcomes.get(*variant).map_or(0, |o| o.ok);
            assert!(ok > 0, "{variant} never succeeded:\n{table}");
        }
        let errors: usize = outcomes.values().map(|o| o.contract_error).sum();
        assert!(errors > 0, "no contract error at all:\n{table}");
    }
}

/// One contract on both sides.
pub(crate) struct Pair {
    kind: NativeKind,
    wasm: WasmContract<CosmWasmSchedule>,
    native: NativeContract,
    wasm_map: Map,
    native_map: Map,
    /// The Wasm side's operator gas of every call so far, for calibration.
    pub wasm_ops: Vec<(EntryPoint, u64)>,
}

impl Pair {
    pub(crate) fn new(kind: NativeKind) -> Self {
        Self {
            kind,
            wasm: WasmContract::new(module(kind), InstanceOptions::default()),
            native: NativeContract::new(kind),
            wasm_map: Map::default(),
            native_map: Map::default(),
            wasm_ops: Vec::new(),
        }
    }

    /// Runs one call on both sides and checks that the results (bytes, or
    /// failure) and the full stores are equal. Returns the Wasm result.
    pub(crate) fn step(
        &mut self,
        entry: EntryPoint,
        block: Block,
        sender: Option<&str>,
        msg: &Value,
    ) -> Result<CallResult, TestCaseError> {
        let msg = serde_json::to_vec(msg).unwrap();
        self.step_raw(entry, block, sender, &msg)
    }

    /// [`Self::step`] with raw message bytes.
    pub(crate) fn step_raw(
        &mut self,
        entry: EntryPoint,
        block: Block,
        sender: Option<&str>,
        msg: &[u8],
    ) -> Result<CallResult, TestCaseError> {
        let env = block.env();
        let info = sender.map(info);
        self.call_raw(CallInput {
            entry,
            env: &env,
            info: info.as_deref(),
            msg,
        })
    }

    /// Runs `input` as it is on both sides, compares, and returns the Wasm
    /// result.
    pub(crate) fn call_raw(&mut self, input: CallInput<'_>) -> Result<CallResult, TestCaseError> {
        let (entry, msg) = (input.entry, input.msg);
        let (wasm, wasm_backend) = self
            .wasm
            .call(input, backend(entry, &self.wasm_map, GAS_LIMIT));
        let (native, native_backend) = Contract::<CosmWasmSchedule>::call(
            &mut self.native,
            input,
            backend(entry, &self.native_map, GAS_LIMIT),
        );
        let (wasm, native) = (wasm.expect("no node fault"), native.expect("no node fault"));
        let message = String::from_utf8_lossy(msg);
        let show = |r: &CallResult| match r {
            Ok(bytes) => String::from_utf8_lossy(bytes).into_owned(),
            Err(failure) => format!("failure: {failure:?}"),
        };
        proptest::prop_assert_eq!(
            show(&wasm),
            show(&native),
            "{:?} {:?} {}",
            self.kind,
            entry,
            message
        );
        let ops = wasm_backend.gas.used_by(GasCategory::WasmOps).as_u64();
        self.wasm_ops.push((entry, ops));
        // Everything but the operators is charged by the same imports for
        // the same accesses, so it must be equal to the unit.
        for category in [
            GasCategory::HostCalls,
            GasCategory::RegionCopies,
            GasCategory::Storage,
            GasCategory::Queries,
            GasCategory::Crypto,
            GasCategory::Address,
            GasCategory::Logs,
        ] {
            proptest::prop_assert_eq!(
                wasm_backend.gas.used_by(category),
                native_backend.gas.used_by(category),
                "{:?} gas of {:?} {:?} {}",
                category,
                self.kind,
                entry,
                message
            );
        }
        proptest::prop_assert!(
            dump(&self.wasm_map) == dump(&self.native_map),
            "{:?}: stores differ after {:?} {}",
            self.kind,
            entry,
            message
        );
        Ok(wasm)
    }

    /// Writes `key` into the native side's store only (for the check that
    /// the harness notices a difference).
    pub(crate) fn tamper_native_store(&self, key: &[u8], value: &[u8]) {
        self.native_map.put(key, value);
    }
}

/// A runner of `cases` scripts from a fixed seed, so every run checks the
/// same scripts and the coverage assertions cannot fail by chance; set
/// `PROPTEST_RNG_SEED` to explore other scripts.
pub(crate) fn runner(cases: u32) -> TestRunner {
    let mut config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    if config.rng_seed == RngSeed::Random {
        config.rng_seed = RngSeed::Fixed(0x00c0_5a17);
    }
    TestRunner::new(config)
}
