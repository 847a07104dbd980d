//! `cargo xtask fuzz TARGET --seconds N`: run one cargo-fuzz target of the
//! `fuzz/` project for a bounded time.
//!
//! cargo-fuzz needs a nightly compiler (sanitizer flags), while the rest of
//! the workspace is pinned to stable by `rust-toolchain.toml`; `fuzz/` is its
//! own workspace so the two never mix. By default it runs under rustup's
//! `nightly`; with [`Toolchain::Pinned`] (`--pinned`) it runs under the pinned
//! stable compiler with `RUSTC_BOOTSTRAP=1`, which unlocks the same flags:
//! what CI does, since a CI machine can install the pinned toolchain but not
//! count on fetching a nightly. Prerequisites are checked first so a missing
//! one is reported with the command that installs it.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, bail};

/// The compiler cargo-fuzz runs under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Toolchain {
    /// rustup's `nightly` toolchain.
    #[default]
    Nightly,
    /// The toolchain `rust-toolchain.toml` pins, with `RUSTC_BOOTSTRAP=1` so
    /// it accepts the nightly flags cargo-fuzz passes.
    Pinned,
}

/// Targets that run Wasm. Wasmer runs Wasm on its own stacks (corosensei)
/// and switches back to the host stack for every import; AddressSanitizer
/// cannot follow the switches and reports false stack-buffer-underflows
/// (google/sanitizers#189, "ASan is ignoring requested
/// __asan_handle_no_return"). These run coverage-guided without a
/// sanitizer; debug assertions stay on.
const WITHOUT_SANITIZER: &[&str] = &["execute_probe", "diff_memory", "diff_contract"];

/// Targets that compile or run Wasm: built with the fuzz project's `engine`
/// feature (Wasmer); the rest build without it.
const WITH_ENGINE: &[&str] = &["validate", "execute_probe", "diff_memory", "diff_contract"];

/// Targets whose inputs are read by `arbitrary` into a structured case
/// (a drawn program): libFuzzer's default, which starts at a few bytes and
/// grows slowly, would keep their cases tiny; they get this cap at once.
const STRUCTURED_MAX_LEN: &[(&str, usize)] = &[("diff_memory", 512), ("diff_contract", 4096)];

/// How to run a fuzz target.
#[derive(Debug, Clone, Copy)]
pub struct FuzzOptions {
    /// How long to fuzz.
    pub seconds: u64,
    /// Which compiler builds the target.
    pub toolchain: Toolchain,
    /// Build every target as the Wasm-running ones always are (coverage
    /// only, no AddressSanitizer), sharing their build: CI uses it to fuzz
    /// `validate` without a second Wasmer build.
    pub no_sanitizer: bool,
    /// libFuzzer's random seed; `None` lets it pick one. A fixed seed makes
    /// a short run (CI's) try the same inputs every time, so its verdict
    /// does not depend on luck.
    pub seed: Option<u32>,
}

impl Default for FuzzOptions {
    fn default() -> Self {
        Self {
            seconds: 60,
            toolchain: Toolchain::Nightly,
            no_sanitizer: false,
            seed: None,
        }
    }
}

