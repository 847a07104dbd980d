//! The process-wide engine: one module cache and one instance pool for
//! every [`WasmCode`](crate::WasmCode) of the process, so a test suite of
//! hundreds of tests validates and compiles each contract once.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use cw_gas::CosmWasmSchedule;
use cw_runtime::{
    Checksum, CompileConfig, CompiledModule, InstanceOptions, InstancePool, ModuleCache,
    ModuleInfo, PoolLimits, RuntimeError, ValidationConfig,
};

use crate::error::WasmCodeError;

/// Bytes of compiled modules kept in memory: the chain's default cache
/// size (`ChainBuilder::build`), about thirty cw20-sized artifacts (8 MB
/// each for 388 KB of Wasm).
const MEMORY_CACHE_BYTES: usize = 256 << 20;

/// The environment variable naming a folder where compiled modules are
/// kept between processes (`cargo test` runs one per test binary); unset,
/// they are kept in memory only.
pub const CACHE_DIR_VAR: &str = "CW_MULTITEST_CACHE_DIR";

/// The gas schedule every call is charged with: cosmwasm-vm 3.0's prices,
/// storage priced as wasmd's KV store (the chain's default).
pub(crate) fn schedule() -> CosmWasmSchedule {
    CosmWasmSchedule::default()
}

/// The static validation rules: the chain's defaults (cosmwasm-vm 3.0 and
/// wasmd's upload limit).
pub(crate) fn validation() -> ValidationConfig {
    ValidationConfig::default()
}

/// One code's validation result, behind the lock its loaders take turns on.
type LoadSlot = Mutex<Option<Arc<ModuleInfo>>>;

pub(crate) struct Engine {
    cache: ModuleCache<CosmWasmSchedule>,
    pub(crate) pool: Arc<InstancePool<CosmWasmSchedule>>,
    /// A lock per checksum, so two threads loading one code validate and
    /// compile it once, and the validation result of each code.
    loaded: Mutex<BTreeMap<Checksum, Arc<LoadSlot>>>,
}

static ENGINE: OnceLock<Result<Engine, String>> = OnceLock::new();

/// The process's engine.
pub(crate) fn engine() -> Result<&'static Engine, WasmCodeError> {
    ENGINE
        .get_or_init(|| {
            let config = CompileConfig {
                table: schedule(),
                stack_limit_bytes: Some(cw_gas::middleware::DEFAULT_STACK_LIMIT_BYTES),
                validation: validation(),
            };
            // Across processes (each test binary is one), compiled modules
            // are kept on disk when the user names a folder: the runtime's
            // disk cache, whose artifacts only this user can have written.
            let disk = std::env::var_os(CACHE_DIR_VAR).map(std::path::PathBuf::from);
            let cache = ModuleCache::new(config, MEMORY_CACHE_BYTES, disk.as_deref())
                .map_err(|e| format!("{CACHE_DIR_VAR}: {e}"))?;
            Ok(Engine {
                cache,
                pool: Arc::new(InstancePool::new(
                    InstanceOptions::default(),
                    PoolLimits::default(),
                )),
                loaded: Mutex::new(BTreeMap::new()),
            })
        })
        .as_ref()
        .map_err(|message| {
            WasmCodeError::Compile(RuntimeError::Engine {
                message: message.clone(),
            })
        })
}

impl Engine {
    /// The validated, compiled module of `wasm`: validated the first time
    /// the process sees the code (the typed error of a refusal), compiled
    /// on a cache miss.
    pub(crate) fn load(
        &self,
        wasm: &[u8],
    ) -> Result<(CompiledModule, Arc<ModuleInfo>), WasmCodeError> {
        let checksum = Checksum::of(wasm);
        let slot = {
            let mut loaded = self.loaded.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(loaded.entry(checksum).or_default())
        };
        // Held across validation and compile: a second thread loading the
        // same code waits and then finds it done.
        let mut validated = slot.lock().unwrap_or_else(PoisonError::into_inner);
        let info = if let Some(known) = validated.as_ref() {
            Arc::clone(known)
        } else {
            let info = Arc::new(cw_runtime::validate(wasm, &validation())?);
            *validated = Some(Arc::clone(&info));
            info
        };
        let module = match self
            .cache
            .get_by_checksum(&checksum)
            .map_err(WasmCodeError::Compile)?
        {
            Some((module, _tier)) => module,
            None => self.cache.get(wasm).map_err(WasmCodeError::Compile)?.0,
        };
        drop(validated);
        Ok((module, info))
    }

    /// Counters of the module cache: how many codes were compiled, how
    /// many loads were served from memory.
    pub(crate) fn cache_metrics(&self) -> cw_runtime::CacheMetrics {
        self.cache.metrics()
    }
}
