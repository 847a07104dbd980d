//! The second seam: how stored code runs. The chain validates code and
//! picks, once per code, the [`ContractFactory`] that loads it: the
//! [`NativeRegistry`] of verified native builds, or the Wasm factory the
//! embedder gave (cw-runtime's compile, cache and instance pool), or
//! [`NoWasmEngine`].

use std::collections::BTreeMap;
use std::sync::Arc;

use cw_gas::CostTable;
use cw_host::{Checksum, Contract};
use cw_validate::{ModuleInfo, ValidationConfig, ValidationError, validate};

use crate::error::ChainError;

/// How a stored code is executed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExecutionMode {
    /// Compiled Wasm (needs a Wasm [`ContractFactory`], such as
    /// cw-runtime's).
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

/// Stored code made ready to run: it makes the contract object of each call
/// (a compiled module on a pooled instance, a native emulator). Its state
/// lives in the chain's storage, so any object runs any instance of the
/// code.
pub trait LoadedCode<T: CostTable>: Send + Sync {
    /// A contract object for one call.
    fn contract(&self) -> Box<dyn Contract<T>>;
}

/// Turns stored code (its sha256 and bytes, already accepted by the chain's
/// static validation) into [`LoadedCode`]. Called once per code, when it is
/// stored or when a chain is built over a state that holds it.
pub trait ContractFactory<T: CostTable>: Send + Sync {
    /// Loads the code whose sha256 is `checksum`.
    ///
    /// # Errors
    /// [`LoadError`] when this factory cannot run the code.
    fn load(&self, checksum: &Checksum, wasm: &[u8]) -> Result<Arc<dyn LoadedCode<T>>, LoadError>;

    /// Validates `wasm` with the chain's static `validation`, then loads
    /// it: what the chain does when a code is stored. The default runs
    /// [`validate`] and then [`load`](Self::load); a factory that reads the
    /// whole code anyway (an instrumenting interpreter) overrides it to do
    /// both in one pass. An override must refuse exactly what [`validate`]
    /// refuses, with [`LoadError::Invalid`] and its error.
    ///
    /// # Errors
    /// [`LoadError::Invalid`] if validation refuses the code, otherwise as
    /// [`load`](Self::load).
    fn validate_and_load(
        &self,
        checksum: &Checksum,
        wasm: &[u8],
        validation: &ValidationConfig,
    ) -> Result<(ModuleInfo, Arc<dyn LoadedCode<T>>), LoadError> {
        let info = validate(wasm, validation)?;
        Ok((info, self.load(checksum, wasm)?))
    }
}

/// Why a [`ContractFactory`] cannot run a code. The chain reports it as
/// [`ChainError::StoreCode`] with this error's text.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// No native emulator is registered for the checksum.
    #[error("no verified native emulator is registered for checksum {}", checksum)]
    NoVerifiedBuild {
        /// The code's sha256.
        checksum: Checksum,
    },
    /// The chain's static validation refused the code.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The chain has no Wasm engine ([`NoWasmEngine`]).
    #[error("this chain has no Wasm engine: only verified native emulators can run")]
    NoEngine,
    /// The engine refused the code (compile, cache); the engine's own error.
    #[error(transparent)]
    Engine(Box<dyn std::error::Error + Send + Sync>),
}

/// The Wasm factory of a chain without an engine: refuses every code, so
/// only verified native builds run (what a Wasm host embeds).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoWasmEngine;

impl<T: CostTable> ContractFactory<T> for NoWasmEngine {
    fn load(&self, _: &Checksum, _: &[u8]) -> Result<Arc<dyn LoadedCode<T>>, LoadError> {
        Err(LoadError::NoEngine)
    }
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

/// A registered native factory as loaded code.
struct NativeCode<T: CostTable>(Arc<dyn NativeFactory<T>>);

impl<T: CostTable> LoadedCode<T> for NativeCode<T> {
    fn contract(&self) -> Box<dyn Contract<T>> {
        self.0.contract()
    }
}

/// The verified builds: which Wasm checksums a native emulator may replace.
/// The chain's native [`ContractFactory`].
pub struct NativeRegistry<T: CostTable> {
    by_checksum: BTreeMap<Checksum, Arc<dyn NativeFactory<T>>>,
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
                    .map(|(k, v)| (k.to_hex(), v.name().to_owned())),
            )
            .finish()
    }
}

