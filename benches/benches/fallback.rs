//! `fallback/*`: one call of an emulated contract natively (cw-fallback)
//! and on its Wasm fixture (cw-runtime), in the same run, so the speed-up
//! is one ratio:
//!
//! * `fallback/cw20_transfer`: cw20-base `transfer`.
//! * `fallback/cw20_balance`: cw20-base `balance` query.
//! * `fallback/cw721_transfer_nft`: cw721-base `transfer_nft`.
//!
//! Each group has three functions:
//! * `native`: `NativeContract::call` (it keeps no state between calls);
//! * `wasm_cached`: a new instance from the module cache's memory tier
//!   (`ModuleCache::get_by_checksum` + `ContractInstance::new`) and the
//!   call, as a chain pays it per call (`runtime/cw20_transfer`'s `ours`);
//! * `wasm_reused`: the call on one `ContractInstance` kept across
//!   iterations (made once), the fastest Wasm can be. (`WasmContract` makes
//!   a fresh instance per call, so a kept `WasmContract` would time the
//!   same as `wasm_cached` without the cache lookup.)
//!
//! Every iteration starts from the same store (a clone of the state after
//! instantiate, made with the backend outside the timed region), with
//! cosmwasm-vm's prices storage included. Setup asserts that native and
//! Wasm return the same bytes for every benched call.

use std::sync::Arc;

use benches::time_each;
use criterion::{Criterion, criterion_group, criterion_main};
use cw_fallback::{NativeContract, NativeKind};
use cw_gas::middleware::DEFAULT_STACK_LIMIT_BYTES;
use cw_gas::{CosmWasmSchedule, CwGas, GasMeter};
use cw_host::testing::{MockQuerier, MockStorage};
use cw_host::{Bech32Api, CallBackend, CallInput, CallState, Contract, DebugInfo, EntryPoint};
use cw_runtime::{
    CacheTier, CompileConfig, CompiledModule, ContractInstance, InstanceOptions, ModuleCache,
    ValidationConfig, WasmContract,
};
use serde_json::{Value, json};

/// Gas for one call: far above what these calls use.
const GAS_LIMIT: u64 = 500_000_000_000;
/// Memory cache size: room for all fixtures many times over.
const MEMORY_CACHE_BYTES: usize = 256 << 20;

type Schedule = CosmWasmSchedule;

fn backend(storage: MockStorage, entry: EntryPoint) -> CallBackend<Schedule> {
    CallBackend {
        storage: Box::new(storage),
        api: Arc::new(Bech32Api::default()),
        querier: Box::new(MockQuerier::new()),
        gas: GasMeter::new(Schedule::default(), CwGas::new(GAS_LIMIT)),
        call: CallState::for_entry_point(entry),
        debug: Box::new(|_: &str, _: DebugInfo| {}),
    }
}

fn json_bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("json")
}

/// One benched call: the contract, the state before it and its arguments.
struct Case {
    kind: NativeKind,
    module: CompiledModule,
    state: MockStorage,
    entry: EntryPoint,
    env: Vec<u8>,
    info: Option<Vec<u8>>,
    msg: Vec<u8>,
}

impl Case {
    fn input(&self) -> CallInput<'_> {
        CallInput {
            entry: self.entry,
            env: &self.env,
            info: self.info.as_deref(),
            msg: &self.msg,
        }
    }

    fn native(&self) -> Vec<u8> {
        let mut native = NativeContract::new(self.kind);
        let (result, _) = native.call(self.input(), backend(self.state.clone(), self.entry));
        result.expect("no node fault").expect("native call")
    }

    fn wasm(&self) -> Vec<u8> {
        let mut wasm = WasmContract::new(self.module.clone(), InstanceOptions::default());
        let (result, _) = wasm.call(self.input(), backend(self.state.clone(), self.entry));
        result.expect("no node fault").expect("wasm call")
    }
}

/// The fixtures in a memory cache, and the states the calls start from.
struct Setup {
    cache: ModuleCache<Schedule>,
    env: Vec<u8>,
    alice: String,
    bob: String,
}

impl Setup {
    fn new() -> Self {
        let config = CompileConfig {
            table: Schedule::default(),
            stack_limit_bytes: Some(DEFAULT_STACK_LIMIT_BYTES),
            validation: ValidationConfig::default(),
        };
        let cache = ModuleCache::new(config, MEMORY_CACHE_BYTES, None).expect("cache");
        let api = Bech32Api::default();
        let env = json_bytes(&json!({
            "block": {"height": 12_345, "time": "1700000000000000000", "chain_id": "bench"},
            "transaction": {"index": 3},
            "contract": {"address": api.addr_make("contract").expect("address")},
        }));
        Self {
            cache,
            env,
            alice: api.addr_make("alice").expect("address"),
            bob: api.addr_make("bob").expect("address"),
        }
    }

    fn info(&self, sender: &str) -> Vec<u8> {
        json_bytes(&json!({"sender": sender, "funds": []}))
    }

    /// The fixture of `kind` from the memory cache.
    fn module(&self, kind: NativeKind) -> CompiledModule {
        let wasm = tests::fixture_bytes(kind.fixture_name());
        self.cache.get(&wasm).expect("compiles");
        let (module, tier) = self.cache.get(&wasm).expect("cached");
        assert_eq!(tier, CacheTier::Memory);
        module
    }

