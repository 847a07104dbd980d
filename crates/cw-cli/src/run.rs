//! `cwr run SCENARIO.json`: check the scenario whole, load its codes, run
//! its steps, print a table or JSON lines.

use std::io::Write;
use std::path::PathBuf;

use cw_gas::CostTable;

use crate::choices::GasProfile;
use crate::codes;
use crate::error::CliError;
use crate::output;
use crate::runner::{RunOptions, Runner};
use crate::scenario::Scenario;
use crate::setup::WithTable;

/// What `cwr run` was asked.
#[derive(Debug, Clone)]
pub(crate) struct RunArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// One JSON object per line instead of a table.
    pub json: bool,
    /// The chain's cost table.
    pub gas_profile: GasProfile,
    /// Mode, cache folder.
    pub options: RunOptions,
}

/// How a scenario ended (it ran to the end either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Summary {
    /// Steps run.
    pub steps: usize,
    /// Steps that failed (a result, not an error).
    pub failed_steps: usize,
    /// Expectations that did not hold.
    pub failed_expects: usize,
}

/// Runs the scenario; `Ok` means it ran to the end.
///
/// # Errors
/// [`CliError`] for a malformed scenario, a code that cannot be loaded or
/// stored, or output that cannot be written; no step has run then.
pub(crate) fn run(args: &RunArgs) -> Result<Summary, CliError> {
    let scenario = Scenario::from_file(&args.scenario)?;
    let wasm = codes::load(&scenario.codes)?;
    args.gas_profile.dispatch(Job {
        scenario: &scenario,
        wasm: &wasm,
        args,
    })
}

struct Job<'a> {
    scenario: &'a Scenario,
    wasm: &'a [(String, Vec<u8>)],
    args: &'a RunArgs,
}

impl WithTable for Job<'_> {
    type Output = Result<Summary, CliError>;

    fn run<T: CostTable>(self, table: T) -> Self::Output {
        let mut runner = Runner::start(table, self.scenario, self.wasm, &self.args.options)?;
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        if !self.args.json {
            output::table_header(&mut out)?;
        }
        let mut summary = Summary {
            steps: 0,
            failed_steps: 0,
            failed_expects: 0,
        };
        for (i, step) in self.scenario.steps.iter().enumerate() {
            let report = runner.step(i + 1, step);
            summary.steps = summary.steps.saturating_add(1);
            if !report.outcome.is_ok() {
                summary.failed_steps = summary.failed_steps.saturating_add(1);
            }
            if let Some(Err(reason)) = &report.expect {
                summary.failed_expects = summary.failed_expects.saturating_add(1);
                eprintln!(
                    "{}: step {} ({}): expectation failed: {reason}",
                    self.scenario.path.display(),
                    report.index,
                    report.op
                );
            }
            if self.args.json {
                writeln!(out, "{}", output::step_json(&report))?;
            } else {
                output::table_row(&mut out, &report)?;
            }
        }
        if self.args.json {
            writeln!(out, "{}", output::final_json(&runner.final_state()))?;
        } else {
            let state = runner.final_state();
            writeln!(
                out,
                "\n{} steps: {} ok, {} failed; {}; {} contracts at height {}",
                summary.steps,
                summary.steps.saturating_sub(summary.failed_steps),
                summary.failed_steps,
                match summary.failed_expects {
                    0 => "every expectation held".to_owned(),
                    n => format!("{n} expectations FAILED"),
                },
                state.contracts.len(),
                state.block.height
            )?;
        }
        out.flush()?;
        Ok(summary)
    }
}
