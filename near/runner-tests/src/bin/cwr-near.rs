//! `cwr-near SCENARIO [--natives]`: runs a `cwr run` scenario through the
//! cw-near contract in NEAR's own VM (near-vm-runner) and prints each
//! step's result with its CosmWasm gas and the NEAR gas it burnt. `cwr run
//! --engine near` calls it. Build the contract first: `cargo xtask
//! build-near --interpreter` (or `cargo xtask build-near` for `--natives`).
//!
//! Exit code 0 when every `expect` held, 1 when one did not, 2 when the
//! scenario or the contract could not be run.

use std::path::PathBuf;
use std::process::ExitCode;

use cw_near_runner_tests::scenario::{Build, run};

fn main() -> ExitCode {
    let mut scenario = None;
    let mut build = Build::Interpreter;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--natives" => build = Build::Natives,
            "--interpreter" => build = Build::Interpreter,
            "-h" | "--help" => {
                println!("usage: cwr-near SCENARIO [--natives | --interpreter]");
                return ExitCode::SUCCESS;
            }
            path if scenario.is_none() && !path.starts_with('-') => {
                scenario = Some(PathBuf::from(path));
            }
            other => {
                eprintln!("cwr-near: unexpected argument {other}");
                return ExitCode::from(2);
            }
        }
    }
    let Some(scenario) = scenario else {
        eprintln!("usage: cwr-near SCENARIO [--natives | --interpreter]");
        return ExitCode::from(2);
    };
    let mut out = String::new();
    let result = run(&scenario, build, &mut out);
    print!("{out}");
    match result {
        Ok(summary) if summary.failed_expects == 0 => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(e) => {
            eprintln!("cwr-near: {e:#}");
            ExitCode::from(2)
        }
    }
}
