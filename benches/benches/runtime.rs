//! `runtime/*`: cw20-base through our runtime (`ours`) and through
//! cosmwasm-vm 3.0.11 (`cosmwasm_vm`) in the same run, so each speed-up is
//! one ratio:
//!
//! * `runtime/compile_cw20`: a cold compile: static validation, Singlepass
//!   with metering, serializing the artifact, hashing the code. Ours:
//!   `cw_runtime::compile`. cosmwasm-vm: `check_wasm` + `compile_module` +
//!   `Module::serialize` + `Checksum::generate`, the stages of
//!   `Cache::store_code` without its two disk writes.
//! * `runtime/instance_from_memory_cache`: a ready instance from the memory
//!   cache and dropping it. Ours: `ModuleCache::get_by_checksum` +
//!   `ContractInstance::new`; cosmwasm-vm: `Cache::get_instance` (both given
//!   the checksum, as a chain has it).
//!   `ours_pooled`: the same from an `InstancePool` (what the chain does):
//!   the lookup, checking out an instance that ran a transfer before (reset
//!   to its instantiated state) and returning it.
//! * `runtime/cw20_transfer`: the above plus one `transfer` execute.
//! * `runtime/cw20_balance`: the above plus one `balance` query.
//! * `runtime/cw20_transfer_reused`: one `transfer` on an instance kept
//!   across iterations.
//!
//! With `CW_PAIRED_ROUNDS=N` set, the bench runs no criterion group but N
//! paired rounds of the transfer (see `paired_transfers`), N / 100 of the
//! compile and N / 10 of static validation (`paired_compiles`), and prints
//! them: `CW_PAIRED_ROUNDS=3000 cargo bench -p benches --bench runtime`.
//! With `CW_PAIRED_JSON=FILE` too, it also writes them there as JSON (the
//! report's "Paired runs" section reads it).
//!
//! Two diagnostics sit beside `ours` to locate our costs:
//! `ours_no_stack_limit` (compiled without the deterministic stack limiter,
//! which cosmwasm-vm lacks; in `compile_cw20` and `cw20_transfer_reused`)
//! and `ours_module_held` (a new instance from a `CompiledModule` already in
//! hand, i.e. without the cache lookup).
//!
//! Both sides run on the same storage (cw-host's `BTreeMap` `MockStorage`;
//! cosmwasm-vm through a thin adapter), priced free on both, so they do the
//! same storage work and their gas can be compared exactly: setup asserts
//! identical result bytes and gas. Every iteration starts from the same
//! state, the store after one instantiate, cloned outside the timed region,
//! as is building the backends; dropping the instance is timed (a chain pays
//! it every call).

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use benches::time_each;
use cosmwasm_std::testing::{message_info, mock_env};
use cosmwasm_std::{Addr, Checksum as VmChecksum, to_json_vec};
use cosmwasm_vm::internals::{Logger, check_wasm, compile_module};
use cosmwasm_vm::testing::{MockApi as VmApi, MockQuerier as VmQuerier};
use cosmwasm_vm::{
    Backend, BackendError as VmBackendError, BackendResult, Cache, CacheOptions, GasInfo, Instance,
    InstanceOptions as VmInstanceOptions, Size, WasmLimits, call_execute_raw, call_instantiate_raw,
    call_query_raw, capabilities_from_csv,
};
use criterion::{Criterion, criterion_group, criterion_main};
use cw_gas::middleware::DEFAULT_STACK_LIMIT_BYTES;
use cw_gas::{CosmWasmSchedule, CwGas, GasMeter};
use cw_host::testing::{MockQuerier, MockStorage};
use cw_host::wasmer::CallBackend;
use cw_host::{Bech32Api, CallState, DebugInfo, EntryPoint, Storage as _};

use cw_runtime::{
    CacheTier, CompileConfig, CompiledModule, Compiler, ContractInstance, InstanceOptions,
    InstancePool, ModuleCache, PoolLimits, PooledInstance, TierUp, ValidationConfig, compile,
    validate,
};
use serde_json::json;