impl<T: CostTable> NativeRegistry<T> {
    /// Registers `checksum` (sha256 of a Wasm build) as a build that
    /// `factory` emulates byte for byte.
    pub fn insert(&mut self, checksum: Checksum, factory: Arc<dyn NativeFactory<T>>) {
        self.by_checksum.insert(checksum, factory);
    }

    /// The emulator registered for `checksum`.
    #[must_use]
    pub fn get(&self, checksum: &Checksum) -> Option<&Arc<dyn NativeFactory<T>>> {
        self.by_checksum.get(checksum)
    }
}

impl<T: CostTable> ContractFactory<T> for NativeRegistry<T> {
    fn load(&self, checksum: &Checksum, _: &[u8]) -> Result<Arc<dyn LoadedCode<T>>, LoadError> {
        let factory = self.get(checksum).ok_or(LoadError::NoVerifiedBuild {
            checksum: *checksum,
        })?;
        Ok(Arc::new(NativeCode(Arc::clone(factory))))
    }
}

/// What a stored code runs on.
#[derive(Clone)]
pub(crate) struct Runner<T: CostTable> {
    code: Arc<dyn LoadedCode<T>>,
    native: bool,
}

impl<T: CostTable> Runner<T> {
    pub(crate) fn is_native(&self) -> bool {
        self.native
    }

    /// A contract object for one call.
    pub(crate) fn contract(&self) -> Box<dyn Contract<T>> {
        self.code.contract()
    }
}

/// Validates code and turns it into [`Runner`]s.
pub(crate) struct Executor<T: CostTable> {
    pub validation: ValidationConfig,
    pub natives: NativeRegistry<T>,
    pub wasm: Arc<dyn ContractFactory<T>>,
}

impl<T: CostTable> Executor<T> {
    /// The runner of a code the state already holds, validated when it was
    /// stored: no static validation again, only its `cw_migrate_version`
    /// read from the section headers.
    pub(crate) fn load_trusted(
        &self,
        code: &crate::CodeRecord,
    ) -> Result<(Runner<T>, Option<u64>), ChainError> {
        let migrate_version =
            cw_validate::migrate_version(&code.wasm).map_err(|e| refuse(e.into()))?;
        let runner = self.runner(&code.wasm, &code.checksum, code.mode)?;
        Ok((runner, migrate_version))
    }

    /// The runner of validated code for `mode`.
    fn runner(
        &self,
        wasm: &[u8],
        checksum: &Checksum,
        mode: ExecutionMode,
    ) -> Result<Runner<T>, ChainError> {
        let native = self.is_native(checksum, mode);
        let factory: &dyn ContractFactory<T> = if native { &self.natives } else { &*self.wasm };
        let code = factory.load(checksum, wasm).map_err(refuse)?;
        Ok(Runner { code, native })
    }

    /// Whether `mode` runs `checksum` on a native emulator: Native always
    /// asks the registry (which refuses a checksum it does not know); Auto
    /// only on a registry hit.
    fn is_native(&self, checksum: &Checksum, mode: ExecutionMode) -> bool {
        match mode {
            ExecutionMode::Native => true,
            ExecutionMode::Auto => self.natives.get(checksum).is_some(),
            ExecutionMode::Wasm => false,
        }
    }

    /// Validates `wasm` as the chain does and picks its runner for `mode`;
    /// also returns the code's `cw_migrate_version` (what wasmvm's
    /// `AnalyzeCode` reports).
    pub(crate) fn prepare(
        &self,
        wasm: &[u8],
        checksum: &Checksum,
        mode: ExecutionMode,
    ) -> Result<(Runner<T>, Option<u64>), ChainError> {
        if self.is_native(checksum, mode) {
            let info = validate(wasm, &self.validation).map_err(|e| refuse(e.into()))?;
            return Ok((self.runner(wasm, checksum, mode)?, info.migrate_version));
        }
        // The Wasm factory validates as it loads, so an engine that reads
        // the code anyway reads it once.
        let (info, code) = self
            .wasm
            .validate_and_load(checksum, wasm, &self.validation)
            .map_err(refuse)?;
        let runner = Runner {
            code,
            native: false,
        };
        Ok((runner, info.migrate_version))
    }
}

/// The chain's refusal of a code a factory could not load (or validate).
fn refuse(e: LoadError) -> ChainError {
    ChainError::StoreCode {
        reason: e.to_string(),
    }
}