/// Runs cargo-fuzz target `target` as `options` say
/// (`cargo +nightly fuzz run TARGET -- -max_total_time=N` in `fuzz/`).
///
/// Fails with an install hint if the toolchain or cargo-fuzz is missing, and
/// with the artifact location if the fuzzer finds a crash.
pub fn run(target: &str, options: FuzzOptions) -> anyhow::Result<()> {
    let FuzzOptions {
        seconds,
        toolchain,
        no_sanitizer,
        seed,
    } = options;
    if toolchain == Toolchain::Nightly {
        ensure_nightly()?;
    }
    ensure_cargo_fuzz(toolchain)?;
    let dir = fuzz_dir();
    let mut command = cargo(toolchain);
    command.args(["fuzz", "run", target]);
    if WITH_ENGINE.contains(&target) {
        command.args(["--features", "engine"]);
    }
    if no_sanitizer || WITHOUT_SANITIZER.contains(&target) {
        // Its own target folder, so switching sanitizers never rebuilds.
        command.args([
            "--sanitizer",
            "none",
            "--target-dir",
            "target/sanitizer-none",
        ]);
    }
    // Committed seeds (`fuzz/seeds/TARGET`) join the working corpus:
    // libFuzzer writes new inputs to the first folder and only reads the rest.
    let seeds = dir.join("seeds").join(target);
    if seeds.is_dir() {
        let corpus = dir.join("corpus").join(target);
        std::fs::create_dir_all(&corpus)
            .with_context(|| format!("could not create {}", corpus.display()))?;
        command.arg(&corpus).arg(&seeds);
    }
    command.arg("--").arg(format!("-max_total_time={seconds}"));
    if let Some((_, max_len)) = STRUCTURED_MAX_LEN.iter().find(|(name, _)| *name == target) {
        command.arg(format!("-max_len={max_len}"));
    }
    if let Some(seed) = seed {
        command.arg(format!("-seed={seed}"));
    }
    let status = command.current_dir(&dir).status().with_context(|| {
        format!(
            "could not start `cargo fuzz` ({toolchain:?} toolchain) in {}",
            dir.display()
        )
    })?;
    if !status.success() {
        bail!(
            "fuzz target `{target}` failed ({status}); any crashing input is in {}",
            dir.join("artifacts").join(target).display()
        );
    }
    Ok(())
}

/// The `fuzz/` project at the workspace root.
fn fuzz_dir() -> PathBuf {
    // xtask/ sits directly under the workspace root.
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("fuzz")
}

/// `cargo` under `toolchain`. For nightly, without the toolchain choice of
/// the `cargo xtask` that runs us (rustup exports it to child processes);
/// for the pinned toolchain, keeping it.
fn cargo(toolchain: Toolchain) -> Command {
    let mut command = Command::new("cargo");
    match toolchain {
        Toolchain::Nightly => {
            command.arg("+nightly").env_remove("RUSTUP_TOOLCHAIN");
        }
        Toolchain::Pinned => {
            command.env("RUSTC_BOOTSTRAP", "1");
        }
    }
    command
}

fn ensure_nightly() -> anyhow::Result<()> {
    let output = Command::new("rustup")
        .args(["toolchain", "list"])
        .output()
        .context(
            "`cargo +nightly` needs rustup, which was not found; install it from \
             https://rustup.rs, then run `rustup toolchain install nightly`",
        )?;
    if !output.status.success() || !lists_nightly(&String::from_utf8_lossy(&output.stdout)) {
        bail!(
            "the nightly toolchain is not installed (cargo-fuzz needs it): \
             run `rustup toolchain install nightly`"
        );
    }
    Ok(())
}

fn ensure_cargo_fuzz(toolchain: Toolchain) -> anyhow::Result<()> {
    let output = cargo(toolchain)
        .args(["fuzz", "--version"])
        .output()
        .context("could not run cargo")?;
    if !output.status.success() {
        bail!(
            "cargo-fuzz is not installed: run `cargo install cargo-fuzz` ({})",
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .next()
                .unwrap_or_default()
                .trim()
        );
    }
    Ok(())
}

/// Whether `rustup toolchain list` output names a nightly toolchain
/// (`nightly-x86_64-unknown-linux-gnu`, possibly marked `(default)`).
fn lists_nightly(toolchains: &str) -> bool {
    toolchains
        .lines()
        .any(|line| line.trim_start().starts_with("nightly"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_nightly_in_toolchain_list() {
        let with = "stable-x86_64-unknown-linux-gnu (default)\n\
                    nightly-x86_64-unknown-linux-gnu\n\
                    1.96.0-x86_64-unknown-linux-gnu (active)\n";
        assert!(lists_nightly(with));
        let without = "stable-x86_64-unknown-linux-gnu (default)\n\
                       1.96.0-x86_64-unknown-linux-gnu (active)\n";
        assert!(!lists_nightly(without));
        assert!(!lists_nightly(""));
    }

    #[test]
    fn fuzz_dir_holds_the_fuzz_project() {
        assert!(fuzz_dir().join("Cargo.toml").is_file());
    }
}