/// Gas for one call: 0.5 s of CosmWasm gas, far above what a cw20 call uses.
const GAS_LIMIT: u64 = 500_000_000_000;
/// Gas of cosmwasm-vm's reused instance, which cannot be refilled: enough
/// for every transfer criterion runs on it.
const REUSED_GAS_LIMIT: u64 = 1 << 62;
/// Memory limit of every instance on both sides: our default, 32 MiB.
const MEMORY_LIMIT_BYTES: usize = 32 << 20;
/// Memory cache size on both sides: room for cw20-base many times over.
const MEMORY_CACHE_BYTES: usize = 256 << 20;

/// cosmwasm-vm's view of cw-host's `MockStorage`: the same `BTreeMap` on
/// both sides, priced free (as `CosmWasmSchedule::with_free_storage` prices
/// it on ours). cw20 transfer and balance do not iterate, so the iterator
/// methods refuse.
struct VmStorage(MockStorage);

fn vm_error(e: cw_host::BackendError) -> VmBackendError {
    VmBackendError::unknown(e.to_string())
}

impl cosmwasm_vm::Storage for VmStorage {
    fn get(&self, key: &[u8]) -> BackendResult<Option<Vec<u8>>> {
        (self.0.get(key).map_err(vm_error), GasInfo::free())
    }

    fn scan(
        &mut self,
        _start: Option<&[u8]>,
        _end: Option<&[u8]>,
        _order: cosmwasm_std::Order,
    ) -> BackendResult<u32> {
        let refused = VmBackendError::unknown("the cw20 benches do not iterate");
        (Err(refused), GasInfo::free())
    }

    fn next(&mut self, iterator_id: u32) -> BackendResult<Option<cosmwasm_std::Record>> {
        let refused = VmBackendError::iterator_does_not_exist(iterator_id);
        (Err(refused), GasInfo::free())
    }

    fn set(&mut self, key: &[u8], value: &[u8]) -> BackendResult<()> {
        (self.0.set(key, value).map_err(vm_error), GasInfo::free())
    }

    fn remove(&mut self, key: &[u8]) -> BackendResult<()> {
        (self.0.remove(key).map_err(vm_error), GasInfo::free())
    }
}

type VmInstance = Instance<VmApi, VmStorage, VmQuerier>;
type VmCache = Cache<VmApi, VmStorage, VmQuerier>;

/// Our backend for one call on `storage`.
fn our_backend(storage: MockStorage, entry: EntryPoint) -> CallBackend<CosmWasmSchedule> {
    CallBackend {
        storage: Box::new(storage),
        api: Arc::new(Bech32Api::default()),
        querier: Box::new(MockQuerier::new()),
        gas: GasMeter::new(CosmWasmSchedule::with_free_storage(), CwGas::new(GAS_LIMIT)),
        call: CallState::for_entry_point(entry),
        debug: Box::new(|_: &str, _: DebugInfo| {}),
    }
}

/// cosmwasm-vm's backend on `storage`.
fn vm_backend(storage: MockStorage) -> Backend<VmApi, VmStorage, VmQuerier> {
    Backend {
        api: VmApi::default(),
        storage: VmStorage(storage),
        querier: VmQuerier::new(&[]),
    }
}

fn instance_options() -> InstanceOptions {
    InstanceOptions {
        memory_limit_bytes: MEMORY_LIMIT_BYTES as u64,
    }
}

/// How our side finds the module for a new instance.
#[derive(Clone, Copy)]
enum Lookup {
    /// `ModuleCache::get_by_checksum(checksum)`: what a chain pays (it
    /// stores the checksum with the code, as cosmwasm-vm's `get_instance`
    /// takes it). Bench name `ours`.
    ByCode,
    /// A clone of the `CompiledModule` the bench already holds: what a
    /// lookup by checksum would cost, less a mutex and an LRU probe. A
    /// diagnostic, bench name `ours_module_held`.
    Held,
}

