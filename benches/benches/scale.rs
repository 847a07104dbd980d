//! `scale/*`: how the cost of a call grows with what it carries, what it
//! stores and how many threads share the runtime. Each group has a
//! parameter (the x of a curve in `docs/PERFORMANCE.md`):
//!
//! * `scale/message_size/<side>/<bytes>`: the probe's `write` execute with a
//!   value of `<bytes>` bytes (base64 in the JSON message, so the message is
//!   about 4/3 of that plus 40 bytes) on an instance kept across
//!   iterations, through our runtime (`ours`) and cosmwasm-vm 3.0.11
//!   (`cosmwasm_vm`). 128 KiB is the largest value `db_write` accepts
//!   (`MAX_LENGTH_DB_VALUE`), so the curve stops there (a 175 KiB message).
//! * `scale/threads/<mode>/<threads>`: 500 cw20 transfers on each of 1 or 2
//!   threads sharing one `ModuleCache`, each thread with its own storage.
//!   `fresh_instance`: every transfer gets a new instance from the cache, as
//!   a chain pays per call (the cache lock is shared); `reused_instance`:
//!   one instance per thread. The throughput is transfers per second.
//! * `scale/storage_size/ours/<accounts>`: one cw20 `transfer` (a new instance
//!   from the cache and the call) with 1e3, 1e5 or 1e6 balances in storage.
//!   The balances are written into the `MockStorage` directly, in cw20-base
//!   2.0's key format, which setup checks against a real instantiate.
//! * `scale/compile/<side>/<bytes>_<fixture>`: a cold compile of each
//!   fixture, x = its Wasm size. Ours: `cw_runtime::compile`; cosmwasm-vm:
//!   `check_wasm` + `compile_module` + `Module::serialize`, as
//!   `runtime/compile_cw20` measures them.
//!
//! Storage is cw-host's `BTreeMap` `MockStorage` everywhere (cosmwasm-vm
//! through a thin adapter), priced free on both sides of a comparison.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use benches::time_each;
use cosmwasm_std::testing::{message_info, mock_env};
use cosmwasm_std::{Addr, to_json_vec};
use cosmwasm_vm::internals::{Logger, check_wasm, compile_module};
use cosmwasm_vm::testing::{MockApi as VmApi, MockQuerier as VmQuerier};
use cosmwasm_vm::{
    Backend, BackendError as VmBackendError, BackendResult, GasInfo, InstanceOptions as VmOptions,
    Size, WasmLimits, call_execute_raw, call_instantiate_raw, capabilities_from_csv,
};
use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use cw_gas::middleware::DEFAULT_STACK_LIMIT_BYTES;
use cw_gas::{CosmWasmSchedule, CwGas, GasMeter};
use cw_host::testing::{MockQuerier, MockStorage, base64};
use cw_host::wasmer::CallBackend;
use cw_host::{Bech32Api, CallState, DebugInfo, EntryPoint, Order, Storage};
use cw_runtime::validate::DEFAULT_CAPABILITIES;
use cw_runtime::{
    CompileConfig, CompiledModule, ContractInstance, InstanceOptions, ModuleCache,
    ValidationConfig, compile,
};
use serde_json::json;

/// Gas for one call on our side: far above what these calls use.
const GAS_LIMIT: u64 = 500_000_000_000;
/// Gas of cosmwasm-vm's reused instance, which cannot be refilled.
const REUSED_GAS_LIMIT: u64 = 1 << 62;
/// Memory limit of every instance: our default, 32 MiB.
const MEMORY_LIMIT_BYTES: usize = 32 << 20;
/// Memory cache size: room for every fixture many times over.
const MEMORY_CACHE_BYTES: usize = 256 << 20;