    /// Runs `steps` natively on an empty store and returns it.
    fn state(&self, kind: NativeKind, steps: &[(EntryPoint, Value)]) -> MockStorage {
        let mut storage = MockStorage::new();
        for (entry, msg) in steps {
            let info = self.info(&self.alice);
            let msg = json_bytes(msg);
            let input = CallInput {
                entry: *entry,
                env: &self.env,
                info: Some(&info),
                msg: &msg,
            };
            let mut backend = backend(storage, *entry);
            let (result, returned) = NativeContract::new(kind).call(input, backend);
            backend = returned;
            assert!(
                result
                    .expect("no node fault")
                    .expect("setup call")
                    .starts_with(br#"{"ok":"#)
            );
            storage = MockStorage::from_iter(
                cw_host::range(&*backend.storage, None, None, cw_host::Order::Ascending)
                    .map(|record| record.expect("readable")),
            );
        }
        storage
    }

    fn case(&self, kind: NativeKind, state: MockStorage, entry: EntryPoint, msg: Value) -> Case {
        let case = Case {
            kind,
            module: self.module(kind),
            state,
            entry,
            env: self.env.clone(),
            info: (entry != EntryPoint::Query).then(|| self.info(&self.alice)),
            msg: json_bytes(&msg),
        };
        let native = case.native();
        assert!(
            native.starts_with(br#"{"ok":"#),
            "{kind}: {}",
            String::from_utf8_lossy(&native)
        );
        assert_eq!(native, case.wasm(), "{kind}: native and Wasm differ");
        case
    }
}

fn bench_case(c: &mut Criterion, setup: &Setup, name: &str, case: &Case) {
    let mut group = c.benchmark_group(name);
    group.bench_function("native", |b| {
        b.iter_custom(|iters| {
            time_each(
                iters,
                &mut NativeContract::new(case.kind),
                |_| backend(case.state.clone(), case.entry),
                |native, backend| native.call(case.input(), backend),
            )
        })
    });
    group.bench_function("wasm_cached", |b| {
        b.iter_custom(|iters| {
            time_each(
                iters,
                &mut (),
                |_| backend(case.state.clone(), case.entry),
                |_, backend| {
                    let (module, _) = setup
                        .cache
                        .get_by_checksum(&case.module.checksum)
                        .expect("cache readable")
                        .expect("cached");
                    let mut instance = ContractInstance::new(&module, &InstanceOptions::default())
                        .expect("instance");
                    let input = case.input();
                    instance.call(input.entry, input.env, input.info, input.msg, backend)
                },
            )
        })
    });
    group.bench_function("wasm_reused", |b| {
        let mut instance =
            ContractInstance::new(&case.module, &InstanceOptions::default()).expect("instance");
        b.iter_custom(|iters| {
            time_each(
                iters,
                &mut instance,
                |_| backend(case.state.clone(), case.entry),
                |instance, backend| {
                    let input = case.input();
                    instance.call(input.entry, input.env, input.info, input.msg, backend)
                },
            )
        })
    });
    group.finish();
}

/// Every benched call, named by its group; making each asserts that
/// native and Wasm give the same bytes.
fn cases(setup: &Setup) -> Vec<(&'static str, Case)> {
    let (alice, bob) = (setup.alice.clone(), setup.bob.clone());

    let cw20_state = setup.state(
        NativeKind::Cw20Base,
        &[(
            EntryPoint::Instantiate,
            json!({
                "name": "Bench", "symbol": "BNCH", "decimals": 6,
                "initial_balances": [{"address": alice, "amount": "1000000000"}],
                "mint": null, "marketing": null,
            }),
        )],
    );
    let transfer = json!({"transfer": {"recipient": bob, "amount": "7"}});
    let balance = json!({"balance": {"address": alice}});
    let cw20_transfer = setup.case(
        NativeKind::Cw20Base,
        cw20_state.clone(),
        EntryPoint::Execute,
        transfer,
    );
    let cw20_balance = setup.case(NativeKind::Cw20Base, cw20_state, EntryPoint::Query, balance);

    let cw721_state = setup.state(
        NativeKind::Cw721Base,
        &[
            (
                EntryPoint::Instantiate,
                json!({"name": "Bench NFTs", "symbol": "BNFT", "collection_info_extension": null,
                       "minter": null, "creator": null, "withdraw_address": null}),
            ),
            (
                EntryPoint::Execute,
                json!({"mint": {"token_id": "token-1", "owner": alice, "token_uri": null, "extension": null}}),
            ),
        ],
    );
    let transfer_nft = json!({"transfer_nft": {"recipient": bob, "token_id": "token-1"}});
    let cw721_transfer_nft = setup.case(
        NativeKind::Cw721Base,
        cw721_state,
        EntryPoint::Execute,
        transfer_nft,
    );
    vec![
        ("fallback/cw20_transfer", cw20_transfer),
        ("fallback/cw20_balance", cw20_balance),
        ("fallback/cw721_transfer_nft", cw721_transfer_nft),
    ]
}

/// The setup's assertions, without timing anything: every benched call
/// gives the same bytes natively and on its Wasm fixture.
/// `benches/tests/setup.rs` runs this in `cargo test`.
#[allow(dead_code, reason = "run by benches/tests/setup.rs, not by the bench")]
pub(crate) fn setup_checks() {
    cases(&Setup::new());
}

fn fallback(c: &mut Criterion) {
    let setup = Setup::new();
    for (name, case) in cases(&setup) {
        bench_case(c, &setup, name, &case);
    }
}

criterion_group!(benches, fallback);
criterion_main!(benches);