impl Lookup {
    const ALL: [(Self, &'static str); 2] =
        [(Self::ByCode, "ours"), (Self::Held, "ours_module_held")];
}

/// cw20-base, its messages, the store after instantiate, and both caches
/// holding it in memory.
struct Setup {
    wasm: Vec<u8>,
    config: CompileConfig<CosmWasmSchedule>,
    env: Vec<u8>,
    info: Vec<u8>,
    transfer: Vec<u8>,
    balance: Vec<u8>,
    state: MockStorage,
    ours: ModuleCache<CosmWasmSchedule>,
    /// A cache whose cw20 module has tiered up to Cranelift.
    tiered: ModuleCache<CosmWasmSchedule>,
    held: CompiledModule,
    theirs: VmCache,
    checksum: VmChecksum,
    _dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Self {
        let wasm = tests::fixture_bytes("cw20_base");
        let config = CompileConfig {
            table: CosmWasmSchedule::with_free_storage(),
            stack_limit_bytes: Some(DEFAULT_STACK_LIMIT_BYTES),
            validation: ValidationConfig::default(),
        };
        let api = Bech32Api::default();
        let alice = api.addr_make("alice").expect("address");
        let bob = api.addr_make("bob").expect("address");
        let env = to_json_vec(&mock_env()).expect("env");
        let info = to_json_vec(&message_info(&Addr::unchecked(&alice), &[])).expect("info");
        let init = json!({
            "name": "Bench", "symbol": "BNCH", "decimals": 6,
            "initial_balances": [{"address": alice, "amount": "1000000000"}],
        });
        let transfer = json!({"transfer": {"recipient": bob, "amount": "7"}});
        let balance = json!({"balance": {"address": alice}});

        let ours = ModuleCache::new(config.clone(), MEMORY_CACHE_BYTES, None).expect("cache");
        assert_eq!(ours.get(&wasm).expect("compiles").1, CacheTier::Compiled);
        let (held, tier) = ours.get(&wasm).expect("cached");
        assert_eq!(tier, CacheTier::Memory);
        let tiered = ModuleCache::new(config.clone(), MEMORY_CACHE_BYTES, None)
            .and_then(|cache| cache.with_tier_up(TierUp { after_uses: 1 }))
            .expect("cache");
        tiered.get(&wasm).expect("compiles");
        tiered.wait_for_optimizations();
        let (optimized, _) = tiered.get(&wasm).expect("cached");
        assert_eq!(optimized.compiler, Compiler::Cranelift);

        let dir = tempfile::tempdir().expect("temp dir");
        let options = CacheOptions::new(
            dir.path(),
            capabilities_from_csv(&validate::DEFAULT_CAPABILITIES.join(",")),
            Size::new(MEMORY_CACHE_BYTES),
            Size::new(MEMORY_LIMIT_BYTES),
        );
        // SAFETY: cosmwasm-vm requires that nothing else writes to the cache
        // directory while the cache exists; it is a fresh temporary directory
        // only this process knows.
        let theirs: VmCache = unsafe { Cache::new(options) }.expect("cache");
        let checksum = theirs.store_code(&wasm, true, true).expect("stores");

        // Instantiate once (on cosmwasm-vm, whose instance hands its storage
        // back) to get the starting state of every iteration.
        let mut vm = theirs
            .get_instance(&checksum, vm_backend(MockStorage::new()), vm_options())
            .expect("instance");
        let init = init.to_string();
        let result = call_instantiate_raw(&mut vm, &env, &info, init.as_bytes()).expect("runs");
        assert!(result.starts_with(br#"{"ok":"#), "instantiate failed");
        let state = vm.with_storage(|s| Ok(s.0.clone())).expect("storage");
        assert_eq!(theirs.stats().hits_fs_cache, 1);

        let setup = Self {
            wasm,
            config,
            env,
            info,
            transfer: transfer.to_string().into_bytes(),
            balance: balance.to_string().into_bytes(),
            state,
            ours,
            tiered,
            held,
            theirs,
            checksum,
            _dir: dir,
        };
        setup.check_both_sides_agree();
        setup
    }

    /// Correctness, once: a transfer and a balance query give the same bytes
    /// and gas on both sides, and the instances come from the memory caches.
    fn check_both_sides_agree(&self) {
        for (entry, msg) in [
            (EntryPoint::Execute, &self.transfer),
            (EntryPoint::Query, &self.balance),
        ] {
            let (ours, ours_gas) = self.ours_call(entry, msg);
            let pool = InstancePool::new(instance_options(), PoolLimits::default());
            let (tiered, backend) = self.pooled_from(&self.tiered, &pool).call(
                entry,
                &self.env,
                (entry != EntryPoint::Query).then_some(self.info.as_slice()),
                msg,
                our_backend(self.state.clone(), entry),
            );
            assert_eq!(
                tiered.expect("no node fault").expect("succeeds"),
                ours,
                "tiered {entry:?}"
            );
            assert_eq!(backend.gas.used().as_u64(), ours_gas, "tiered gas");
            let mut vm = self.vm_instance(VmInstanceOptions {
                gas_limit: GAS_LIMIT,
            });
            let theirs = match entry {
                EntryPoint::Query => call_query_raw(&mut vm, &self.env, msg),
                _ => call_execute_raw(&mut vm, &self.env, &self.info, msg),
            }
            .expect("runs");
            let report = vm.create_gas_report();
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs)
            );
            assert!(ours.starts_with(br#"{"ok":"#), "{entry:?} failed");
            assert_eq!(
                ours_gas,
                report.used_internally + report.used_externally,
                "gas of {entry:?}"
            );
        }
        assert!(self.theirs.stats().hits_memory_cache >= 2);
        assert_eq!(self.theirs.stats().misses, 0);
    }

    /// A new instance from our memory cache, one call, and its gas.
    fn ours_call(&self, entry: EntryPoint, msg: &[u8]) -> (Vec<u8>, u64) {
        let (module, tier) = self.ours.get(&self.wasm).expect("cached");
        assert_eq!(tier, CacheTier::Memory);
        let mut instance = ContractInstance::new(&module, &instance_options()).expect("instance");
        let backend = our_backend(self.state.clone(), entry);
        let info = (entry != EntryPoint::Query).then_some(self.info.as_slice());
        let (result, backend) = instance.call(entry, &self.env, info, msg, backend);
        (
            result.expect("no node fault").expect("succeeds"),
            backend.gas.used().as_u64(),
        )
    }

    /// A new instance of our side, finding the module by `lookup`.
    fn our_instance(&self, lookup: Lookup) -> ContractInstance<CosmWasmSchedule> {
        let module = match lookup {
            Lookup::ByCode => {
                let found = self.ours.get_by_checksum(&self.held.checksum);
                found.expect("cache readable").expect("cached").0
            }
            Lookup::Held => self.held.clone(),
        };
        ContractInstance::new(&module, &instance_options()).expect("instance")
    }

    /// An instance from `pool` of the module found by checksum, as the
    /// chain gets one.
    fn pooled<'p>(
        &self,
        pool: &'p InstancePool<CosmWasmSchedule>,
    ) -> PooledInstance<'p, CosmWasmSchedule> {
        self.pooled_from(&self.ours, pool)
    }

    /// [`pooled`](Self::pooled) with the module from `cache`.
    fn pooled_from<'p>(
        &self,
        cache: &ModuleCache<CosmWasmSchedule>,
        pool: &'p InstancePool<CosmWasmSchedule>,
    ) -> PooledInstance<'p, CosmWasmSchedule> {
        let found = cache.get_by_checksum(&self.held.checksum);
        let module = found.expect("cache readable").expect("cached").0;
        pool.checkout(&module).expect("instance")
    }