/// Values of the message-size curve: 32 B to 128 KiB (the `db_write` limit).
const VALUE_SIZES_BYTES: [usize; 7] = [32, 128, 512, 2048, 8192, 32_768, 131_072];
/// Transfers per thread per iteration of `scale/threads`.
const TRANSFERS_PER_THREAD: u64 = 500;
/// Accounts in storage for `scale/storage_size`.
const ACCOUNTS: [usize; 3] = [1_000, 100_000, 1_000_000];
/// Fixtures of the compile curve, smallest first.
const COMPILE_FIXTURES: [&str; 6] = [
    "probe",
    "cw1_whitelist",
    "cw4_group",
    "cw20_base",
    "cw3_fixed_multisig",
    "cw721_base",
];

type Schedule = CosmWasmSchedule;
/// The storage a backend owns.
type Store = Box<dyn Storage + Send>;

fn config() -> CompileConfig<Schedule> {
    CompileConfig {
        table: Schedule::with_free_storage(),
        stack_limit_bytes: Some(DEFAULT_STACK_LIMIT_BYTES),
        validation: ValidationConfig::default(),
    }
}

fn instance_options() -> InstanceOptions {
    InstanceOptions {
        memory_limit_bytes: MEMORY_LIMIT_BYTES as u64,
    }
}

/// Our backend for one call on `storage`.
fn backend(storage: Store, entry: EntryPoint) -> CallBackend<Schedule> {
    CallBackend {
        storage,
        api: Arc::new(Bech32Api::default()),
        querier: Box::new(MockQuerier::new()),
        gas: GasMeter::new(Schedule::with_free_storage(), CwGas::new(GAS_LIMIT)),
        call: CallState::for_entry_point(entry),
        debug: Box::new(|_: &str, _: DebugInfo| {}),
    }
}

/// Every record of `storage`, in key order.
fn dump(storage: &dyn Storage) -> Vec<(Vec<u8>, Vec<u8>)> {
    cw_host::range(storage, None, None, Order::Ascending)
        .map(|record| record.expect("readable"))
        .collect()
}

/// cosmwasm-vm's view of cw-host's `MockStorage`, priced free. The probe's
/// `write` does not iterate, so the iterator methods refuse.
struct VmStorage(MockStorage);

impl cosmwasm_vm::Storage for VmStorage {
    fn get(&self, key: &[u8]) -> BackendResult<Option<Vec<u8>>> {
        let result = self
            .0
            .get(key)
            .map_err(|e| VmBackendError::unknown(e.to_string()));
        (result, GasInfo::free())
    }

    fn scan(
        &mut self,
        _start: Option<&[u8]>,
        _end: Option<&[u8]>,
        _order: cosmwasm_std::Order,
    ) -> BackendResult<u32> {
        let refused = VmBackendError::unknown("the scale benches do not iterate");
        (Err(refused), GasInfo::free())
    }

    fn next(&mut self, iterator_id: u32) -> BackendResult<Option<cosmwasm_std::Record>> {
        let refused = VmBackendError::iterator_does_not_exist(iterator_id);
        (Err(refused), GasInfo::free())
    }

    fn set(&mut self, key: &[u8], value: &[u8]) -> BackendResult<()> {
        let result = self
            .0
            .set(key, value)
            .map_err(|e| VmBackendError::unknown(e.to_string()));
        (result, GasInfo::free())
    }

    fn remove(&mut self, key: &[u8]) -> BackendResult<()> {
        let result = self
            .0
            .remove(key)
            .map_err(|e| VmBackendError::unknown(e.to_string()));
        (result, GasInfo::free())
    }
}

/// cw20-base in a shared memory cache, the store after instantiating it
/// with one funded account, and a transfer message.
struct Cw20 {
    cache: ModuleCache<Schedule>,
    module: CompiledModule,
    env: Vec<u8>,
    info: Vec<u8>,
    transfer: Vec<u8>,
    /// The store every timed transfer starts from (alice and bob funded), as
    /// records: `MockStorage` counts seeks in a `Cell`, so it is not `Sync`.
    records: Vec<(Vec<u8>, Vec<u8>)>,
    alice: String,
}

