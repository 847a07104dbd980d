//! The verified native emulators `--mode native` and `--mode auto` may use.

use std::path::Path;

use cw_fallback::VerifiedBuilds;
use cw_gas::CostTable;
use cw_runtime::ChainBuilder;
use xtask::fixtures::{Manifest, fixtures_dir};

use crate::error::CliError;

/// Registers the cw-fallback emulators with the chain, keyed by the sha256
/// of the Wasm builds they were verified against: the builds cw-fallback
/// publishes ([`VerifiedBuilds::published`], so an installed `cwr`, run from
/// any folder, has them), and the fixtures recorded in this workspace's
/// `target/fixtures/manifest.json` when there is one (the differential
/// tests prove those exact bytes and the emulators agree). A code that is
/// neither fails to store in `--mode native` with the chain's `StoreCode`
/// error naming its checksum.
///
/// # Errors
/// [`CliError::Usage`] when the manifest exists but cannot be read.
pub(crate) fn register_natives<T: CostTable>(
    builder: ChainBuilder<T>,
) -> Result<ChainBuilder<T>, CliError> {
    register_natives_with(builder, &fixtures_dir().join("manifest.json"))
}

/// [`register_natives`] with the manifest at `path` (which need not exist).
fn register_natives_with<T: CostTable>(
    builder: ChainBuilder<T>,
    path: &Path,
) -> Result<ChainBuilder<T>, CliError> {
    let mut builds = VerifiedBuilds::published();
    if path.exists() {
        let bad = |e: String| CliError::Usage(format!("fixture manifest {}: {e}", path.display()));
        let manifest = Manifest::load(path).map_err(|e| bad(format!("{e:#}")))?;
        let local = VerifiedBuilds::from_named_checksums(
            manifest
                .fixtures
                .iter()
                .map(|f| (f.name.as_str(), f.sha256.as_str())),
        )
        .map_err(|e| bad(e.to_string()))?;
        for (checksum, kind) in local.iter() {
            builds.insert(*checksum, kind);
        }
    }
    Ok(builder.verified_natives(&builds))
}

#[cfg(test)]
mod tests {
    use cw_gas::CosmWasmSchedule;
    use cw_runtime::ExecutionMode;

    use super::*;

    /// What an installed `cwr` run from another folder sees: no manifest,
    /// yet the published builds run natively and anything else is refused.
    #[test]
    fn without_a_manifest_the_published_builds_still_run_natively() {
        let nowhere = tempfile::tempdir().unwrap().path().join("manifest.json");
        let builder = ChainBuilder::new(CosmWasmSchedule::default());
        let chain = register_natives_with(builder, &nowhere)
            .unwrap()
            .build()
            .unwrap();
        for name in ["cw20_base", "cw721_base", "cw1_whitelist"] {
            let wasm = ::tests::fixture_bytes(name);
            chain
                .store_code("creator", &wasm, ExecutionMode::Native)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        let probe = ::tests::fixture_bytes("probe");
        assert!(
            chain
                .store_code("creator", &probe, ExecutionMode::Native)
                .is_err()
        );
    }
}