    /// One `transfer` on `instance` from the starting state.
    fn transfer_on(&self, instance: &mut ContractInstance<CosmWasmSchedule>) {
        let backend = our_backend(self.state.clone(), EntryPoint::Execute);
        let info = Some(self.info.as_slice());
        let (result, _) = instance.call(
            EntryPoint::Execute,
            &self.env,
            info,
            &self.transfer,
            backend,
        );
        result.expect("no node fault").expect("transfers");
    }

    /// A new cosmwasm-vm instance from its memory cache on the starting state.
    fn vm_instance(&self, options: VmInstanceOptions) -> VmInstance {
        self.theirs
            .get_instance(&self.checksum, vm_backend(self.state.clone()), options)
            .expect("instance")
    }
}

fn vm_options() -> VmInstanceOptions {
    VmInstanceOptions {
        gas_limit: GAS_LIMIT,
    }
}

fn compile_cw20(c: &mut Criterion, s: &Setup) {
    let mut group = c.benchmark_group("runtime/compile_cw20");
    group.sample_size(10);
    group.bench_function("ours", |b| {
        b.iter(|| compile(black_box(&s.wasm), &s.config).expect("compiles"))
    });
    // A diagnostic: the same without the deterministic stack limiter, which
    // cosmwasm-vm does not have (not for production: see `CompileConfig`).
    let unlimited = CompileConfig {
        stack_limit_bytes: None,
        ..s.config.clone()
    };
    group.bench_function("ours_no_stack_limit", |b| {
        b.iter(|| compile(black_box(&s.wasm), &unlimited).expect("compiles"))
    });
    let capabilities = capabilities_from_csv(&validate::DEFAULT_CAPABILITIES.join(","));
    let limits = WasmLimits::default();
    group.bench_function("cosmwasm_vm", |b| {
        b.iter(|| {
            check_wasm(black_box(&s.wasm), &capabilities, &limits, Logger::Off).expect("valid");
            let (module, engine) = compile_module(&s.wasm, None).expect("compiles");
            // `store_code` hashes the code too, as our `compile` does.
            let checksum = VmChecksum::generate(&s.wasm);
            (module.serialize().expect("serializes"), engine, checksum)
        })
    });
    group.finish();
}

