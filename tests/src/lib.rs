//! Helpers shared by the integration tests (and the benches): the one way to
//! get a contract fixture. A missing or stale fixture is built on first use, so
//! `cargo test` passes on a fresh clone with no extra step.

use std::path::PathBuf;

pub use xtask::fixtures::{FIXTURES, Manifest};

/// The bytes of the named fixture (`cw20_base`, `probe`, ...), built if needed.
///
/// # Panics
/// When the fixture cannot be built; the message carries the build error
/// (for example the exact `rustup` command for a missing target).
pub fn fixture_bytes(name: &str) -> Vec<u8> {
    xtask::fixtures::fixture_bytes(name).unwrap_or_else(|e| panic!("fixture `{name}`: {e:#}"))
}

/// The path of the named fixture's Wasm file, built if needed.
///
/// # Panics
/// When the fixture cannot be built.
pub fn fixture_path(name: &str) -> PathBuf {
    xtask::fixtures::fixture_path(name).unwrap_or_else(|e| panic!("fixture `{name}`: {e:#}"))
}

/// The manifest after making sure every fixture is built.
///
/// # Panics
/// When a fixture cannot be built.
pub fn all_fixtures() -> Manifest {
    let options = xtask::fixtures::BuildOptions {
        quiet: true,
        ..Default::default()
    };
    xtask::fixtures::ensure_built(&options).unwrap_or_else(|e| panic!("fixtures: {e:#}"))
}

/// Runs the ignored test `name` (its full path, e.g.
/// `differential::failures::stack_exhaustion_alone`) of the running test
/// binary in a process of its own, and returns its standard output.
///
/// For what must run on Wasmer's defaults: Wasmer hands coroutine stacks
/// from call to call (a thread's cache, then a process-wide pool, any stack
/// at least as large as asked), so after one of this runtime's calls (on
/// its 32 MiB stack) cosmwasm-vm in the same process recurses deeper than
/// it does on a chain (1 MiB).
///
/// # Panics
/// When the child cannot run, or the test failed or did not run.
pub fn run_alone(name: &str) -> String {
    let exe = std::env::current_exe().expect("the test binary's path");
    let output = std::process::Command::new(exe)
        .args([
            name,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .output()
        .unwrap_or_else(|e| panic!("running {name} alone: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "{name}, run alone, failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}
