//! `cwr run --engine near`: the scenario through the cw-near contract in
//! NEAR's own VM. The work is `cwr-near`'s (near/runner-tests), a binary
//! of its own because near-vm-runner brings Wasmtime, which `cwr` and the
//! workspace never build; this finds it and hands the scenario over.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::choices::{GasProfile, Mode};
use crate::error::CliError;

/// The environment variable naming the `cwr-near` binary.
pub(crate) const CWR_NEAR_ENV: &str = "CWR_NEAR";

/// Where `cwr-near` is: `$CWR_NEAR`, else beside this executable, else the
/// name alone (the PATH).
fn runner() -> PathBuf {
    if let Some(path) = std::env::var_os(CWR_NEAR_ENV) {
        return PathBuf::from(path);
    }
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("cwr-near")))
        .filter(|path| path.is_file());
    beside.unwrap_or_else(|| PathBuf::from("cwr-near"))
}

/// Runs `scenario` with `cwr-near`; `Ok(true)` when every `expect` held,
/// `Ok(false)` when one did not (its exit code 1).
///
/// # Errors
/// [`CliError::Usage`] for options the NEAR contract cannot honour (JSON
/// output, NEAR prices, Wasm-only mode); [`CliError::NearRunner`] when
/// `cwr-near` cannot start or could not run the scenario.
pub(crate) fn run(
    scenario: &Path,
    json: bool,
    gas_profile: GasProfile,
    mode: Mode,
) -> Result<bool, CliError> {
    run_with(&runner(), scenario, json, gas_profile, mode)
}

/// [`run`] with the `cwr-near` at `runner`.
fn run_with(
    runner: &Path,
    scenario: &Path,
    json: bool,
    gas_profile: GasProfile,
    mode: Mode,
) -> Result<bool, CliError> {
    if json {
        return Err(CliError::Usage(
            "--engine near prints text only (no --json)".into(),
        ));
    }
    if gas_profile != GasProfile::Cosmwasm {
        return Err(CliError::Usage(
            "--engine near charges the contract's prices (cosmwasm-vm 3.0's) and \
             reports NEAR gas as NEAR burnt it: no --gas-profile"
                .into(),
        ));
    }
    let build = match mode {
        Mode::Native => "--natives",
        Mode::Wasm | Mode::Auto => "--interpreter",
    };
    let status = Command::new(runner)
        .arg(scenario)
        .arg(build)
        .status()
        .map_err(|e| {
            CliError::NearRunner(format!(
                "cannot start {} ({e}); build it with `cargo build --release \
                 --manifest-path near/runner-tests/Cargo.toml --bin cwr-near` and put \
                 it beside cwr, on the PATH, or in ${CWR_NEAR_ENV}",
                runner.display()
            ))
        })?;
    match status.code() {
        Some(0) => Ok(true),
        Some(1) => Ok(false),
        _ => Err(CliError::NearRunner(format!(
            "{} could not run the scenario ({status})",
            runner.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_runner_is_a_clear_error() {
        let missing = Path::new("/nonexistent/cwr-near");
        let error = run_with(
            missing,
            Path::new("s.json"),
            false,
            GasProfile::Cosmwasm,
            Mode::Wasm,
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("cannot start /nonexistent/cwr-near"),
            "{error}"
        );
        assert!(error.contains("--bin cwr-near"), "{error}");
    }

    #[test]
    fn options_the_contract_cannot_honour_are_refused() {
        let runner = Path::new("cwr-near");
        let near = run_with(
            runner,
            Path::new("s.json"),
            false,
            GasProfile::Near,
            Mode::Wasm,
        );
        assert!(matches!(near, Err(CliError::Usage(_))));
        let json = run_with(
            runner,
            Path::new("s.json"),
            true,
            GasProfile::Cosmwasm,
            Mode::Wasm,
        );
        assert!(matches!(json, Err(CliError::Usage(_))));
    }
}
