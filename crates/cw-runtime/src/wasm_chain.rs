//! The chain with the Wasm engine: [`ChainBuilder`] makes a
//! [`cw_chain::Chain`] whose Wasm code is compiled into a
//! [`ModuleCache`] and run on pooled instances ([`WasmFactory`], this
//! crate's side of cw-chain's [`ContractFactory`] seam).

use std::sync::Arc;

use cosmwasm_std::DenomMetadata;
use cw_chain::{
    BlockState, Chain, ChainError, ChainState, ContractFactory, DebugFactory, LoadError,
    LoadedCode, MessageHandler, NativeFactory,
};
use cw_gas::{CostTable, CwGas};
use cw_host::{Api, Contract, HostLimits};
use cw_validate::ValidationConfig;

use crate::cache::{ModuleCache, TierUp};
use crate::compile::{Checksum, CompileConfig, CompiledModule};
use crate::error::RuntimeError;
use crate::instance::{InstanceOptions, InstancePool, PoolLimits, WasmContract};

/// The chain's Wasm [`ContractFactory`]: compiles code through a module
/// cache; every call of a loaded code runs on an instance of the shared
/// pool, reset to its instantiated state.
pub struct WasmFactory<T: CostTable> {
    cache: Arc<ModuleCache<T>>,
    pool: Arc<InstancePool<T>>,
}

impl<T: CostTable> WasmFactory<T> {
    /// A factory compiling into `cache` and running on `pool`.
    #[must_use]
    pub fn new(cache: Arc<ModuleCache<T>>, pool: Arc<InstancePool<T>>) -> Self {
        Self { cache, pool }
    }
}

impl<T: CostTable> std::fmt::Debug for WasmFactory<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasmFactory").finish_non_exhaustive()
    }
}

/// A compiled module and the pool its calls run on.
struct WasmCode<T: CostTable> {
    /// The module compiled when the code was stored (Singlepass).
    module: CompiledModule,
    pool: Arc<InstancePool<T>>,
    /// With tier-up on: the cache and the code, so that every call runs the
    /// fastest module the cache holds for it (a Cranelift build once the
    /// code is hot) and counts as a use towards tier-up. Same results and
    /// gas on either module (`tests/it/tiers.rs`).
    tiering: Option<Tiering<T>>,
}

/// What a call needs to ask the cache for the fastest module of the code.
struct Tiering<T: CostTable> {
    cache: Arc<ModuleCache<T>>,
    wasm: Arc<[u8]>,
}

impl<T: CostTable> LoadedCode<T> for WasmCode<T> {
    fn contract(&self) -> Box<dyn Contract<T>> {
        let module = match &self.tiering {
            // A cache that cannot answer (a disk error) leaves the stored
            // module in use: the same results and gas, only slower code.
            Some(Tiering { cache, wasm }) => cache
                .get_known(self.module.checksum, wasm)
                .map_or_else(|_| self.module.clone(), |(module, _)| module),
            None => self.module.clone(),
        };
        Box::new(WasmContract::pooled(module, Arc::clone(&self.pool)))
    }
}

impl<T: CostTable> ContractFactory<T> for WasmFactory<T> {
    // The code is hashed again (`ModuleCache::get`) rather than trusting
    // `_checksum`: a checksum read back from a state is not proof of the bytes.
    fn load(&self, _checksum: &Checksum, wasm: &[u8]) -> Result<Arc<dyn LoadedCode<T>>, LoadError> {
        let (module, _) = self
            .cache
            .get(wasm)
            .map_err(|e| LoadError::Engine(Box::new(e)))?;
        let tiering = self.cache.tiers_up().then(|| Tiering {
            cache: Arc::clone(&self.cache),
            wasm: Arc::from(wasm),
        });
        Ok(Arc::new(WasmCode {
            module,
            pool: Arc::clone(&self.pool),
            tiering,
        }))
    }
}

/// Settings of a [`Chain`] that runs Wasm: cw-chain's
/// [`ChainBuilder`](cw_chain::ChainBuilder) and the engine's (module
/// cache, instance options and pool, tier-up). Every setting of cw-chain's
/// builder is here under the same name.
pub struct ChainBuilder<T: CostTable> {
    chain: cw_chain::ChainBuilder<T>,
    table: T,
    validation: ValidationConfig,
    /// `None`: [`build`](Self::build) makes the default cache.
    cache: Option<Arc<ModuleCache<T>>>,
    instance: InstanceOptions,
    pool_limits: PoolLimits,
    tier_up: Option<TierUp>,
}

impl<T: CostTable> ChainBuilder<T> {
    /// A chain charging `table`, with the defaults of
    /// [`cw_chain::ChainBuilder::new`], a module cache of 256 MiB with the
    /// deterministic stack limit made at [`build`](Self::build), the default
    /// instance options and pool limits, and no tier-up.
    #[must_use]
    pub fn new(table: T) -> Self {
        Self {
            chain: cw_chain::ChainBuilder::new(table.clone()),
            table,
            validation: ValidationConfig::default(),
            cache: None,
            instance: InstanceOptions::default(),
            pool_limits: PoolLimits::default(),
            tier_up: None,
        }
    }

    fn map(
        mut self,
        f: impl FnOnce(cw_chain::ChainBuilder<T>) -> cw_chain::ChainBuilder<T>,
    ) -> Self {
        self.chain = f(self.chain);
        self
    }

