//! The verified native emulators `--mode native` and `--mode auto` may use.

use cw_fallback::VerifiedBuilds;
use cw_gas::CostTable;
use cw_runtime::ChainBuilder;
use xtask::fixtures::{Manifest, fixtures_dir};

use crate::error::CliError;

/// Registers the cw-fallback emulators with the chain, keyed by the sha256
/// of the Wasm builds they were verified against: the fixtures recorded in
/// `target/fixtures/manifest.json` (the differential tests prove those exact
/// bytes and the emulators agree). Without a manifest there are no verified
/// builds, and storing code in `--mode native` fails with the chain's
/// `StoreCode` error naming the checksum.
///
/// # Errors
/// [`CliError::Usage`] when the manifest exists but cannot be read.
pub fn register_natives<T: CostTable + Clone + Send + Sync + 'static>(
    builder: ChainBuilder<T>,
) -> Result<ChainBuilder<T>, CliError> {
    let path = fixtures_dir().join("manifest.json");
    if !path.exists() {
        return Ok(builder);
    }
    let bad = |e: String| CliError::Usage(format!("fixture manifest {}: {e}", path.display()));
    let manifest = Manifest::load(&path).map_err(|e| bad(format!("{e:#}")))?;
    let builds = VerifiedBuilds::from_named_checksums(
        manifest
            .fixtures
            .iter()
            .map(|f| (f.name.as_str(), f.sha256.as_str())),
    )
    .map_err(|e| bad(e.to_string()))?;
    Ok(builder.verified_natives(&builds))
}
