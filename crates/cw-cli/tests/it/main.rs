//! End-to-end tests of the `cwr` binary, run as a user would: one test
//! binary, a module per command.

mod check;
mod local;
mod scenarios;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The built `cwr`.
pub fn cwr() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cwr"))
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A module cache shared by every test process (artifacts are written
/// atomically and verified when loaded), so each fixture compiles once.
pub fn cache_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("cwr-module-cache")
}

/// stdout and stderr, for assertion messages.
pub fn show(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
