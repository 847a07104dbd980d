//! Loading code: `fixture:NAME` through the one fixture helper (built
//! first if missing, progress on stderr), or a file.

use std::path::Path;

use xtask::fixtures::Manifest;

use crate::error::CliError;
use crate::scenario::CodeSource;

/// The Wasm bytes of every code, in order. Fixtures are built in one go
/// (only those missing or stale), so a fresh clone needs no extra step.
///
/// # Errors
/// [`CliError::Code`] when a fixture cannot be built or a file read.
pub(crate) fn load(codes: &[(String, CodeSource)]) -> Result<Vec<(String, Vec<u8>)>, CliError> {
    load_inner(codes, true)
}

/// Like [`load`], with a line per fixture even when it is up to date.
///
/// # Errors
/// As [`load`].
pub(crate) fn load_with_progress(
    codes: &[(String, CodeSource)],
) -> Result<Vec<(String, Vec<u8>)>, CliError> {
    load_inner(codes, false)
}

fn load_inner(
    codes: &[(String, CodeSource)],
    quiet: bool,
) -> Result<Vec<(String, Vec<u8>)>, CliError> {
    let fixtures: Vec<String> = codes
        .iter()
        .filter_map(|(_, source)| match source {
            CodeSource::Fixture(name) => Some(name.clone()),
            CodeSource::File(_) => None,
        })
        .collect();
    let manifest = if fixtures.is_empty() {
        None
    } else {
        Some(ensure_fixtures(&fixtures, quiet)?)
    };
    codes
        .iter()
        .map(|(name, source)| {
            let bytes = match source {
                CodeSource::Fixture(fixture) => match &manifest {
                    Some(manifest) => built_fixture(manifest, fixture),
                    None => Err(format!("fixture `{fixture}` was not built")),
                },
                CodeSource::File(path) => read(path),
            }
            .map_err(|message| CliError::Code {
                name: name.clone(),
                message,
            })?;
            Ok((name.clone(), bytes))
        })
        .collect()
}

/// Builds the named fixtures if missing or stale. `quiet` hides the lines
/// for fixtures that are up to date; builds always report on stderr.
///
/// # Errors
/// [`CliError::Code`] with the build error (for example the `rustup`
/// command for a missing target).
fn ensure_fixtures(names: &[String], quiet: bool) -> Result<Manifest, CliError> {
    let options = xtask::fixtures::BuildOptions {
        only: names.to_vec(),
        force: false,
        quiet,
    };
    xtask::fixtures::ensure_built(&options).map_err(|e| CliError::Code {
        name: names.join(", "),
        message: format!("building fixtures: {e:#}"),
    })
}

/// The bytes of a fixture `manifest` lists.
///
/// # Errors
/// The reason, as text.
fn built_fixture(manifest: &Manifest, name: &str) -> Result<Vec<u8>, String> {
    let record = manifest
        .fixture(name)
        .ok_or_else(|| format!("fixture `{name}` is missing from the manifest after building"))?;
    read(&xtask::fixtures::fixtures_dir().join(&record.file))
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}
