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