    /// As [`cw_chain::ChainBuilder::api`].
    #[must_use]
    pub fn api(self, api: Arc<dyn Api + Send + Sync>) -> Self {
        self.map(|c| c.api(api))
    }

    /// As [`cw_chain::ChainBuilder::bech32_prefix`].
    #[must_use]
    pub fn bech32_prefix(self, prefix: &str) -> Self {
        self.map(|c| c.bech32_prefix(prefix))
    }

    /// As [`cw_chain::ChainBuilder::denom_metadata`].
    #[must_use]
    pub fn denom_metadata(self, metadata: DenomMetadata) -> Self {
        self.map(|c| c.denom_metadata(metadata))
    }

    /// As [`cw_chain::ChainBuilder::block`].
    #[must_use]
    pub fn block(self, block: BlockState) -> Self {
        self.map(|c| c.block(block))
    }

    /// As [`cw_chain::ChainBuilder::tx_gas_limit`].
    #[must_use]
    pub fn tx_gas_limit(self, limit: CwGas) -> Self {
        self.map(|c| c.tx_gas_limit(limit))
    }

    /// As [`cw_chain::ChainBuilder::max_call_depth`].
    #[must_use]
    pub fn max_call_depth(self, depth: u32) -> Self {
        self.map(|c| c.max_call_depth(depth))
    }

    /// As [`cw_chain::ChainBuilder::host_limits`].
    #[must_use]
    pub fn host_limits(self, limits: HostLimits) -> Self {
        self.map(|c| c.host_limits(limits))
    }

    /// As [`cw_chain::ChainBuilder::debug`].
    #[must_use]
    pub fn debug(self, factory: DebugFactory) -> Self {
        self.map(|c| c.debug(factory))
    }

    /// As [`cw_chain::ChainBuilder::native`].
    #[must_use]
    pub fn native(self, checksum: Checksum, factory: Arc<dyn NativeFactory<T>>) -> Self {
        self.map(|c| c.native(checksum, factory))
    }

    /// Registers every verified build in `builds` (checksum → emulator), so
    /// code with one of those checksums may run natively in
    /// [`ExecutionMode::Native`](cw_chain::ExecutionMode::Native) or `Auto`.
    #[cfg(feature = "native")]
    #[must_use]
    pub fn verified_natives(self, builds: &cw_fallback::VerifiedBuilds) -> Self {
        self.map(|c| cw_fallback::VerifiedNatives::verified_natives(c, builds))
    }

    /// As [`cw_chain::ChainBuilder::message_handler`].
    #[must_use]
    pub fn message_handler(self, handler: Arc<dyn MessageHandler>) -> Self {
        self.map(|c| c.message_handler(handler))
    }

    /// As [`cw_chain::ChainBuilder::state`].
    #[must_use]
    pub fn state(self, state: Box<dyn ChainState>) -> Self {
        self.map(|c| c.state(state))
    }

    /// Static validation rules for stored code (also the default module
    /// cache's).
    #[must_use]
    pub fn validation(mut self, validation: ValidationConfig) -> Self {
        self.validation = validation.clone();
        self.map(|c| c.validation(validation))
    }

    /// The module cache Wasm code compiles into (shared with other chains
    /// or kept on disk). Without one, the chain makes an in-memory cache of
    /// 256 MiB with the deterministic stack limit.
    #[must_use]
    pub fn module_cache(mut self, cache: Arc<ModuleCache<T>>) -> Self {
        self.cache = Some(cache);
        self
    }

    /// Per-instance settings (memory limit).
    #[must_use]
    pub fn instance_options(mut self, options: InstanceOptions) -> Self {
        self.instance = options;
        self
    }

    /// How many idle instances the chain keeps for reuse (each call runs
    /// on an instance reset to its instantiated state; see
    /// [`InstancePool`]).
    #[must_use]
    pub fn instance_pool(mut self, limits: PoolLimits) -> Self {
        self.pool_limits = limits;
        self
    }

    /// Recompiles often-called code with Cranelift in the background (see
    /// [`TierUp`]) in the module cache this chain makes; a cache given with
    /// [`module_cache`](Self::module_cache) keeps its own setting. Off by
    /// default.
    #[must_use]
    pub fn tier_up(mut self, tier_up: TierUp) -> Self {
        self.tier_up = Some(tier_up);
        self
    }

    /// The chain, with no code and no contracts (or those of the state
    /// given with [`state`](Self::state)).
    ///
    /// # Errors
    /// [`ChainError::Backend`] if the default module cache cannot be made;
    /// as [`cw_chain::ChainBuilder::build`].
    pub fn build(self) -> Result<Chain<T>, ChainError> {
        let cache = match self.cache {
            Some(cache) => cache,
            None => {
                let config = CompileConfig {
                    table: self.table,
                    stack_limit_bytes: Some(cw_gas::middleware::DEFAULT_STACK_LIMIT_BYTES),
                    validation: self.validation,
                };
                let backend = |e: RuntimeError| ChainError::Backend {
                    message: e.to_string(),
                };
                let mut cache = ModuleCache::new(config, 256 << 20, None).map_err(backend)?;
                if let Some(tier_up) = self.tier_up {
                    cache = cache.with_tier_up(tier_up).map_err(backend)?;
                }
                Arc::new(cache)
            }
        };
        let pool = Arc::new(InstancePool::new(self.instance, self.pool_limits));
        self.chain
            .wasm_factory(Arc::new(WasmFactory::new(cache, pool)))
            .build()
    }
}
