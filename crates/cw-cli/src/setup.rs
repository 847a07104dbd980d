//! Builds what every chain `cwr` makes needs from the user's choices
//! ([`crate::choices`]): the cost table a gas profile picks, the module
//! cache, the chain builder.

use std::path::Path;
use std::sync::Arc;

use cw_gas::middleware::DEFAULT_STACK_LIMIT_BYTES;
use cw_gas::{CosmWasmSchedule, CostTable, NearSchedule};
use cw_runtime::{ChainBuilder, CompileConfig, ModuleCache, TierUp, ValidationConfig};

use crate::choices::GasProfile;
use crate::error::CliError;

/// Something to run with the cost table a [`GasProfile`] picks: the one
/// place the profile turns into a type.
pub(crate) trait WithTable {
    /// What the run returns.
    type Output;
    /// Runs with `table`.
    fn run<T: CostTable>(self, table: T) -> Self::Output;
}

impl GasProfile {
    /// Runs `job` with this profile's table.
    pub(crate) fn dispatch<W: WithTable>(self, job: W) -> W::Output {
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
pub(crate) fn module_cache<T: CostTable>(
    table: T,
    dir: Option<&Path>,
    tier_up_after: Option<u32>,
) -> Result<Arc<ModuleCache<T>>, CliError> {
    let config = CompileConfig {
        table,
        stack_limit_bytes: Some(DEFAULT_STACK_LIMIT_BYTES),
        validation: ValidationConfig::default(),
    };
    let cache = ModuleCache::new(config, CACHE_MEMORY_BYTES, dir)
        .map_err(|e| CliError::Cache(Box::new(e)))?;
    let cache = match tier_up_after {
        Some(after_uses) => cache
            .with_tier_up(TierUp { after_uses })
            .map_err(|e| CliError::Cache(Box::new(e)))?,
        None => cache,
    };
    Ok(Arc::new(cache))
}

/// A chain builder charging `table`, compiling into `cache`, with the
/// native emulators registered.
///
/// # Errors
/// As [`crate::natives::register_natives`].
pub(crate) fn builder<T: CostTable>(
    table: T,
    cache: Arc<ModuleCache<T>>,
) -> Result<ChainBuilder<T>, CliError> {
    crate::natives::register_natives(ChainBuilder::new(table).module_cache(cache))
}
