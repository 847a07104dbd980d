//! [`ChainBuilder`]: a chain's settings, from its cost table to its
//! genesis denomination metadata.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};

use cosmwasm_std::DenomMetadata;
use cw_gas::{CostTable, CwGas};
use cw_host::{Api, Bech32Api, DEFAULT_BECH32_PREFIX, HostLimits};

use super::core::{BlockState, DebugFactory, Shared};
use super::error::ChainError;
use super::messages::MessageHandler;
use super::runner::{Executor, NativeFactory, NativeRegistry};
use super::store::TxStore;
use super::tx_info::TxCounter;
use super::{Chain, DEFAULT_MAX_CALL_DEPTH, DEFAULT_TX_GAS_LIMIT};
use crate::validate::ValidationConfig;

/// Settings of a [`Chain`]; build one with [`ChainBuilder`].
pub struct ChainBuilder<T: CostTable + Clone> {
    table: T,
    api: Arc<dyn Api + Send + Sync>,
    account_prefix: Option<String>,
    denom_metadata: BTreeMap<String, DenomMetadata>,
    block: BlockState,
    tx_gas_limit: CwGas,
    max_call_depth: u32,
    limits: HostLimits,
    debug: DebugFactory,
    natives: NativeRegistry<T>,
    handler: Option<Arc<dyn MessageHandler>>,
    validation: ValidationConfig,
    #[cfg(feature = "engine")]
    cache: Option<Arc<crate::cache::ModuleCache<T>>>,
    #[cfg(feature = "engine")]
    instance: crate::instance::InstanceOptions,
    #[cfg(feature = "engine")]
    pool_limits: crate::instance::PoolLimits,
    #[cfg(feature = "engine")]
    tier_up: Option<crate::cache::TierUp>,
}

