//! [`ChainBuilder`]: a chain's settings, from its cost table to its
//! genesis denomination metadata.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};

use cosmwasm_std::DenomMetadata;
use cw_gas::{CostTable, CwGas};
use cw_host::{Api, Bech32Api, Checksum, DEFAULT_BECH32_PREFIX, HostLimits};

use super::core::{BlockState, DebugFactory, Shared, StoredCode};
use super::error::ChainError;
use super::messages::MessageHandler;
use super::runner::{ContractFactory, Executor, NativeFactory, NativeRegistry, NoWasmEngine};
use super::state::{ChainState, MemoryState};
use super::store::TxStore;
use super::tx_info::TxCounter;
use super::{Chain, DEFAULT_MAX_CALL_DEPTH, DEFAULT_TX_GAS_LIMIT};
use cw_validate::ValidationConfig;

/// Settings of a [`Chain`]; build one with [`ChainBuilder`].
pub struct ChainBuilder<T: CostTable> {
    table: T,
    api: Arc<dyn Api + Send + Sync>,
    account_prefix: Option<String>,
    denom_metadata: BTreeMap<String, DenomMetadata>,
    block: BlockState,
    tx_position: Option<(u64, Option<u32>)>,
    tx_gas_limit: CwGas,
    max_call_depth: u32,
    limits: HostLimits,
    debug: DebugFactory,
    natives: NativeRegistry<T>,
    handler: Option<Arc<dyn MessageHandler>>,
    validation: ValidationConfig,
    state: Box<dyn ChainState>,
    wasm: Arc<dyn ContractFactory<T>>,
    trust_stored_codes: bool,
}

impl<T: CostTable> ChainBuilder<T> {
    /// A chain charging `table`, with bech32 addresses prefixed `cosmwasm`,
    /// chain id `cw-chain`, height 1, time 1,700,000,000 s, the default gas
    /// and depth limits, the chain's host limits, `tracing` debug output, an
    /// empty [`MemoryState`] and no Wasm engine ([`NoWasmEngine`]).
    #[must_use]
    pub fn new(table: T) -> Self {
        Self {
            table,
            api: Arc::new(Bech32Api::default()),
            account_prefix: Some(DEFAULT_BECH32_PREFIX.to_owned()),
            denom_metadata: BTreeMap::new(),
            tx_position: None,
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
            state: Box::new(MemoryState::default()),
            wasm: Arc::new(NoWasmEngine),
            trust_stored_codes: false,
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

    /// Resumes the count of transactions in a block where an earlier chain
    /// over the same state left it ([`Chain::tx_position`](crate::Chain::tx_position)):
    /// the next transaction at `height` gets index `next` (`None`: none
    /// may run at `height`). For an embedder that builds the chain again
    /// for every transaction (a NEAR contract), so `env.transaction.index`
    /// counts within the block as on a chain instead of starting at 0 each
    /// time. Without it the count starts at 0.
    #[must_use]
    pub fn tx_position(mut self, height: u64, next: Option<u32>) -> Self {
        self.tx_position = Some((height, next));
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
    pub fn native(mut self, checksum: Checksum, factory: Arc<dyn NativeFactory<T>>) -> Self {
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

    /// Where the state lives (an empty [`MemoryState`] by default). The
    /// chain starts with the state's records, contracts and codes; each
    /// code is loaded again, as it was stored.
    #[must_use]
    pub fn state(mut self, state: Box<dyn ChainState>) -> Self {
        self.state = state;
        self
    }

    /// What runs Wasm code: cw-runtime's engine, for one. Without one
    /// ([`NoWasmEngine`]) only verified native builds can be stored.
    #[must_use]
    pub fn wasm_factory(mut self, factory: Arc<dyn ContractFactory<T>>) -> Self {
        self.wasm = factory;
        self
    }

    /// Trusts the codes the state holds: they were validated when they were
    /// stored, so `build` neither reads nor validates them again, and each
    /// is loaded (its runner picked, its `cw_migrate_version` read) the
    /// first time a call uses it. For a chain rebuilt on every call (one
    /// inside a NEAR contract, where validating cw20-base (388 KB) costs
    /// about 100 Tgas); a code that can no longer load then fails the call
    /// that uses it ([`ChainError::StoreCode`]) instead of `build`.
    #[must_use]
    pub fn trust_stored_codes(mut self) -> Self {
        self.trust_stored_codes = true;
        self
    }

    /// The chain, with the state's records, contracts and codes (none for
    /// a new state).
    ///
    /// # Errors
    /// [`ChainError::StoreCode`] if a code the state holds can no longer
    /// be validated or loaded (an emulator not registered, a Wasm factory
    /// missing).
    pub fn build(self) -> Result<Chain<T>, ChainError> {
        let executor = Executor {
            validation: self.validation,
            natives: self.natives,
            wasm: self.wasm,
        };
        let store = TxStore::new(self.state);
        let mut codes = Vec::new();
        if self.trust_stored_codes {
            let count = usize::try_from(store.code_count())
                .map_err(|_| ChainError::CounterOverflow { counter: "code id" })?;
            codes.resize(count, None);
        }
        for code_id in (1..=store.code_count()).filter(|_| !self.trust_stored_codes) {
            let code = store
                .code(code_id)
                .ok_or(ChainError::NoSuchCode { code_id })?;
            let (runner, migrate_version) =
                executor.prepare(&code.wasm, &code.checksum, code.mode)?;
            codes.push(Some(Arc::new(StoredCode {
                creator: code.creator,
                checksum: code.checksum,
                runner,
                migrate_version,
            })));
        }
        Ok(Chain {
            shared: Arc::new(Shared {
                table: self.table,
                api: self.api,
                account_prefix: self.account_prefix,
                limits: self.limits,
                debug: self.debug,
                max_call_depth: self.max_call_depth,
                store: Mutex::new(store),
                codes: RwLock::new(codes),
                block: Mutex::new(self.block),
                tx_counter: Mutex::new(
                    self.tx_position
                        .map_or_else(TxCounter::default, |(height, next)| {
                            TxCounter::resumed(height, next)
                        }),
                ),
                denom_metadata: self.denom_metadata,
                executor,
            }),
            handler: self.handler,
            tx_gas_limit: self.tx_gas_limit,
            tx_lock: Mutex::new(()),
        })
    }
}
