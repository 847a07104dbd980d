//! A whole call of the `probe` contract with arbitrary message bytes: the
//! first input byte picks the entry point, the rest is the message, which
//! the probe hands to its imports (storage, addresses, crypto, queries),
//! so the imports see arbitrary arguments too.
//!
//! Never panics; every outcome is result bytes or a typed `VmFailure`
//! (never a `NodeFault`: no engine, bridge or backend fault); gas stays within the
//! limit; a second run, on one long-lived contract whose instance has
//! served every earlier input and is reset before each call, gives the same
//! outcome, gas and storage as the first on a new instance (determinism,
//! and `ContractInstance::reset` against arbitrary histories, traps
//! included); a failed call leaves storage as it was.
//!
//! The probe is compiled once from `target/fixtures/wasm/probe.wasm` (build
//! it with `cargo xtask build-fixtures`). Seed the corpus with one file per
//! probe message: a selector byte (0 execute, 1 query, 2 instantiate, 3
//! migrate, 4 sudo, 5 reply), then its JSON.
#![no_main]

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use cw_gas::{CosmWasmSchedule, CwGas, GasMeter};
use cw_host::testing::{MockQuerier, MockStorage};
use cw_host::{
    Bech32Api, CallBackend, CallInput, CallState, Contract, EntryPoint, Storage, VmFailure,
};
use cw_runtime::{
    CompileConfig, CompiledModule, InstanceOptions, ValidationConfig, WasmContract, compile,
};
use libfuzzer_sys::fuzz_target;

/// 10^10 gas (10 ms at the target speed): enough for any real message,
/// short enough that `loop` costs little fuzzing time.
const GAS_LIMIT: u64 = 10_000_000_000;

const ENTRIES: [EntryPoint; 6] = [
    EntryPoint::Execute,
    EntryPoint::Query,
    EntryPoint::Instantiate,
    EntryPoint::Migrate,
    EntryPoint::Sudo,
    EntryPoint::Reply,
];

const ENV: &[u8] = br#"{"block":{"height":12345,"time":"1571797419879305533","chain_id":"cosmos-testnet-14002"},"transaction":{"index":3},"contract":{"address":"cosmwasm1jpev2csrppg792t22rn8z8uew8h3sjcpglcd0qv9g8gj8ky922tscp8avs"}}"#;
const INFO: &[u8] = br#"{"sender":"cosmwasm1pgzph9rze2j2xxavx4n7pdhxlkgsq7rak245x0vk7mgh3j4le6gqmlwcfu","funds":[]}"#;

fn probe() -> &'static CompiledModule {
    static PROBE: OnceLock<CompiledModule> = OnceLock::new();
    PROBE.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../target/fixtures/wasm/probe.wasm"
        );
        let wasm = std::fs::read(path)
            .unwrap_or_else(|e| panic!("{path}: {e}; run `cargo xtask build-fixtures` first"));
        let config = CompileConfig {
            table: CosmWasmSchedule::default(),
            stack_limit_bytes: Some(cw_gas::middleware::DEFAULT_STACK_LIMIT_BYTES),
            validation: ValidationConfig::default(),
        };
        compile(&wasm, &config).expect("the probe compiles").0
    })
}

/// A store the harness can read after the call.
#[derive(Clone)]
struct Shared(Arc<std::sync::Mutex<MockStorage>>);

impl Storage for Shared {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, cw_host::BackendError> {
        self.0.lock().unwrap().get(key)
    }
    fn set(&mut self, key: &[u8], value: &[u8]) -> Result<(), cw_host::BackendError> {
        self.0.lock().unwrap().set(key, value)
    }
    fn remove(&mut self, key: &[u8]) -> Result<(), cw_host::BackendError> {
        self.0.lock().unwrap().remove(key)
    }
    fn seek(
        &self,
        range: cw_host::KeyRange<'_>,
        order: cw_host::Order,
        after: Option<&[u8]>,
    ) -> Result<Option<cw_host::Record>, cw_host::BackendError> {
        self.0.lock().unwrap().seek(range, order, after)
    }
}

/// What the store holds before every call.
fn seeded() -> MockStorage {
    [
        (&b"a"[..], &b"1"[..]),
        (b"b", b"2"),
        (b"probe/version", b"1"),
    ]
    .into_iter()
    .collect()
}

thread_local! {
    /// The contract of the second runs: its instance is reused (reset)
    /// across every input of the fuzzing session.
    static REUSED: std::cell::RefCell<WasmContract<CosmWasmSchedule>> =
        std::cell::RefCell::new(WasmContract::new(probe().clone(), InstanceOptions::default()));
}

/// One call on `contract` over a fresh seeded store: the outcome, the gas
/// used and the store afterwards.
fn run(
    contract: &mut WasmContract<CosmWasmSchedule>,
    entry: EntryPoint,
    msg: &[u8],
) -> (Result<Vec<u8>, VmFailure>, u64, BTreeMap<Vec<u8>, Vec<u8>>) {
    let store = Shared(Arc::new(std::sync::Mutex::new(seeded())));
    let backend = CallBackend {
        storage: Box::new(store.clone()),
        api: Arc::new(Bech32Api::default()),
        querier: Box::new(MockQuerier::new()),
        gas: GasMeter::new(CosmWasmSchedule::default(), CwGas::new(GAS_LIMIT)),
        call: CallState::for_entry_point(entry),
        debug: Box::new(|_: &str, _: cw_host::DebugInfo| {}),
    };
    let info = matches!(entry, EntryPoint::Execute | EntryPoint::Instantiate).then_some(INFO);
    let input = CallInput {
        entry,
        env: ENV,
        info,
        msg,
    };
    let (outcome, backend) = contract.call(input, backend);
    // A node fault is never an outcome of a contract's doing: with this
    // store, API and querier, none may happen.
    let result = outcome.unwrap_or_else(|fault| panic!("node fault: {fault}"));
    let used = backend.gas.used().as_u64();
    let dump = store.0.lock().unwrap().as_map().clone();
    (result, used, dump)
}

fuzz_target!(|input: &[u8]| {
    let Some((&selector, msg)) = input.split_first() else {
        return;
    };
    let entry = ENTRIES[usize::from(selector) % ENTRIES.len()];
    let mut fresh = WasmContract::new(probe().clone(), InstanceOptions::default());
    let (result, gas, store) = run(&mut fresh, entry, msg);
    assert!(gas <= GAS_LIMIT, "used {gas} of {GAS_LIMIT}");
    match &result {
        Err(VmFailure::Instantiate { message }) => {
            panic!("the probe failed to instantiate: {message}")
        }
        _ => {}
    }
    if result.is_err() {
        assert_eq!(&store, seeded().as_map(), "a failed call changed storage");
    }
    let again = REUSED.with_borrow_mut(|reused| run(reused, entry, msg));
    assert_eq!(
        (&again.0, again.1),
        (&result, gas),
        "a reset instance differs"
    );
    assert_eq!(again.2, store, "storage differs between runs");
});