fn instance_from_memory_cache(c: &mut Criterion, s: &Setup) {
    let mut group = c.benchmark_group("runtime/instance_from_memory_cache");
    for (lookup, name) in Lookup::ALL {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| time_each(iters, &mut (), |_| (), |_, ()| s.our_instance(lookup)))
        });
    }
    // An instance checked out of the pool, reset after the transfer it ran
    // last (untimed), and returned: what the chain pays instead.
    group.bench_function("ours_pooled", |b| {
        let pool = InstancePool::new(instance_options(), PoolLimits::default());
        b.iter_custom(|iters| {
            time_each(
                iters,
                &mut (),
                |_| s.transfer_on(&mut s.pooled(&pool)),
                |_, ()| drop(s.pooled(&pool)),
            )
        })
    });
    group.bench_function("cosmwasm_vm", |b| {
        b.iter_custom(|iters| {
            time_each(
                iters,
                &mut (),
                |_| vm_backend(s.state.clone()),
                |_, backend| {
                    s.theirs
                        .get_instance(&s.checksum, backend, vm_options())
                        .expect("instance")
                },
            )
        })
    });
    group.finish();
}

/// A new instance from the memory cache and one call of `entry` with `msg`.
fn call_on_new_instance(c: &mut Criterion, s: &Setup, name: &str, entry: EntryPoint, msg: &[u8]) {
    let info = (entry != EntryPoint::Query).then_some(s.info.as_slice());
    let mut group = c.benchmark_group(name);
    for (lookup, name) in Lookup::ALL {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                time_each(
                    iters,
                    &mut (),
                    |_| our_backend(s.state.clone(), entry),
                    |_, backend| {
                        s.our_instance(lookup)
                            .call(entry, &s.env, info, msg, backend)
                    },
                )
            })
        });
    }
    // The same call on an instance from the pool, as the chain runs it;
    // `ours_pooled_tiered` once the module has tiered up to Cranelift.
    for (cache, name) in [(&s.ours, "ours_pooled"), (&s.tiered, "ours_pooled_tiered")] {
        group.bench_function(name, |b| {
            let pool = InstancePool::new(instance_options(), PoolLimits::default());
            b.iter_custom(|iters| {
                time_each(
                    iters,
                    &mut (),
                    |_| our_backend(s.state.clone(), entry),
                    |_, backend| {
                        s.pooled_from(cache, &pool)
                            .call(entry, &s.env, info, msg, backend)
                    },
                )
            })
        });
    }
    group.bench_function("cosmwasm_vm", |b| {
        b.iter_custom(|iters| {
            time_each(
                iters,
                &mut (),
                |_| vm_backend(s.state.clone()),
                |_, backend| {
                    let mut instance = s
                        .theirs
                        .get_instance(&s.checksum, backend, vm_options())
                        .expect("instance");
                    match info {
                        Some(info) => call_execute_raw(&mut instance, &s.env, info, msg),
                        None => call_query_raw(&mut instance, &s.env, msg),
                    }
                    .expect("runs")
                },
            )
        })
    });
    group.finish();
}

