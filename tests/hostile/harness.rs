//! The one way a hostile case runs a contract: a module cache, a contract
//! over it, a shared store, and the checks every case repeats (same failure
//! and gas on every run, storage untouched, cache intact, next call works).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use cosmwasm_std::testing::{message_info, mock_env};
use cosmwasm_std::{Addr, to_json_vec};
use cw_gas::{CosmWasmSchedule, CwGas, GasMeter};
use cw_host::testing::MockQuerier;
use cw_host::{
    Bech32Api, CallBackend, CallInput, CallResult, CallState, Contract, EntryPoint, Querier,
    Storage, TracingDebugHandler, VmFailure,
};
use cw_runtime::{
    CacheMetrics, CacheTier, CompileConfig, CompiledModule, InstanceOptions, ModuleCache,
    ValidationConfig, WasmContract,
};

/// The schedule every case runs with: cosmwasm-vm 3.0.11's prices with
/// wasmd's storage prices (not the free storage of the differential tests),
/// so that storage abuse pays what it would on a chain.
pub(crate) type Schedule = CosmWasmSchedule;

/// The gas limit of every call unless a case says otherwise: wasmd's default
/// smart-query gas limit, 3,000,000 SDK gas (`DefaultSmartQueryGasLimit`,
/// x/wasm/types) × `DefaultGasMultiplier` 140,000 = 4.2 × 10^11 CosmWasm gas,
/// 0.42 s of the 10^12 gas/s target. Queries are the calls a node serves for
/// free, so this is the limit an attacker gets without paying.
pub(crate) const GAS_LIMIT: u64 = 3_000_000 * 140_000;

/// The memory LRU of every case's cache: large enough for any module here.
const CACHE_BYTES: usize = 256 << 20;

/// The compile configuration of every case: default prices, the default
/// deterministic stack limit, the chain's validation rules.
pub(crate) fn compile_config() -> CompileConfig<Schedule> {
    CompileConfig {
        table: Schedule::default(),
        stack_limit_bytes: Some(cw_gas::middleware::DEFAULT_STACK_LIMIT_BYTES),
        validation: ValidationConfig::default(),
    }
}

/// A store both the test and the contract see.
pub(crate) type Map = cw_host::testing::SharedStorage;

/// Everything in `map`, sorted by key.
pub(crate) fn dump(map: &Map) -> BTreeMap<Vec<u8>, Vec<u8>> {
    map.dump()
}

/// Stores `value` at `key`.
pub(crate) fn put(map: &Map, key: &[u8], value: &[u8]) {
    map.put(key, value);
}

/// cosmwasm-std's `mock_env()` as JSON.
pub(crate) fn env_bytes() -> Vec<u8> {
    to_json_vec(&mock_env()).unwrap()
}

/// A `MessageInfo` without funds, as JSON.
pub(crate) fn info_bytes() -> Vec<u8> {
    to_json_vec(&message_info(&Addr::unchecked("cosmwasm1sender"), &[])).unwrap()
}

/// A backend over `map` for `entry`, with `gas_limit` and `querier`.
pub(crate) fn backend_with(
    entry: EntryPoint,
    map: &Map,
    gas_limit: u64,
    querier: Box<dyn Querier + Send>,
) -> CallBackend<Schedule> {
    CallBackend {
        storage: Box::new(map.clone()),
        api: Arc::new(Bech32Api::default()),
        querier,
        gas: GasMeter::new(Schedule::default(), CwGas::new(gas_limit)),
        call: CallState::for_entry_point(entry),
        debug: Box::new(TracingDebugHandler),
    }
}

/// What one call gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Outcome {
    /// Result bytes or the failure.
    pub result: CallResult,
    /// CosmWasm gas the call used.
    pub gas_used: u64,
}

/// Runs `entry` with `msg` on `contract` against `backend`; returns the
/// outcome and the wall time.
pub(crate) fn call_contract(
    contract: &mut dyn Contract<Schedule>,
    entry: EntryPoint,
    msg: &[u8],
    backend: CallBackend<Schedule>,
) -> (Outcome, Duration) {
    let env = env_bytes();
    let info = info_bytes();
    let info =
        matches!(entry, EntryPoint::Execute | EntryPoint::Instantiate).then_some(info.as_slice());
    let input = CallInput {
        entry,
        env: &env,
        info,
        msg,
    };
    let started = Instant::now();
    let (outcome, backend) = contract.call(input, backend);
    let elapsed = started.elapsed();
    // Every hostile case is the contract's doing: a node fault is a bug.
    let result = outcome.unwrap_or_else(|fault| panic!("node fault: {fault}"));
    let gas_used = backend.gas.used().as_u64();
    let limit = backend.gas.limit().as_u64();
    assert!(gas_used <= limit, "used {gas_used} gas of a {limit} limit");
    (Outcome { result, gas_used }, elapsed)
}

