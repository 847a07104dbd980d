//! `cargo xtask build-near`: builds the `cw-near` contract for
//! `wasm32-unknown-unknown` with the `near` profile and copies it to
//! [`contract_path`] (`target/near/cw_near.wasm`), where the runner tests
//! and a deployment find it.
//!
//! The `near` profile (root `Cargo.toml`) is size-optimized (`opt-level =
//! "z"`, fat LTO, one codegen unit, `panic = "abort"`, stripped): NEAR
//! charges every call about 1.1 million gas per byte of contract code
//! before it runs. The wasmi crates (the `wasmi` feature: an interpreter
//! inside the contract) are built at opt-level 3 (the profile's package
//! overrides): at "z" or "s" wasmi's interpreter loop becomes one function
//! body over NEAR's 196,608-byte limit (measured with near-vm-runner 0.38),
//! which NEAR refuses at preparation.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, bail};

use crate::fixtures::workspace_root;

/// How to build the contract.
#[derive(Debug, Clone, Default)]
pub struct NearBuildOptions {
    /// Cargo features of `cw-near` to enable (e.g. `wasmi`).
    pub features: Vec<String>,
    /// Leave out cw-near's default features (`natives`).
    pub no_default_features: bool,
}

impl NearBuildOptions {
    /// The interpreter build: cw-wasmi and no native emulators (with them
    /// the contract has more functions than NEAR accepts), built with the
    /// `near-wasmi` profile, written to [`interpreter_contract_path`].
    #[must_use]
    pub fn interpreter() -> Self {
        Self {
            features: vec!["wasmi".into()],
            no_default_features: true,
        }
    }

    fn has_interpreter(&self) -> bool {
        self.features.iter().any(|f| f == "wasmi")
    }

    /// The cargo profile: `near-wasmi` for a build with the interpreter
    /// (opt-level "s", see the root `Cargo.toml`), `near` otherwise.
    fn profile(&self) -> &'static str {
        if self.has_interpreter() {
            "near-wasmi"
        } else {
            "near"
        }
    }
}

/// Where `build-near` writes the contract.
pub fn contract_path() -> PathBuf {
    workspace_root()
        .join("target")
        .join("near")
        .join("cw_near.wasm")
}

/// Where `build-near` writes a build with the interpreter (the `wasmi`
/// feature): `target/near/cw_near_wasmi.wasm`.
pub fn interpreter_contract_path() -> PathBuf {
    contract_path().with_file_name("cw_near_wasmi.wasm")
}

/// The cargo target folder (`CARGO_TARGET_DIR` when set).
fn cargo_target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                workspace_root().join(dir)
            }
        })
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// Builds the contract and copies it to [`contract_path`]; returns that
/// path.
pub fn run(options: &NearBuildOptions) -> anyhow::Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command.current_dir(workspace_root()).args([
        "build",
        "-p",
        "cw-near",
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        options.profile(),
    ]);
    // near-sdk calls NEAR's host functions only when built with `--cfg
    // near` (as cargo-near builds); without it its `env` functions are
    // local stand-ins (`panic_str` would print and trap).
    command.args([
        "--config",
        "target.wasm32-unknown-unknown.rustflags=[\"--cfg\", \"near\"]",
    ]);
    if options.no_default_features {
        command.arg("--no-default-features");
    }
    if !options.features.is_empty() {
        command.args(["--features", &options.features.join(",")]);
    }
    let status = command.status().context("running cargo build")?;
    if !status.success() {
        bail!("building the NEAR contract failed ({status})");
    }
    let built = cargo_target_dir()
        .join("wasm32-unknown-unknown")
        .join(options.profile())
        .join("cw_near.wasm");
    let out = if options.has_interpreter() {
        interpreter_contract_path()
    } else {
        contract_path()
    };
    let dir = out.parent().context("the contract path has a folder")?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::copy(&built, &out)
        .with_context(|| format!("copying {} to {}", built.display(), out.display()))?;
    let size = std::fs::metadata(&out)?.len();
    println!("wrote {} ({size} bytes)", out.display());
    Ok(out)
}
