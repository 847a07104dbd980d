//! `chain/*`: the chain layer on cw20-base and the probe as receiver.
//!
//! * `chain/cw20_transfer`: one `transfer` as a transaction
//!   (`Chain::execute`): registry lookup, env and info JSON, an instance
//!   from the chain's pool (reset to its instantiated state), the call,
//!   parsing the response, events, checkpoint and commit.
//! * `chain/engine_cw20_transfer`: the same call without the chain: one
//!   `WasmContract` on the same cached module (it too resets its instance
//!   before each call) and the same storage contents in a `MockStorage`.
//!   The difference to `chain/cw20_transfer` is the dispatch overhead.
//! * `chain/cw20_send_to_receiver`: `send` into the probe's `receive`: two
//!   contract calls and one submessage.
//! * `chain/1000_transfers`: 1,000 transfers in a row (throughput; the
//!   report divides by 1,000 for calls per second).

use std::hint::black_box;
use std::sync::Arc;

use cosmwasm_std::to_json_vec;
use criterion::{Criterion, criterion_group, criterion_main};
use cw_gas::middleware::DEFAULT_STACK_LIMIT_BYTES;
use cw_gas::{CosmWasmSchedule, CwGas, GasMeter};
use cw_host::testing::{MockQuerier, MockStorage};
use cw_host::{
    Bech32Api, CallBackend, CallInput, CallState, Contract, EntryPoint, Storage as _,
    TracingDebugHandler,
};
use cw_runtime::chain::{ExecutionMode, Instantiate};
use cw_runtime::{
    Chain, ChainBuilder, CompileConfig, InstanceOptions, ModuleCache, ValidationConfig,
    WasmContract,
};
use serde_json::json;

struct Setup {
    chain: Chain<CosmWasmSchedule>,
    cache: Arc<ModuleCache<CosmWasmSchedule>>,
    alice: String,
    bob: String,
    token: String,
    receiver: String,
    transfer: Vec<u8>,
    send: Vec<u8>,
}

fn setup() -> Setup {
    let config = CompileConfig {
        table: CosmWasmSchedule::default(),
        stack_limit_bytes: Some(DEFAULT_STACK_LIMIT_BYTES),
        validation: ValidationConfig::default(),
    };
    let cache = Arc::new(ModuleCache::new(config, 256 << 20, None).expect("cache"));
    let chain = ChainBuilder::new(CosmWasmSchedule::default())
        .module_cache(cache.clone())
        .build()
        .expect("chain");
    let alice = chain.addr_make("alice").expect("address");
    let bob = chain.addr_make("bob").expect("address");
    let store = |name: &str| {
        chain
            .store_code(&alice, &tests::fixture_bytes(name), ExecutionMode::Wasm)
            .expect("stores")
    };
    let instantiate = |code_id, msg: serde_json::Value| {
        let msg = to_json_vec(&msg).expect("json");
        chain
            .instantiate(&Instantiate {
                code_id,
                sender: &alice,
                msg: &msg,
                funds: &[],
                admin: None,
                label: "bench",
                salt: None,
            })
            .expect("no node fault")
            .expect("instantiates")
            .contract_address
            .expect("address")
    };
    let cw20 = store("cw20_base");
    let probe = store("probe");
    let token = instantiate(
        cw20,
        json!({"name": "Bench", "symbol": "BNC", "decimals": 6,
               "initial_balances": [{"address": alice, "amount": "1000000000000"}]}),
    );
    let receiver = instantiate(probe, json!({}));
    let transfer = to_json_vec(&json!({"transfer": {"recipient": bob, "amount": "1"}})).unwrap();
    let send =
        to_json_vec(&json!({"send": {"contract": receiver, "amount": "1", "msg": ""}})).unwrap();
    // One of each first, so every timed call finds the same key set.
    chain
        .execute(&alice, &token, &transfer, &[])
        .expect("no node fault")
        .expect("transfer");
    chain
        .execute(&alice, &token, &send, &[])
        .expect("no node fault")
        .expect("send");
    Setup {
        chain,
        cache,
        alice,
        bob,
        token,
        receiver,
        transfer,
        send,
    }
}

fn engine_backend(storage: MockStorage) -> CallBackend<CosmWasmSchedule> {
    CallBackend {
        storage: Box::new(storage),
        api: Arc::new(Bech32Api::default()),
        querier: Box::new(MockQuerier::new()),
        gas: GasMeter::new(CosmWasmSchedule::default(), CwGas::new(300_000_000_000)),
        call: CallState::for_entry_point(EntryPoint::Execute),
        debug: Box::new(TracingDebugHandler),
    }
}

fn benches(c: &mut Criterion) {
    let s = setup();
    let mut group = c.benchmark_group("chain");
    group.bench_function("cw20_transfer", |b| {
        b.iter(|| {
            black_box(
                s.chain
                    .execute(&s.alice, &s.token, black_box(&s.transfer), &[])
                    .expect("no node fault")
                    .expect("transfer"),
            )
        });
    });

    // The engine alone on the same module and the same storage contents.
    let (module, _) = s
        .cache
        .get(&tests::fixture_bytes("cw20_base"))
        .expect("cached");
    let mut storage = MockStorage::new();
    for (k, v) in s.chain.contract_storage(&s.token) {
        storage.set(&k, &v).expect("set");
    }
    let env = to_json_vec(
        &json!({"block": {"height": 1, "time": "1700000000000000000",
        "chain_id": "cw-chain"}, "transaction": {"index": 0},
        "contract": {"address": s.token}}),
    )
    .unwrap();
    let info = to_json_vec(&json!({"sender": s.alice, "funds": []})).unwrap();
    let mut contract =
        WasmContract::<CosmWasmSchedule>::new(module.clone(), InstanceOptions::default());
    group.bench_function("engine_cw20_transfer", |b| {
        b.iter_batched(
            || engine_backend(storage.clone()),
            |backend| {
                let (result, backend) = contract.call(
                    CallInput {
                        entry: EntryPoint::Execute,
                        env: &env,
                        info: Some(&info),
                        msg: &s.transfer,
                    },
                    backend,
                );
                assert!(result.is_ok());
                black_box((result, backend))
            },
            criterion::BatchSize::SmallInput,
        );
    });

    group.bench_function("cw20_send_to_receiver", |b| {
        b.iter(|| {
            black_box(
                s.chain
                    .execute(&s.alice, &s.token, black_box(&s.send), &[])
                    .expect("no node fault")
                    .expect("send"),
            )
        });
    });

    group.sample_size(10);
    group.bench_function("1000_transfers", |b| {
        b.iter(|| {
            for _ in 0..1_000 {
                black_box(
                    s.chain
                        .execute(&s.alice, &s.token, &s.transfer, &[])
                        .expect("no node fault")
                        .expect("transfer"),
                );
            }
        });
    });
    group.finish();
    let _ = (&s.bob, &s.receiver);
}

criterion_group!(chain, benches);
criterion_main!(chain);