/// How a case checks that the contract still works after the hostile call.
enum NormalCall {
    /// The probe: `execute` writes a marker key, which must then be stored.
    ProbeWrite,
    /// A generated module: `query` with `{}` returns exactly these bytes.
    Query(Vec<u8>),
}

/// One contract under attack: its code in a fresh module cache, one
/// [`WasmContract`] over it (which runs every call on a fresh instance, as a
/// chain does; `determinism.rs` checks that), and a store. The normal call
/// after a hostile one goes through the same `WasmContract`.
pub(crate) struct Hostile {
    code: Arc<Vec<u8>>,
    cache: ModuleCache<Schedule>,
    metrics: CacheMetrics,
    module: CompiledModule,
    contract: WasmContract<Schedule>,
    normal: NormalCall,
    /// The contract's storage.
    pub store: Map,
}

/// The probe's code, read once.
pub(crate) fn probe_code() -> Arc<Vec<u8>> {
    static CODE: OnceLock<Arc<Vec<u8>>> = OnceLock::new();
    CODE.get_or_init(|| Arc::new(tests::fixture_bytes("probe")))
        .clone()
}

/// A disk cache folder holding the probe's artifact, compiled once per test
/// process, so each case loads it (milliseconds) instead of compiling it
/// (the slowest step of a debug build). The folder is per process and is
/// removed at the next run.
fn probe_disk_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
        // Folders of earlier runs whose process is gone.
        for entry in std::fs::read_dir(base).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(pid) = name.strip_prefix("hostile-probe-cache-")
                && !Path::new("/proc").join(pid).exists()
            {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let dir = base.join(format!("hostile-probe-cache-{}", std::process::id()));
        let cache = ModuleCache::new(compile_config(), CACHE_BYTES, Some(&dir)).unwrap();
        let (_, tier) = cache.get(&probe_code()).unwrap();
        assert_eq!(tier, CacheTier::Compiled);
        dir
    })
}

impl Hostile {
    /// The probe, loaded from the process's disk cache into a fresh cache.
    pub(crate) fn probe() -> Self {
        Self::probe_with(InstanceOptions::default())
    }

    /// The probe with other instance options.
    pub(crate) fn probe_with(options: InstanceOptions) -> Self {
        let cache =
            ModuleCache::new(compile_config(), CACHE_BYTES, Some(probe_disk_dir())).unwrap();
        Self::load(
            cache,
            probe_code(),
            options,
            NormalCall::ProbeWrite,
            CacheTier::Disk,
        )
    }

    /// A generated module, compiled into a fresh memory-only cache; its
    /// `query` answers `{}` with `normal_query_result`.
    pub(crate) fn wat(code: Vec<u8>, normal_query_result: &[u8]) -> Self {
        Self::wat_with(code, normal_query_result, InstanceOptions::default())
    }

    /// A generated module with other instance options.
    pub(crate) fn wat_with(
        code: Vec<u8>,
        normal_query_result: &[u8],
        options: InstanceOptions,
    ) -> Self {
        let cache = ModuleCache::new(compile_config(), CACHE_BYTES, None).unwrap();
        let normal = NormalCall::Query(normal_query_result.to_vec());
        Self::load(cache, Arc::new(code), options, normal, CacheTier::Compiled)
    }

    fn load(
        cache: ModuleCache<Schedule>,
        code: Arc<Vec<u8>>,
        options: InstanceOptions,
        normal: NormalCall,
        expected_tier: CacheTier,
    ) -> Self {
        let (module, tier) = cache.get(&code).unwrap();
        assert_eq!(tier, expected_tier);
        let metrics = cache.metrics();
        Self {
            code,
            contract: WasmContract::new(module.clone(), options),
            cache,
            metrics,
            module,
            normal,
            store: Map::default(),
        }
    }

    /// The case's module cache.
    pub(crate) fn cache(&self) -> &ModuleCache<Schedule> {
        &self.cache
    }

    /// The compiled module (to build a second contract over it).
    pub(crate) fn module(&self) -> &CompiledModule {
        &self.module
    }

    /// A backend over this case's store with the default limit and an
    /// unprogrammed querier.
    pub(crate) fn backend(&self, entry: EntryPoint) -> CallBackend<Schedule> {
        self.backend_limited(entry, GAS_LIMIT)
    }