impl<T: CostTable + Clone + Send + Sync + 'static> ChainBuilder<T> {
    /// A chain charging `table`, with bech32 addresses prefixed `cosmwasm`,
    /// chain id `cw-chain`, height 1, time 1,700,000,000 s, the default gas
    /// and depth limits, the chain's host limits and `tracing` debug output.
    #[must_use]
    pub fn new(table: T) -> Self {
        Self {
            table,
            api: Arc::new(Bech32Api::default()),
            account_prefix: Some(DEFAULT_BECH32_PREFIX.to_owned()),
            denom_metadata: BTreeMap::new(),
            block: BlockState {
                height: 1,
                time_nanos: 1_700_000_000_000_000_000,
                chain_id: "cw-chain".into(),
            },
            tx_gas_limit: DEFAULT_TX_GAS_LIMIT,
            max_call_depth: DEFAULT_MAX_CALL_DEPTH,
            limits: HostLimits::default(),
            debug: super::core::tracing_debug(),
            natives: NativeRegistry::default(),
            handler: None,
            validation: ValidationConfig::default(),
            #[cfg(feature = "engine")]
            cache: None,
            #[cfg(feature = "engine")]
            instance: crate::instance::InstanceOptions::default(),
            #[cfg(feature = "engine")]
            pool_limits: crate::instance::PoolLimits::default(),
            #[cfg(feature = "engine")]
            tier_up: None,
        }
    }

    /// Addresses through `api` (bech32 with another prefix, NEAR accounts).
    /// The chain then knows no bech32 prefix, so a contract's `ibc2_port`
    /// keeps the whole address; [`bech32_prefix`](Self::bech32_prefix)
    /// sets both.
    #[must_use]
    pub fn api(mut self, api: Arc<dyn Api + Send + Sync>) -> Self {
        self.api = api;
        self.account_prefix = None;
        self
    }

    /// Bech32 addresses with `prefix`.
    #[must_use]
    pub fn bech32_prefix(mut self, prefix: &str) -> Self {
        self.api = Arc::new(Bech32Api::new(prefix));
        self.account_prefix = Some(prefix.to_owned());
        self
    }

    /// Bank metadata of a denomination (the bank module's genesis
    /// `denom_metadata`), answered to `BankQuery::DenomMetadata` and
    /// `AllDenomMetadata` under its `base` denomination. Without any, those
    /// queries find nothing, as on a chain whose genesis has none.
    #[must_use]
    pub fn denom_metadata(mut self, metadata: DenomMetadata) -> Self {
        self.denom_metadata.insert(metadata.base.clone(), metadata);
        self
    }

    /// The first block.
    #[must_use]
    pub fn block(mut self, block: BlockState) -> Self {
        self.block = block;
        self
    }

    /// The gas limit of each transaction, in CosmWasm gas.
    #[must_use]
    pub fn tx_gas_limit(mut self, limit: CwGas) -> Self {
        self.tx_gas_limit = limit;
        self
    }

    /// The depth limit of nested contract responses (wasmd's
    /// `maxCallDepth`, [`DEFAULT_MAX_CALL_DEPTH`] by default).
    #[must_use]
    pub fn max_call_depth(mut self, depth: u32) -> Self {
        self.max_call_depth = depth;
        self
    }

    /// Limits for every call's imports. `max_query_depth` is the depth of
    /// nested smart queries (wasmd's `maxQueryStackSize`); the chain's
    /// querier enforces it.
    #[must_use]
    pub fn host_limits(mut self, limits: HostLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Where each call's `debug` messages go.
    #[must_use]
    pub fn debug(mut self, factory: DebugFactory) -> Self {
        self.debug = factory;
        self
    }

    /// Registers a verified native build: code whose sha256 is `checksum`
    /// may run on `factory` in [`ExecutionMode::Native`] or `Auto`.
    #[must_use]
    pub fn native(mut self, checksum: [u8; 32], factory: Arc<dyn NativeFactory<T>>) -> Self {
        self.natives.insert(checksum, factory);
        self
    }

    /// Handles the messages the chain does not execute itself (staking,
    /// distribution, IBC, gov, `Any`, custom).
    #[must_use]
    pub fn message_handler(mut self, handler: Arc<dyn MessageHandler>) -> Self {
        self.handler = Some(handler);
        self
    }

    /// Static validation rules for stored code.
    #[must_use]
    pub fn validation(mut self, validation: ValidationConfig) -> Self {
        self.validation = validation;
        self
    }

    /// The module cache Wasm code compiles into (shared with other chains
    /// or kept on disk). Without one, the chain makes an in-memory cache of
    /// 256 MiB with the deterministic stack limit.
    #[cfg(feature = "engine")]
    #[must_use]
    pub fn module_cache(mut self, cache: Arc<crate::cache::ModuleCache<T>>) -> Self {
        self.cache = Some(cache);
        self
    }

    /// Per-instance settings (memory limit).
    #[cfg(feature = "engine")]
    #[must_use]
    pub fn instance_options(mut self, options: crate::instance::InstanceOptions) -> Self {
        self.instance = options;
        self
    }

    /// How many idle instances the chain keeps for reuse (each call runs
    /// on an instance reset to its instantiated state; see
    /// [`crate::instance::InstancePool`]).
    #[cfg(feature = "engine")]
    #[must_use]
    pub fn instance_pool(mut self, limits: crate::instance::PoolLimits) -> Self {
        self.pool_limits = limits;
        self
    }

    /// Recompiles often-called code with Cranelift in the background (see
    /// [`crate::cache::TierUp`]) in the module cache this chain makes; a
    /// cache given with [`module_cache`](Self::module_cache) keeps its own
    /// setting. Off by default.
    #[cfg(feature = "engine")]
    #[must_use]
    pub fn tier_up(mut self, tier_up: crate::cache::TierUp) -> Self {
        self.tier_up = Some(tier_up);
        self
    }

    /// The chain, with no code and no contracts.
    ///
    /// # Errors
    /// [`ChainError::Backend`] if the default module cache cannot be made.
    pub fn build(self) -> Result<Chain<T>, ChainError> {
        #[cfg(feature = "engine")]
        let cache = match self.cache {
            Some(cache) => Some(cache),
            None => {
                let config = crate::compile::CompileConfig {
                    table: self.table.clone(),
                    stack_limit_bytes: Some(cw_gas::middleware::DEFAULT_STACK_LIMIT_BYTES),
                    validation: self.validation.clone(),
                };
                let backend = |e: crate::error::RuntimeError| ChainError::Backend {
                    message: e.to_string(),
                };
                let mut cache =
                    crate::cache::ModuleCache::new(config, 256 << 20, None).map_err(backend)?;
                if let Some(tier_up) = self.tier_up {
                    cache = cache.with_tier_up(tier_up).map_err(backend)?;
                }
                Some(Arc::new(cache))
            }
        };
        let executor = Executor {
            #[cfg(feature = "engine")]
            cache,
            #[cfg(feature = "engine")]
            pool: Arc::new(crate::instance::InstancePool::new(
                self.instance,
                self.pool_limits,
            )),
            validation: self.validation,
            natives: self.natives,
        };
        Ok(Chain {
            shared: Arc::new(Shared {
                table: self.table,
                api: self.api,
                account_prefix: self.account_prefix,
                limits: self.limits,
                debug: self.debug,
                max_call_depth: self.max_call_depth,
                store: Mutex::new(TxStore::default()),
                codes: RwLock::new(Vec::new()),
                block: Mutex::new(self.block),
                tx_counter: Mutex::new(TxCounter::default()),
                denom_metadata: self.denom_metadata,
                executor,
            }),
            handler: self.handler,
            tx_gas_limit: self.tx_gas_limit,
            tx_lock: Mutex::new(()),
        })
    }
}