fn cw20_transfer(c: &mut Criterion, s: &Setup) {
    call_on_new_instance(
        c,
        s,
        "runtime/cw20_transfer",
        EntryPoint::Execute,
        &s.transfer,
    );
}

fn cw20_balance(c: &mut Criterion, s: &Setup) {
    call_on_new_instance(c, s, "runtime/cw20_balance", EntryPoint::Query, &s.balance);
}

fn cw20_transfer_reused(c: &mut Criterion, s: &Setup) {
    let mut group = c.benchmark_group("runtime/cw20_transfer_reused");
    // The diagnostic runs the contract compiled without the stack limiter.
    let unlimited = CompileConfig {
        stack_limit_bytes: None,
        ..s.config.clone()
    };
    let (unlimited, _, _) = compile(&s.wasm, &unlimited).expect("compiles");
    for (name, module) in [("ours", &s.held), ("ours_no_stack_limit", &unlimited)] {
        group.bench_function(name, |b| {
            let mut instance =
                ContractInstance::new(module, &instance_options()).expect("instance");
            b.iter_custom(|iters| {
                time_each(
                    iters,
                    &mut instance,
                    |_| our_backend(s.state.clone(), EntryPoint::Execute),
                    |instance, backend| {
                        let info = Some(s.info.as_slice());
                        instance.call(EntryPoint::Execute, &s.env, info, &s.transfer, backend)
                    },
                )
            })
        });
    }
    group.bench_function("cosmwasm_vm", |b| {
        let mut instance = s.vm_instance(VmInstanceOptions {
            gas_limit: REUSED_GAS_LIMIT,
        });
        b.iter_custom(|iters| {
            time_each(
                iters,
                &mut instance,
                |instance| {
                    instance
                        .with_storage(|storage| {
                            storage.0 = s.state.clone();
                            Ok(())
                        })
                        .expect("storage");
                },
                |instance, ()| {
                    call_execute_raw(instance, &s.env, &s.info, &s.transfer).expect("runs")
                },
            )
        })
    });
    group.finish();
}

