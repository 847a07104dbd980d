//! Choices shared by every chain `cwr` makes: the gas profile (which cost
//! table the chain charges), the execution mode, and the module cache.

use std::path::Path;
use std::sync::Arc;

use clap::ValueEnum;
use cw_gas::middleware::DEFAULT_STACK_LIMIT_BYTES;
use cw_gas::{CosmWasmSchedule, CostTable, NearSchedule};
use cw_runtime::{ChainBuilder, CompileConfig, ExecutionMode, ModuleCache, ValidationConfig};

use crate::error::CliError;

/// Which schedule the chain charges. Gas is reported in both units either
/// way; this picks the prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum GasProfile {
    /// cosmwasm-vm 3.0's prices (wasmd).
    #[default]
    Cosmwasm,
    /// NEAR protocol prices.
    Near,
}

/// How stored code runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Mode {
    /// Compiled Wasm.
    #[default]
    Wasm,
    /// The verified native emulator registered for the code's checksum;
    /// storing a code without one fails.
    Native,
    /// Native where an emulator is registered, Wasm otherwise.
    Auto,
}

impl From<Mode> for ExecutionMode {
    fn from(mode: Mode) -> Self {
        match mode {
            Mode::Wasm => Self::Wasm,
            Mode::Native => Self::Native,
            Mode::Auto => Self::Auto,
        }
    }
}

impl Mode {
    /// The name as on the command line.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Wasm => "wasm",
            Self::Native => "native",
            Self::Auto => "auto",
        }
    }

    /// The byte a persistent home stores for the mode.
    #[must_use]
    pub fn to_byte(self) -> u8 {
        match self {
            Self::Wasm => 0,
            Self::Native => 1,
            Self::Auto => 2,
        }
    }

    /// The mode a persistent home stored.
    #[must_use]
    pub fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            0 => Some(Self::Wasm),
            1 => Some(Self::Native),
            2 => Some(Self::Auto),
            _ => None,
        }
    }
}

/// Something to run with the cost table a [`GasProfile`] picks: the one
/// place the profile turns into a type.
pub trait WithTable {
    /// What the run returns.
    type Output;
    /// Runs with `table`.
    fn run<T: CostTable + Clone + Send + Sync + 'static>(self, table: T) -> Self::Output;
}

impl GasProfile {
    /// Runs `job` with this profile's table.
    pub fn dispatch<W: WithTable>(self, job: W) -> W::Output {
        match self {
            Self::Cosmwasm => job.run(CosmWasmSchedule::default()),
            Self::Near => job.run(NearSchedule::default()),
        }
    }
}

/// Bytes of compiled modules kept in memory: the fixtures together need a
/// few MiB; 256 MiB is the chain layer's own default.
const CACHE_MEMORY_BYTES: usize = 256 << 20;

/// A module cache compiling with `table`, the deterministic stack limit and
/// the chain's validation rules; with `dir`, artifacts are kept there (and
/// authenticated by the user's artifact key when loaded), so the next
/// process does not recompile.
///
/// # Errors
/// [`CliError::Cache`] when the folder cannot be made, is writable by
/// others, or the artifact key cannot be made or read.
pub fn module_cache<T: CostTable + Clone>(
    table: T,
    dir: Option<&Path>,
) -> Result<Arc<ModuleCache<T>>, CliError> {
    let config = CompileConfig {
        table,
        stack_limit_bytes: Some(DEFAULT_STACK_LIMIT_BYTES),
        validation: ValidationConfig::default(),
    };
    ModuleCache::new(config, CACHE_MEMORY_BYTES, dir)
        .map(Arc::new)
        .map_err(|e| CliError::Cache(Box::new(e)))
}

/// A chain builder charging `table`, compiling into `cache`, with the
/// native emulators registered.
///
/// # Errors
/// As [`crate::natives::register_natives`].
pub fn builder<T: CostTable + Clone + Send + Sync + 'static>(
    table: T,
    cache: Arc<ModuleCache<T>>,
) -> Result<ChainBuilder<T>, CliError> {
    crate::natives::register_natives(ChainBuilder::new(table).module_cache(cache))
}