impl Cw20 {
    fn new() -> Self {
        let api = Bech32Api::default();
        let alice = api.addr_make("alice").expect("address");
        let bob = api.addr_make("bob").expect("address");
        let cache = ModuleCache::new(config(), MEMORY_CACHE_BYTES, None).expect("cache");
        let (module, _) = cache
            .get(&tests::fixture_bytes("cw20_base"))
            .expect("compiles");
        let env = to_json_vec(&mock_env()).expect("env");
        let info = to_json_vec(&message_info(&Addr::unchecked(&alice), &[])).expect("info");
        let transfer = json!({"transfer": {"recipient": bob, "amount": "1"}});
        let mut cw20 = Self {
            cache,
            module,
            env,
            info,
            transfer: to_json_vec(&transfer).expect("json"),
            records: Vec::new(),
            alice,
        };
        let state = cw20.instantiate(&[(cw20.alice.clone(), 1_000_000_000_000)]);
        // One transfer first, so every timed transfer finds bob's balance
        // and writes the same key set.
        let (storage, result) = cw20.transfer_on_new_instance(Box::new(state));
        assert!(result.starts_with(br#"{"ok":"#), "transfer failed");
        cw20.records = dump(&*storage);
        cw20
    }

    /// A store holding `records`.
    fn state(&self) -> MockStorage {
        self.records.iter().cloned().collect()
    }

    /// The store after instantiate with `balances`.
    fn instantiate(&self, balances: &[(String, u128)]) -> MockStorage {
        let balances: Vec<_> = balances
            .iter()
            .map(|(address, amount)| json!({"address": address, "amount": amount.to_string()}))
            .collect();
        let msg = json!({"name": "Bench", "symbol": "BNCH", "decimals": 6,
                         "initial_balances": balances});
        let mut instance =
            ContractInstance::new(&self.module, &instance_options()).expect("instance");
        let (result, backend) = instance.call(
            EntryPoint::Instantiate,
            &self.env,
            Some(&self.info),
            &to_json_vec(&msg).expect("json"),
            backend(Box::new(MockStorage::new()), EntryPoint::Instantiate),
        );
        assert!(
            result
                .expect("no node fault")
                .expect("runs")
                .starts_with(br#"{"ok":"#),
            "instantiate failed"
        );
        dump(&*backend.storage).into_iter().collect()
    }

    /// A new instance from the cache and one transfer; the storage back.
    fn transfer_on_new_instance(&self, storage: Store) -> (Store, Vec<u8>) {
        let (module, _) = self
            .cache
            .get_by_checksum(&self.module.checksum)
            .expect("cache readable")
            .expect("cached");
        let mut instance = ContractInstance::new(&module, &instance_options()).expect("instance");
        self.transfer_on(&mut instance, storage)
    }

    fn transfer_on(
        &self,
        instance: &mut ContractInstance<Schedule>,
        storage: Store,
    ) -> (Store, Vec<u8>) {
        let (result, backend) = instance.call(
            EntryPoint::Execute,
            &self.env,
            Some(&self.info),
            &self.transfer,
            backend(storage, EntryPoint::Execute),
        );
        (
            backend.storage,
            result.expect("no node fault").expect("transfer runs"),
        )
    }
}

/// cw20-base 2.0's key of `address` in `Map<&Addr, Uint128>` "balance"
/// (cw-storage-plus: the namespace with a 2-byte big-endian length prefix,
/// then the address bytes; the value is the amount as a JSON string).
fn balance_key(address: &str) -> Vec<u8> {
    const NAMESPACE: &[u8] = b"balance";
    let mut key = Vec::with_capacity(2 + NAMESPACE.len() + address.len());
    key.extend_from_slice(&(NAMESPACE.len() as u16).to_be_bytes());
    key.extend_from_slice(NAMESPACE);
    key.extend_from_slice(address.as_bytes());
    key
}

/// The probe on both sides for `scale/message_size`: our compiled module,
/// cosmwasm-vm's cache holding it, and the call's env and info.
struct MessageSize {
    module: CompiledModule,
    env: Vec<u8>,
    info: Vec<u8>,
    vm_cache: cosmwasm_vm::Cache<VmApi, VmStorage, VmQuerier>,
    checksum: cosmwasm_std::Checksum,
    _dir: tempfile::TempDir,
}

impl MessageSize {
    fn new() -> Self {
        let wasm = tests::fixture_bytes("probe");
        let (module, _, _) = compile(&wasm, &config()).expect("compiles");
        let env = to_json_vec(&mock_env()).expect("env");
        let creator = Bech32Api::default().addr_make("creator").expect("address");
        let info = to_json_vec(&message_info(&Addr::unchecked(&creator), &[])).expect("info");
        let dir = tempfile::tempdir().expect("temp dir");
        let options = cosmwasm_vm::CacheOptions::new(
            dir.path(),
            capabilities_from_csv(&DEFAULT_CAPABILITIES.join(",")),
            Size::new(MEMORY_CACHE_BYTES),
            Size::new(MEMORY_LIMIT_BYTES),
        );
        // SAFETY: cosmwasm-vm requires that nothing else writes to the cache
        // directory while the cache exists; it is a fresh temporary directory
        // only this process knows.
        let vm_cache: cosmwasm_vm::Cache<VmApi, VmStorage, VmQuerier> =
            unsafe { cosmwasm_vm::Cache::new(options) }.expect("cache");
        let checksum = vm_cache.store_code(&wasm, true, true).expect("stores");
        Self {
            module,
            env,
            info,
            vm_cache,
            checksum,
            _dir: dir,
        }
    }

    /// A pair of instances, each instantiated once: the first call into an
    /// instance initializes the contract's allocator, which costs gas the
    /// later calls do not pay.
    fn instantiated_pair(&self) -> (VmInstance, ContractInstance<Schedule>) {
        let vm_backend = Backend {
            api: VmApi::default(),
            storage: VmStorage(MockStorage::new()),
            querier: VmQuerier::new(&[]),
        };
        let options = VmOptions {
            gas_limit: REUSED_GAS_LIMIT,
        };
        let mut vm = self
            .vm_cache
            .get_instance(&self.checksum, vm_backend, options)
            .expect("instance");
        let init = call_instantiate_raw(&mut vm, &self.env, &self.info, b"{}").expect("runs");
        assert!(init.starts_with(br#"{"ok":"#), "instantiate failed");
        let mut ours = ContractInstance::new(&self.module, &instance_options()).expect("instance");
        let fresh = backend(Box::new(MockStorage::new()), EntryPoint::Instantiate);
        let (init, _) = ours.call(
            EntryPoint::Instantiate,
            &self.env,
            Some(&self.info),
            b"{}",
            fresh,
        );
        assert!(
            init.expect("no node fault")
                .expect("runs")
                .starts_with(br#"{"ok":"#),
            "instantiate failed"
        );
        (vm, ours)
    }

    /// The `write` message of a `size`-byte value, checked once: the same
    /// result bytes and gas on both sides (on a pair with the same history)
    /// and the value stored.
    fn checked_msg(&self, size: usize) -> Vec<u8> {
        let value: Vec<u8> = (0..size).map(|i| i as u8).collect();
        let msg = json!({"write": {"key": base64(b"scale/key"), "value": base64(&value)}});
        let msg = to_json_vec(&msg).expect("json");
        let used = |report: cosmwasm_vm::GasReport| report.used_internally + report.used_externally;
        let (mut vm_check, mut ours_check) = self.instantiated_pair();
        let gas_before = used(vm_check.create_gas_report());
        let theirs = call_execute_raw(&mut vm_check, &self.env, &self.info, &msg).expect("runs");
        let their_gas = used(vm_check.create_gas_report()) - gas_before;
        let storage = Box::new(MockStorage::new());
        let fresh = backend(storage, EntryPoint::Execute);
        let (result, returned) = ours_check.call(
            EntryPoint::Execute,
            &self.env,
            Some(&self.info),
            &msg,
            fresh,
        );
        assert_eq!(
            result.expect("no node fault").expect("runs"),
            theirs,
            "result of a {size}-byte write"
        );
        assert!(theirs.starts_with(br#"{"ok":"#), "write failed");
        assert_eq!(
            returned.gas.used().as_u64(),
            their_gas,
            "gas of a {size}-byte write"
        );
        assert_eq!(
            dump(&*returned.storage),
            vec![(b"scale/key".to_vec(), value)]
        );
        msg
    }
}

type VmInstance = cosmwasm_vm::Instance<VmApi, VmStorage, VmQuerier>;

fn message_size(c: &mut Criterion) {
    let setup = MessageSize::new();
    let (env, info) = (&setup.env, &setup.info);
    // The benched pair runs as many calls as criterion's timing asks for,
    // a different number on each side, so their allocators drift apart; the
    // once-per-size correctness check uses a pair with the same history.
    let (mut vm, mut ours) = setup.instantiated_pair();

    let mut group = c.benchmark_group("scale/message_size");
    for size in VALUE_SIZES_BYTES {
        let msg = setup.checked_msg(size);
        group.throughput(Throughput::Bytes(msg.len() as u64));
        group.bench_with_input(BenchmarkId::new("ours", size), &msg, |b, msg| {
            b.iter_custom(|iters| {
                time_each(
                    iters,
                    &mut ours,
                    |_| backend(Box::new(MockStorage::new()), EntryPoint::Execute),
                    |ours, backend| ours.call(EntryPoint::Execute, env, Some(info), msg, backend),
                )
            })
        });
        group.bench_with_input(BenchmarkId::new("cosmwasm_vm", size), &msg, |b, msg| {
            b.iter(|| call_execute_raw(&mut vm, env, info, black_box(msg)).expect("runs"))
        });
    }
    group.finish();
}

fn threads(c: &mut Criterion, cw20: &Cw20) {
    let mut group = c.benchmark_group("scale/threads");
    group.sample_size(10);
    for threads in [1u64, 2] {
        group.throughput(Throughput::Elements(threads * TRANSFERS_PER_THREAD));
        for reuse in [false, true] {
            let name = if reuse {
                "reused_instance"
            } else {
                "fresh_instance"
            };
            group.bench_with_input(BenchmarkId::new(name, threads), &threads, |b, &threads| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let states: Vec<Store> = (0..threads)
                            .map(|_| Box::new(cw20.state()) as Store)
                            .collect();
                        let started = Instant::now();
                        std::thread::scope(|scope| {
                            for state in states {
                                scope.spawn(move || transfers(cw20, state, reuse));
                            }
                        });
                        total += started.elapsed();
                    }
                    total
                })
            });
        }
    }
    group.finish();
}

/// `TRANSFERS_PER_THREAD` transfers on `state`, on one instance or a new
/// instance from the shared cache each.
fn transfers(cw20: &Cw20, state: Store, reuse: bool) {
    let mut storage = state;
    let mut instance =
        reuse.then(|| ContractInstance::new(&cw20.module, &instance_options()).expect("instance"));
    for _ in 0..TRANSFERS_PER_THREAD {
        let (returned, result) = match &mut instance {
            Some(instance) => cw20.transfer_on(instance, storage),
            None => cw20.transfer_on_new_instance(storage),
        };
        storage = returned;
        black_box(result);
    }
}

/// The key format `scale/storage_size` writes balances in, checked against
/// a real instantiate: the two funded accounts' records are exactly
/// `balance_key(address)` => `"amount"`.
fn check_balance_keys(cw20: &Cw20) {
    let api = Bech32Api::default();
    let carol = api.addr_make("carol").expect("address");
    let state = cw20.instantiate(&[(cw20.alice.clone(), 1_000), (carol.clone(), 2_000)]);
    for (address, amount) in [(&cw20.alice, "\"1000\""), (&carol, "\"2000\"")] {
        let key = balance_key(address);
        assert_eq!(
            state.as_map().get(&key).map(Vec::as_slice),
            Some(amount.as_bytes())
        );
    }
    let balances = state
        .as_map()
        .keys()
        .filter(|k| k.starts_with(&balance_key("")))
        .count();
    assert_eq!(balances, 2, "cw20-base stores balances under another key");
}

fn storage_size(c: &mut Criterion, cw20: &Cw20) {
    check_balance_keys(cw20);
    let api = Bech32Api::default();
    let mut group = c.benchmark_group("scale/storage_size");
    for accounts in ACCOUNTS {
        // The starting store (alice and bob funded) plus `accounts - 2` more.
        let extra = (2..accounts).map(|i| {
            let address = api.addr_make(&format!("account{i}")).expect("address");
            (balance_key(&address), b"\"100\"".to_vec())
        });
        let filled: MockStorage = cw20.records.iter().cloned().chain(extra).collect();
        let count = filled
            .as_map()
            .keys()
            .filter(|k| k.starts_with(&balance_key("")))
            .count();
        assert_eq!(count, accounts);
        let mut storage: Option<Store> = Some(Box::new(filled));
        group.bench_with_input(BenchmarkId::new("ours", accounts), &accounts, |b, _| {
            b.iter_custom(|iters| {
                time_each(
                    iters,
                    &mut storage,
                    |storage| storage.take().expect("storage"),
                    |storage, taken| {
                        let (returned, result) = cw20.transfer_on_new_instance(taken);
                        *storage = Some(returned);
                        result
                    },
                )
            })
        });
        // Free the store before building the next, larger one.
        drop(storage);
    }
    group.finish();
}

fn compile_by_size(c: &mut Criterion) {
    let capabilities = capabilities_from_csv(&DEFAULT_CAPABILITIES.join(","));
    let limits = WasmLimits::default();
    let config = config();
    let mut group = c.benchmark_group("scale/compile");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    for name in COMPILE_FIXTURES {
        let wasm = tests::fixture_bytes(name);
        let id = format!("{}_{name}", wasm.len());
        group.throughput(Throughput::Bytes(wasm.len() as u64));
        group.bench_with_input(BenchmarkId::new("ours", &id), &wasm, |b, wasm| {
            b.iter(|| compile(black_box(wasm), &config).expect("compiles"))
        });
        group.bench_with_input(BenchmarkId::new("cosmwasm_vm", &id), &wasm, |b, wasm| {
            b.iter(|| {
                check_wasm(black_box(wasm), &capabilities, &limits, Logger::Off).expect("valid");
                let (module, engine) = compile_module(wasm, None).expect("compiles");
                (module.serialize().expect("serializes"), engine)
            })
        });
    }
    group.finish();
}

/// The setup's assertions, without timing anything: the probe's `write`
/// of every benched size gives the same bytes and gas here and on
/// cosmwasm-vm, a cw20 transfer succeeds, and cw20-base stores balances
/// under the keys `scale/storage_size` fills. `benches/tests/setup.rs`
/// runs this in `cargo test`.
#[allow(dead_code, reason = "run by benches/tests/setup.rs, not by the bench")]
pub(crate) fn setup_checks() {
    let message_size = MessageSize::new();
    for size in VALUE_SIZES_BYTES {
        message_size.checked_msg(size);
    }
    check_balance_keys(&Cw20::new());
}

fn scale(c: &mut Criterion) {
    message_size(c);
    let cw20 = Cw20::new();
    threads(c, &cw20);
    storage_size(c, &cw20);
    compile_by_size(c);
}

criterion_group!(benches, scale);
criterion_main!(benches);
