//! `cargo xtask fuzz TARGET --seconds N` (being written for issue 3).

/// Runs one cargo-fuzz target for a bounded time.
pub fn run(target: &str, seconds: u64) -> anyhow::Result<()> {
    anyhow::bail!("fuzz target {target} ({seconds} s): `cargo xtask fuzz` is not wired yet")
}
