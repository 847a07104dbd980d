//! `cwr demo`: the quickest look at what the runtime does. Builds the
//! fixtures it needs, runs a cw20 + cw1-whitelist scenario on an in-memory
//! chain (instantiate, transfers, an allowance flow, a cw1 execute on
//! behalf, queries), then the cw20 part again with the native emulators,
//! and prints gas in both units and timings side by side.
//!
//! The demo is an ordinary scenario (`src/demo.json`), run by the same
//! runner as `cwr run`.

use std::io::Write;
use std::path::Path;

use cw_gas::CosmWasmSchedule;

use crate::choices::Mode;
use crate::codes;
use crate::error::CliError;
use crate::output::{self, gas_cells};
use crate::runner::{RunOptions, Runner, StepReport};
use crate::scenario::Scenario;
use crate::timing::duration;

/// The number of leading demo steps that use cw20 only (replayed natively).
const CW20_STEPS: usize = 7;

/// The demo scenario, in the format `cwr run` reads (so
/// `cwr run crates/cw-cli/src/demo.json` runs it too).
pub(crate) const SCENARIO: &str = include_str!("demo.json");

/// The module cache folder under `target/fixtures` when none is given.
const DEFAULT_CACHE: &str = "module-cache";

/// The demo's cw20 code, replayed natively.
const CW20: &str = "cw20";

/// Runs the demo; `Ok(false)` if one of its expectations did not hold.
///
/// # Errors
/// [`CliError`] when the fixtures cannot be built or the chain set up.
pub(crate) fn run(cache_dir: Option<&Path>) -> Result<bool, CliError> {
    let scenario = Scenario::parse(SCENARIO, Path::new("demo.json"), Path::new("."))?;
    eprintln!("demo: making sure the fixtures are built (cw20_base, cw1_whitelist) ...");
    let wasm = codes::load_with_progress(&scenario.codes)?;
    // Compiled modules are kept beside the fixtures by default, so a second
    // demo loads them instead of compiling again.
    let cache_dir = cache_dir.map_or_else(
        || xtask::fixtures::fixtures_dir().join(DEFAULT_CACHE),
        Path::to_owned,
    );
    let options = RunOptions {
        mode: Mode::Wasm,
        cache_dir: Some(cache_dir),
        quiet: false,
        tier_up_after: None,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    writeln!(
        out,
        "cw20-base + cw1-whitelist on an in-memory chain (Wasm, cosmwasm-vm 3.0 prices)"
    )?;
    writeln!(out, "{}\n", build_note(cfg!(debug_assertions)))?;
    let mut runner = Runner::start(CosmWasmSchedule::default(), &scenario, &wasm, &options)?;
    output::table_header(&mut out)?;
    let mut wasm_reports = Vec::new();
    let mut held = true;
    for (i, step) in scenario.steps.iter().enumerate() {
        let report = runner.step(i + 1, step);
        output::table_row(&mut out, &report)?;
        held &= !matches!(report.expect, Some(Err(_)));
        wasm_reports.push(report);
    }
    out.flush()?;
    writeln!(out)?;
    let native = Scenario {
        path: scenario.path.clone(),
        env: scenario.env.clone(),
        codes: scenario
            .codes
            .iter()
            .filter(|(name, _)| name == CW20)
            .cloned()
            .collect(),
        steps: Vec::new(),
    };
    let native_wasm: Vec<(String, Vec<u8>)> = wasm
        .iter()
        .filter(|(name, _)| name == CW20)
        .cloned()
        .collect();
    let native_options = RunOptions {
        mode: Mode::Native,
        ..options
    };
    match Runner::start(
        CosmWasmSchedule::default(),
        &native,
        &native_wasm,
        &native_options,
    ) {
        Ok(mut runner) => {
            writeln!(
                out,
                "the cw20 steps again, through the native emulator:\n\n{:>3}  {:<13} {:>16} {:>16} {:>10} {:>10}",
                "#", "op", "Wasm gas", "native gas", "Wasm time", "native time"
            )?;
            let pairs = scenario.steps.iter().zip(&wasm_reports).take(CW20_STEPS);
            for (i, (step, wasm_report)) in pairs.enumerate() {
                let report = runner.step(i + 1, step);
                held &= !matches!(report.expect, Some(Err(_)));
                compare_row(&mut out, wasm_report, &report)?;
            }
        }
        Err(CliError::StoreCode { error, .. }) => {
            writeln!(
                out,
                "native: the native emulators are unavailable in this build, so the native cw20 \
                 run is skipped ({error})"
            )?;
        }
        Err(other) => return Err(other),
    }
    out.flush()?;
    Ok(held)
}

/// What the times below are worth: gas is the same in every build, wall
/// time is not (a debug build runs the host 10-50x slower).
fn build_note(debug: bool) -> &'static str {
    if debug {
        "times are from a DEBUG build of cwr, 10-50x slower than release; gas is the same in every \
         build. Real figures: cargo run --release -p cw-cli --bin cwr -- demo"
    } else {
        "times are from a release build of cwr"
    }
}

fn compare_row(out: &mut dyn Write, wasm: &StepReport, native: &StepReport) -> std::io::Result<()> {
    let (wasm_gas, _) = gas_cells(wasm.gas.as_ref());
    let (native_gas, _) = gas_cells(native.gas.as_ref());
    let mark = if wasm.outcome.is_ok() == native.outcome.is_ok() {
        ""
    } else {
        "  (outcomes differ)"
    };
    writeln!(
        out,
        "{:>3}  {:<13} {:>16} {:>16} {:>10} {:>10}{mark}",
        wasm.index,
        wasm.op,
        wasm_gas,
        native_gas,
        duration(wasm.elapsed),
        duration(native.elapsed)
    )
}

#[cfg(test)]
mod tests {
    use super::build_note;

    #[test]
    fn the_demo_says_which_build_its_times_come_from() {
        assert!(build_note(true).contains("DEBUG") && build_note(true).contains("--release"));
        assert!(build_note(false).contains("release") && !build_note(false).contains("DEBUG"));
    }
}
