//! One cw20-base `transfer`, on wasmi and on the Wasmer path, so the cost
//! of interpreting is one ratio:
//!
//! * `runtime/cw20_transfer`: cw-runtime's `WasmContract` (Singlepass with
//!   cw-gas's middlewares; its instance reset before each call).
//! * `wasmi/cw20_transfer`: cw-wasmi's `WasmiContract` on the same code
//!   (a fresh wasmi instance per call), same storage contents, same gas.
//! * `chain/wasmer_cw20_transfer` and `chain/wasmi_cw20_transfer`: the
//!   transfer as a transaction of a chain on each engine.
//!
//! Run: `cargo bench -p cw-wasmi --bench transfer`.

use std::hint::black_box;
use std::sync::Arc;

use cosmwasm_std::testing::{message_info, mock_env};
use cosmwasm_std::{Addr, to_json_vec};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use cw_chain::{Chain, ExecutionMode, Instantiate};
use cw_fallback::VerifiedNatives;
use cw_gas::{CosmWasmSchedule, CwGas, GasMeter};
use cw_host::testing::{MockQuerier, SharedStorage};
use cw_host::{
    Bech32Api, CallBackend, CallInput, CallState, Contract, EntryPoint, TracingDebugHandler,
};
use cw_runtime::{CompileConfig, InstanceOptions, ValidationConfig, WasmContract, compile};
use cw_wasmi::WasmiFactory;
use serde_json::json;

type Schedule = CosmWasmSchedule;

fn backend(storage: &SharedStorage, entry: EntryPoint) -> CallBackend<Schedule> {
    CallBackend {
        storage: Box::new(storage.clone()),
        api: Arc::new(Bech32Api::default()),
        querier: Box::new(MockQuerier::new()),
        gas: GasMeter::new(Schedule::default(), CwGas::new(300_000_000_000)),
        call: CallState::for_entry_point(entry),
        debug: Box::new(TracingDebugHandler),
    }
}

fn copy(storage: &SharedStorage) -> SharedStorage {
    let copy = SharedStorage::new();
    for (k, v) in storage.dump() {
        copy.put(&k, &v);
    }
    copy
}

fn call(
    contract: &mut dyn Contract<Schedule>,
    storage: &SharedStorage,
    entry: EntryPoint,
    info: &[u8],
    msg: &[u8],
) {
    let env = to_json_vec(&mock_env()).unwrap();
    let (outcome, _) = contract.call(
        CallInput {
            entry,
            env: &env,
            info: Some(info),
            msg,
        },
        backend(storage, entry),
    );
    assert!(matches!(outcome, Ok(Ok(_))), "{outcome:?}");
}

fn engines(c: &mut Criterion) {
    let wasm = tests::fixture_bytes("cw20_base");
    let api = Bech32Api::default();
    let (alice, bob) = (
        api.addr_make("alice").unwrap(),
        api.addr_make("bob").unwrap(),
    );
    let info = to_json_vec(&message_info(&Addr::unchecked(&alice), &[])).unwrap();
    let config = CompileConfig {
        table: Schedule::default(),
        stack_limit_bytes: Some(cw_gas::instrument::DEFAULT_STACK_LIMIT_BYTES),
        validation: ValidationConfig::default(),
    };
    let (module, _, _) = compile(&wasm, &config).unwrap();
    let mut wasmer = WasmContract::new(module, InstanceOptions::default());
    let mut wasmi = WasmiFactory::new(Schedule::default())
        .contract(&wasm)
        .unwrap();
    let storage = SharedStorage::new();
    let init = to_json_vec(&json!({"name": "Bench", "symbol": "BNC", "decimals": 6,
        "initial_balances": [{"address": alice, "amount": "1000000000000"}]}))
    .unwrap();
    call(&mut wasmer, &storage, EntryPoint::Instantiate, &info, &init);
    let transfer = to_json_vec(&json!({"transfer": {"recipient": bob, "amount": "1"}})).unwrap();
    // One transfer first, so every timed call finds the same key set.
    call(&mut wasmer, &storage, EntryPoint::Execute, &info, &transfer);

    let mut group = c.benchmark_group("runtime");
    group.bench_function("cw20_transfer", |b| {
        b.iter_batched(
            || copy(&storage),
            |s| {
                call(
                    &mut wasmer,
                    &s,
                    EntryPoint::Execute,
                    &info,
                    black_box(&transfer),
                )
            },
            BatchSize::SmallInput,
        );
    });
    group.finish();
    let mut group = c.benchmark_group("wasmi");
    group.bench_function("cw20_transfer", |b| {
        b.iter_batched(
            || copy(&storage),
            |s| {
                call(
                    &mut wasmi,
                    &s,
                    EntryPoint::Execute,
                    &info,
                    black_box(&transfer),
                )
            },
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

/// A chain with cw20-base instantiated and one transfer made; the
/// token's address and the transfer message.
fn chain_with_token(chain: &Chain<Schedule>, mode: ExecutionMode) -> (String, String, Vec<u8>) {
    let alice = chain.addr_make("alice").unwrap();
    let bob = chain.addr_make("bob").unwrap();
    let code_id = chain
        .store_code(&alice, &tests::fixture_bytes("cw20_base"), mode)
        .unwrap();
    let init = to_json_vec(&json!({"name": "Bench", "symbol": "BNC", "decimals": 6,
        "initial_balances": [{"address": alice, "amount": "1000000000000"}]}))
    .unwrap();
    let token = chain
        .instantiate(&Instantiate {
            code_id,
            sender: &alice,
            msg: &init,
            funds: &[],
            admin: None,
            label: "bench",
            salt: None,
        })
        .unwrap()
        .unwrap()
        .contract_address
        .unwrap();
    let transfer = to_json_vec(&json!({"transfer": {"recipient": bob, "amount": "1"}})).unwrap();
    chain
        .execute(&alice, &token, &transfer, &[])
        .unwrap()
        .unwrap();
    (alice, token, transfer)
}

fn chains(c: &mut Criterion) {
    let wasmer = cw_runtime::ChainBuilder::new(Schedule::default())
        .build()
        .unwrap();
    let wasmi = cw_chain::ChainBuilder::new(Schedule::default())
        .wasm_factory(Arc::new(WasmiFactory::new(Schedule::default())))
        .build()
        .unwrap();
    // cw-fallback's native cw20 emulator (the verified build's checksum):
    // what the NEAR contract's natives build runs.
    let native = cw_chain::ChainBuilder::new(Schedule::default())
        .verified_natives(&cw_fallback::VerifiedBuilds::published())
        .build()
        .unwrap();
    let mut group = c.benchmark_group("chain");
    for (name, chain, mode) in [
        ("wasmer_cw20_transfer", &wasmer, ExecutionMode::Wasm),
        ("wasmi_cw20_transfer", &wasmi, ExecutionMode::Wasm),
        ("native_cw20_transfer", &native, ExecutionMode::Native),
    ] {
        let (alice, token, transfer) = chain_with_token(chain, mode);
        group.bench_function(name, |b| {
            b.iter(|| {
                black_box(
                    chain
                        .execute(&alice, &token, black_box(&transfer), &[])
                        .expect("no node fault")
                        .expect("transfer"),
                )
            });
        });
    }
    group.finish();
}

criterion_group!(benches, engines, chains);
criterion_main!(benches);
