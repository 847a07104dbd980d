//! How stored code runs: compiled Wasm (with the `engine` feature) or a
//! verified native emulator, chosen per code when it is stored.

use std::collections::BTreeMap;
use std::sync::Arc;

use cw_gas::CostTable;
use cw_host::Contract;

use super::error::ChainError;
use crate::validate::{ValidationConfig, validate};

/// How a stored code is executed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExecutionMode {
    /// Compiled Wasm (needs the `engine` feature).
    #[default]
    Wasm,
    /// A native emulator; the code's sha256 must be registered as a verified
    /// build of it.
    Native,
    /// Native when the code's sha256 is a registered verified build,
    /// otherwise Wasm. Chosen once, when the code is stored: a Wasm failure
    /// never switches a code to native.
    Auto,
}

/// Makes native contracts of one kind (a `cw-fallback` emulator, or the
/// embedder's own).
pub trait NativeFactory<T: CostTable>: Send + Sync {
    /// The emulated contract's name (`cw20-base@2.0.0`).
    fn name(&self) -> &str;
    /// A fresh contract object; its state lives in the chain's storage, so
    /// any object runs any instance of the code.
    fn contract(&self) -> Box<dyn Contract<T>>;
}

/// The verified builds: which Wasm checksums a native emulator may replace.
pub struct NativeRegistry<T: CostTable> {
    by_checksum: BTreeMap<[u8; 32], Arc<dyn NativeFactory<T>>>,
}

impl<T: CostTable> Default for NativeRegistry<T> {
    fn default() -> Self {
        Self {
            by_checksum: BTreeMap::new(),
        }
    }
}

impl<T: CostTable> std::fmt::Debug for NativeRegistry<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(
                self.by_checksum
                    .iter()
                    .map(|(k, v)| (hex::encode(k), v.name().to_owned())),
            )
            .finish()
    }
}

impl<T: CostTable> NativeRegistry<T> {
    /// Registers `checksum` (sha256 of a Wasm build) as a build that
    /// `factory` emulates byte for byte.
    pub fn insert(&mut self, checksum: [u8; 32], factory: Arc<dyn NativeFactory<T>>) {
        self.by_checksum.insert(checksum, factory);
    }

    /// The emulator registered for `checksum`.
    #[must_use]
    pub fn get(&self, checksum: &[u8; 32]) -> Option<&Arc<dyn NativeFactory<T>>> {
        self.by_checksum.get(checksum)
    }
}

/// What a stored code runs on.
#[derive(Clone)]
pub(crate) enum Runner<T: CostTable> {
    #[cfg(feature = "engine")]
    Wasm(crate::compile::CompiledModule),
    Native(Arc<dyn NativeFactory<T>>),
}

impl<T: CostTable> Runner<T> {
    pub(crate) fn is_native(&self) -> bool {
        matches!(self, Self::Native(_))
    }
}

/// Turns code into [`Runner`]s and runners into contract objects.
pub(crate) struct Executor<T: CostTable + Clone> {
    #[cfg(feature = "engine")]
    pub cache: Option<Arc<crate::cache::ModuleCache<T>>>,
    /// Instances reset and reused across calls (made with the chain's
    /// instance options).
    #[cfg(feature = "engine")]
    pub pool: Arc<crate::instance::InstancePool<T>>,
    pub validation: ValidationConfig,
    pub natives: NativeRegistry<T>,
}

impl<T: CostTable + Clone + Send + Sync + 'static> Executor<T> {
    /// Validates `wasm` as the chain does and picks its runner for `mode`;
    /// also returns the code's `cw_migrate_version` (what wasmvm's
    /// `AnalyzeCode` reports).
    pub(crate) fn prepare(
        &self,
        wasm: &[u8],
        checksum: &[u8; 32],
        mode: ExecutionMode,
    ) -> Result<(Runner<T>, Option<u64>), ChainError> {
        let refuse = |reason: String| ChainError::StoreCode { reason };
        let info = validate(wasm, &self.validation).map_err(|e| refuse(e.to_string()))?;
        let native = self.natives.get(checksum).cloned();
        let runner = match (mode, native) {
            (ExecutionMode::Native | ExecutionMode::Auto, Some(factory)) => Runner::Native(factory),
            (ExecutionMode::Native, None) => {
                return Err(refuse(format!(
                    "no verified native emulator is registered for checksum {}",
                    hex::encode(checksum)
                )));
            }
            (ExecutionMode::Wasm | ExecutionMode::Auto, _) => self.compile(wasm)?,
        };
        Ok((runner, info.migrate_version))
    }

    #[cfg(feature = "engine")]
    fn compile(&self, wasm: &[u8]) -> Result<Runner<T>, ChainError> {
        let cache = self.cache.as_ref().ok_or_else(|| ChainError::StoreCode {
            reason: "this chain has no Wasm engine configured".into(),
        })?;
        let (module, _) = cache.get(wasm).map_err(|e| ChainError::StoreCode {
            reason: e.to_string(),
        })?;
        Ok(Runner::Wasm(module))
    }

    #[cfg(not(feature = "engine"))]
    fn compile(&self, _wasm: &[u8]) -> Result<Runner<T>, ChainError> {
        Err(ChainError::StoreCode {
            reason: "cw-runtime was built without the `engine` feature: only verified native \
                     emulators can run"
                .into(),
        })
    }

    /// A contract object for one call.
    pub(crate) fn contract(&self, runner: &Runner<T>) -> Box<dyn Contract<T>> {
        match runner {
            #[cfg(feature = "engine")]
            Runner::Wasm(module) => Box::new(crate::instance::WasmContract::pooled(
                module.clone(),
                Arc::clone(&self.pool),
            )),
            Runner::Native(factory) => factory.contract(),
        }
    }
}