    /// A backend over this case's store with `gas_limit`.
    pub(crate) fn backend_limited(
        &self,
        entry: EntryPoint,
        gas_limit: u64,
    ) -> CallBackend<Schedule> {
        backend_with(entry, &self.store, gas_limit, Box::new(MockQuerier::new()))
    }

    /// One call with the default backend.
    pub(crate) fn call(&mut self, entry: EntryPoint, msg: &[u8]) -> Outcome {
        let backend = self.backend(entry);
        self.call_with(entry, msg, backend).0
    }

    /// One call against `backend`; also returns the wall time.
    pub(crate) fn call_with(
        &mut self,
        entry: EntryPoint,
        msg: &[u8],
        backend: CallBackend<Schedule>,
    ) -> (Outcome, Duration) {
        call_contract(&mut self.contract, entry, msg, backend)
    }

    /// Runs the hostile call `runs` times from the same state with fresh
    /// default backends; every run must fail with exactly `expected`, at the
    /// same gas, leaving storage byte for byte as it was. Then checks the
    /// cache and a normal call ([`Self::assert_recovers`]). Returns the gas.
    pub(crate) fn assert_fails(
        &mut self,
        entry: EntryPoint,
        msg: &[u8],
        expected: &VmFailure,
        runs: usize,
    ) -> u64 {
        let gas = self.assert_fails_with(entry, msg, expected, runs, |h| h.backend(entry));
        self.assert_recovers();
        gas
    }

    /// [`Self::assert_fails`] without the final recovery check, with a
    /// backend made by `backend` for each run.
    pub(crate) fn assert_fails_with(
        &mut self,
        entry: EntryPoint,
        msg: &[u8],
        expected: &VmFailure,
        runs: usize,
        mut backend: impl FnMut(&Self) -> CallBackend<Schedule>,
    ) -> u64 {
        let before = dump(&self.store);
        let mut first_gas = None;
        for run in 0..runs {
            let b = backend(self);
            let (outcome, _) = self.call_with(entry, msg, b);
            assert_eq!(outcome.result.as_ref(), Err(expected), "run {run}");
            assert_eq!(dump(&self.store), before, "run {run} changed storage");
            match first_gas {
                None => first_gas = Some(outcome.gas_used),
                Some(gas) => assert_eq!(outcome.gas_used, gas, "run {run}: gas differs"),
            }
        }
        first_gas.expect("at least one run")
    }

    /// The cache still serves the same module from memory (one more memory
    /// hit, nothing else changed: no eviction, recompile or discard), and a
    /// normal call on the same contract works.
    pub(crate) fn assert_recovers(&mut self) {
        let (module, tier) = self.cache.get(&self.code).unwrap();
        assert_eq!(tier, CacheTier::Memory, "the module left the memory cache");
        assert_eq!(module.checksum, self.module.checksum);
        let expected = CacheMetrics {
            hits_memory: self.metrics.hits_memory + 1,
            ..self.metrics.clone()
        };
        assert_eq!(self.cache.metrics(), expected);
        self.metrics = expected;
        match &self.normal {
            NormalCall::ProbeWrite => {
                let key = b"hostile/normal";
                let outcome = self.call(
                    EntryPoint::Execute,
                    br#"{"write":{"key":"aG9zdGlsZS9ub3JtYWw=","value":"b2s="}}"#,
                );
                let bytes = outcome.result.expect("a normal call after the hostile one");
                assert!(
                    bytes.starts_with(br#"{"ok":"#),
                    "{}",
                    String::from_utf8_lossy(&bytes)
                );
                assert_eq!(
                    self.store.lock().get(key).unwrap().as_deref(),
                    Some(b"ok".as_slice())
                );
                self.store.lock().remove(key).unwrap();
            }
            NormalCall::Query(expected) => {
                let expected = expected.clone();
                let outcome = self.call(EntryPoint::Query, b"{}");
                assert_eq!(
                    outcome.result,
                    Ok(expected),
                    "a normal query after the hostile call"
                );
            }
        }
    }
}

/// CPU time the calling thread has used (`/proc/thread-self/schedstat`,
/// first field, in nanoseconds): unlike wall time, it does not grow when
/// other processes compete for the cores.
pub(crate) fn thread_cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap();
    Duration::from_nanos(stat.split_whitespace().next().unwrap().parse().unwrap())
}

/// Prints one line of the table in docs/RELIABILITY.md (run with
/// `--nocapture` to see them).
pub(crate) fn report(item: u32, case: &str, outcome: &str, gas_used: u64) {
    println!("HOSTILE | {item} | {case} | {outcome} | {gas_used} |");
}
