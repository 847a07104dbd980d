//! Compiling validated code to a Wasmer module with metering and the
//! deterministic stack limit.

use std::fmt;

use cw_gas::CostTable;
use cw_gas::middleware::singlepass_engine;
use sha2::{Digest, Sha256};
use wasmer::{Engine, Module};

use crate::error::RuntimeError;
use crate::validate::{ModuleInfo, ValidationConfig, validate};

/// The version of what this crate writes to the disk cache and of how it
/// compiles. Bump it whenever compiled code or the artifact file layout would
/// differ for the same inputs, so old artifacts are never reused.
///
/// - `1`: first version (Wasmer 7.4.2 singlepass, cw-gas metering + stack limit).
pub const MODULE_FORMAT_VERSION: u32 = 1;

/// The sha256 of a contract's Wasm code: the code checksum a chain uses.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Checksum([u8; 32]);

impl Checksum {
    /// The checksum of `wasm`.
    pub fn of(wasm: &[u8]) -> Self {
        Self(Sha256::digest(wasm).into())
    }

    /// The 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lower-case hex, as wasmd prints it.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Display for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Checksum({self})")
    }
}

/// Everything that decides what a module compiles to. Its [`key`](Self::key)
/// is part of every cache key, so changing any of it never reuses old code.
#[derive(Debug, Clone)]
pub struct CompileConfig<T: CostTable + Clone> {
    /// The gas schedule the metering middleware charges from.
    pub table: T,
    /// The deterministic stack limit in bytes; `None` leaves only Wasmer's
    /// native stack guard (not deterministic: use only in benchmarks).
    pub stack_limit_bytes: Option<u64>,
    /// What static validation accepts.
    pub validation: ValidationConfig,
}

impl<T: CostTable + Clone> CompileConfig<T> {
    /// A digest of the format version, Wasmer's version, the host target
    /// (triple and CPU features), the cost table's fingerprint and the stack
    /// limit.
    pub fn key(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(MODULE_FORMAT_VERSION.to_le_bytes());
        hasher.update(wasmer_types::VERSION.as_bytes());
        hasher.update(format!("{:?}", wasmer::sys::Target::default()).as_bytes());
        hasher.update(self.table.fingerprint().to_string().as_bytes());
        hasher.update(self.stack_limit_bytes.unwrap_or(0).to_le_bytes());
        hasher.update([u8::from(self.stack_limit_bytes.is_some())]);
        hex::encode(&hasher.finalize()[..16])
    }
}

/// A compiled module with the engine it runs on. Cloning is cheap.
#[derive(Clone)]
pub struct CompiledModule {
    /// The module.
    pub module: Module,
    /// The engine to create stores from for this module.
    pub engine: Engine,
    /// The checksum of the Wasm it was compiled from.
    pub checksum: Checksum,
    /// Size of its serialized artifact: the cache's measure of its memory use.
    pub size_bytes: usize,
}

impl fmt::Debug for CompiledModule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompiledModule")
            .field("checksum", &self.checksum)
            .field("size_bytes", &self.size_bytes)
            .finish_non_exhaustive()
    }
}

/// Validates and compiles `wasm`; returns the module and its serialized
/// artifact (what the disk cache stores).
pub fn compile<T: CostTable + Clone>(
    wasm: &[u8],
    config: &CompileConfig<T>,
) -> Result<(CompiledModule, ModuleInfo, Vec<u8>), RuntimeError> {
    let info = validate(wasm, &config.validation)?;
    let engine = singlepass_engine(config.table.clone(), wasm, config.stack_limit_bytes)?;
    let module = Module::new(&engine, wasm).map_err(|e| RuntimeError::Compile {
        message: e.to_string(),
    })?;
    let artifact = module
        .serialize()
        .map_err(|e| RuntimeError::Serialize {
            message: e.to_string(),
        })?
        .to_vec();
    let compiled = CompiledModule {
        module,
        engine,
        checksum: Checksum::of(wasm),
        size_bytes: artifact.len(),
    };
    Ok((compiled, info, artifact))
}
