//! `cargo xtask fuzz TARGET --seconds N`: run one cargo-fuzz target of the
//! `fuzz/` project for a bounded time.
//!
//! cargo-fuzz needs a nightly toolchain (sanitizer flags), while the rest of
//! the workspace is pinned to stable by `rust-toolchain.toml`; `fuzz/` is its
//! own workspace so the two never mix. Both prerequisites are checked first so
//! a missing one is reported with the command that installs it.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, bail};

/// The toolchain cargo-fuzz runs under.
const TOOLCHAIN: &str = "nightly";

/// Targets that run Wasm. Wasmer runs Wasm on its own stacks (corosensei)
/// and switches back to the host stack for every import; AddressSanitizer
/// cannot follow the switches and reports false stack-buffer-underflows
/// (google/sanitizers#189, "ASan is ignoring requested
/// __asan_handle_no_return"). These run coverage-guided without a
/// sanitizer; debug assertions stay on.
const WITHOUT_SANITIZER: &[&str] = &["execute_probe"];

/// Runs cargo-fuzz target `target` for `seconds` seconds
/// (`cargo +nightly fuzz run TARGET -- -max_total_time=N` in `fuzz/`).
///
/// Fails with an install hint if rustup's nightly toolchain or cargo-fuzz is
/// missing, and with the artifact location if the fuzzer finds a crash.
pub fn run(target: &str, seconds: u64) -> anyhow::Result<()> {
    ensure_nightly()?;
    ensure_cargo_fuzz()?;
    let dir = fuzz_dir();
    let mut command = cargo_nightly();
    command.args(["fuzz", "run", target]);
    if WITHOUT_SANITIZER.contains(&target) {
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
    let status = command
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .current_dir(&dir)
        .status()
        .with_context(|| {
            format!(
                "could not start `cargo +{TOOLCHAIN} fuzz` in {}",
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

/// `cargo +nightly`, without the toolchain choice of the `cargo xtask` that
/// runs us (rustup exports it to child processes).
fn cargo_nightly() -> Command {
    let mut command = Command::new("cargo");
    command
        .arg(format!("+{TOOLCHAIN}"))
        .env_remove("RUSTUP_TOOLCHAIN");
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

fn ensure_cargo_fuzz() -> anyhow::Result<()> {
    let output = cargo_nightly()
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
                    1.95.0-x86_64-unknown-linux-gnu (active)\n";
        assert!(lists_nightly(with));
        let without = "stable-x86_64-unknown-linux-gnu (default)\n\
                       1.95.0-x86_64-unknown-linux-gnu (active)\n";
        assert!(!lists_nightly(without));
        assert!(!lists_nightly(""));
    }

    #[test]
    fn fuzz_dir_holds_the_fuzz_project() {
        assert!(fuzz_dir().join("Cargo.toml").is_file());
    }
}