/// `CW_PAIRED_ROUNDS=N`: N rounds, each timing one cw20 transfer four
/// ways back to back (a pooled instance, a pooled instance of the tiered-up
/// Cranelift module, cosmwasm-vm's new instance, our new instance); prints
/// the medians and the ratios. Each round's calls see the same machine
/// load, so on a noisy machine these ratios are steadier than criterion
/// medians taken minutes apart.
///
/// Each timed call follows an untimed call of the same way, so it starts
/// from what a stream of such calls leaves behind (caches, TLB), not from
/// what the previous way left: a new instance's teardown unmaps memory and
/// flushes the TLB, which the pooled path itself never does.
fn paired_transfers(s: &Setup, rounds: usize) -> Vec<PairedRow> {
    const WARM_UP: usize = 200;
    let pool = InstancePool::new(instance_options(), PoolLimits::default());
    let info = Some(s.info.as_slice());
    let mut times: [Vec<f64>; 4] = Default::default();
    for round in 0..WARM_UP + rounds {
        let mut pooled_times = [Duration::ZERO; 2];
        for (cache, time) in [&s.ours, &s.tiered].into_iter().zip(&mut pooled_times) {
            *time = timed_after_one_untimed(|| {
                let backend = our_backend(s.state.clone(), EntryPoint::Execute);
                let started = Instant::now();
                let mut pooled = s.pooled_from(cache, &pool);
                let (result, _) =
                    pooled.call(EntryPoint::Execute, &s.env, info, &s.transfer, backend);
                drop(pooled);
                let time = started.elapsed();
                result.expect("no node fault").expect("transfers");
                time
            });
        }

        let vm_time = timed_after_one_untimed(|| {
            let backend = vm_backend(s.state.clone());
            let started = Instant::now();
            let mut instance = s
                .theirs
                .get_instance(&s.checksum, backend, vm_options())
                .expect("instance");
            call_execute_raw(&mut instance, &s.env, &s.info, &s.transfer).expect("runs");
            drop(instance);
            started.elapsed()
        });

        let new_time = timed_after_one_untimed(|| {
            let backend = our_backend(s.state.clone(), EntryPoint::Execute);
            let started = Instant::now();
            let (result, _) = s.our_instance(Lookup::ByCode).call(
                EntryPoint::Execute,
                &s.env,
                info,
                &s.transfer,
                backend,
            );
            let time = started.elapsed();
            result.expect("no node fault").expect("transfers");
            time
        });

        if round >= WARM_UP {
            let [pooled, tiered] = pooled_times;
            for (list, time) in times.iter_mut().zip([pooled, tiered, vm_time, new_time]) {
                list.push(time.as_secs_f64() * 1e6);
            }
        }
    }
    let vm_times = times[2].clone();
    let row = |what: &'static str, ours: &[f64]| {
        let ratios: Vec<f64> = vm_times.iter().zip(ours).map(|(v, o)| v / o).collect();
        PairedRow {
            what,
            rounds,
            unit: "µs",
            ours: median(ours.to_vec()),
            theirs: median(vm_times.clone()),
            round_ratio: median(ratios),
        }
    };
    vec![
        row("cw20 transfer, pooled instance (Singlepass)", &times[0]),
        row(
            "cw20 transfer, pooled instance of the tiered-up (Cranelift) module",
            &times[1],
        ),
        row("cw20 transfer, new instance", &times[3]),
    ]
}

/// Runs `call` twice and returns the second call's time (see
/// [`paired_transfers`]).
fn timed_after_one_untimed(mut call: impl FnMut() -> Duration) -> Duration {
    call();
    call()
}

/// One paired measurement: medians of ours and cosmwasm-vm's times over
/// the same rounds, and the median of the per-round ratios.
struct PairedRow {
    what: &'static str,
    rounds: usize,
    unit: &'static str,
    ours: f64,
    theirs: f64,
    /// The median over rounds of cosmwasm-vm's time / ours.
    round_ratio: f64,
}

impl PairedRow {
    /// What `CW_PAIRED_JSON` holds for this row (read by xtask's report).
    fn to_json(&self) -> serde_json::Value {
        json!({
            "what": self.what,
            "rounds": self.rounds,
            "unit": self.unit,
            "ours": self.ours,
            "theirs": self.theirs,
            "round_ratio": self.round_ratio,
        })
    }

    fn print(&self) {
        println!(
            "paired {} ({} rounds): ours {:.2} {unit}, cosmwasm_vm {:.2} {unit}; cosmwasm_vm / \
ours {:.2}× (median of round ratios {:.2}×)",
            self.what,
            self.rounds,
            self.ours,
            self.theirs,
            self.theirs / self.ours,
            self.round_ratio,
            unit = self.unit,
        );
    }
}

