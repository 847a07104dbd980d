//! Prints NEAR's block counts of a contract: `cargo run --example blocks -- FILE`.
fn main() -> anyhow::Result<()> {
    let path = std::env::args().nth(1).expect("a .wasm file");
    let wasm = std::fs::read(&path)?;
    let (most, total) = cw_near_runner_tests::block_counts(&wasm)?;
    println!(
        "{path}: {} bytes, blocks: {most} in one function, {total} in all",
        wasm.len()
    );
    Ok(())
}