fn median(mut list: Vec<f64>) -> f64 {
    list.sort_unstable_by(f64::total_cmp);
    list.get(list.len() / 2).copied().unwrap_or(f64::NAN)
}

/// `rounds` paired timings of `ours` and `theirs` (after two warm-up
/// rounds), run back to back in alternating order so neither always
/// follows the other.
fn paired(
    what: &'static str,
    rounds: usize,
    mut ours: impl FnMut(),
    mut theirs: impl FnMut(),
) -> PairedRow {
    let mut times: [Vec<f64>; 3] = Default::default();
    for round in 0..rounds + 2 {
        let time = |f: &mut dyn FnMut()| {
            let started = Instant::now();
            f();
            started.elapsed().as_secs_f64() * 1e3
        };
        let (a, b) = if round % 2 == 0 {
            let a = time(&mut ours);
            (a, time(&mut theirs))
        } else {
            let b = time(&mut theirs);
            (time(&mut ours), b)
        };
        // The first two rounds warm up.
        if round >= 2 {
            times[0].push(a);
            times[1].push(b);
            times[2].push(b / a);
        }
    }
    let [ours, theirs, round_ratio] = times.map(median);
    PairedRow {
        what,
        rounds,
        unit: "ms",
        ours,
        theirs,
        round_ratio,
    }
}

/// `rounds` rounds compiling cw20-base on our side and on cosmwasm-vm's,
/// as `runtime/compile_cw20` does, and ten times as many validating it
/// (`validate` against `check_wasm`).
fn paired_compiles(s: &Setup, rounds: usize) -> Vec<PairedRow> {
    let capabilities = capabilities_from_csv(&validate::DEFAULT_CAPABILITIES.join(","));
    let limits = WasmLimits::default();
    let check = || check_wasm(black_box(&s.wasm), &capabilities, &limits, Logger::Off);
    let compiles = paired(
        "cw20-base compile",
        rounds,
        || {
            black_box(compile(black_box(&s.wasm), &s.config).expect("compiles"));
        },
        || {
            check().expect("valid");
            let (module, engine) = compile_module(&s.wasm, None).expect("compiles");
            let checksum = VmChecksum::generate(&s.wasm);
            black_box((module.serialize().expect("serializes"), engine, checksum));
        },
    );
    let validations = paired(
        "cw20-base static validation",
        rounds * 10,
        || {
            black_box(validate(black_box(&s.wasm), &s.config.validation).expect("valid"));
        },
        || check().expect("valid"),
    );
    vec![compiles, validations]
}

/// The setup's assertions, without timing anything: cw20-base's transfer
/// and balance query give the same bytes and gas here and on cosmwasm-vm
/// (also from the tiered-up Cranelift module), and both caches hold it in
/// memory. `benches/tests/setup.rs` runs this in `cargo test`.
#[allow(dead_code, reason = "run by benches/tests/setup.rs, not by the bench")]
pub(crate) fn setup_checks() {
    Setup::new();
}

fn runtime(c: &mut Criterion) {
    let setup = Setup::new();
    if let Some(rounds) = std::env::var("CW_PAIRED_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        let mut rows = paired_transfers(&setup, rounds);
        rows.extend(paired_compiles(&setup, (rounds / 100).max(10)));
        for row in &rows {
            row.print();
        }
        if let Ok(path) = std::env::var("CW_PAIRED_JSON") {
            let rows: Vec<_> = rows.iter().map(PairedRow::to_json).collect();
            let json = serde_json::to_vec_pretty(&rows).expect("rows serialize");
            std::fs::write(&path, json).expect("writes CW_PAIRED_JSON");
        }
        return;
    }
    compile_cw20(c, &setup);
    instance_from_memory_cache(c, &setup);
    cw20_transfer(c, &setup);
    cw20_balance(c, &setup);
    cw20_transfer_reused(c, &setup);
}

criterion_group!(benches, runtime);
criterion_main!(benches);
