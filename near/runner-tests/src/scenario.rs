//! `cwr-near`: a `cwr run` scenario (docs/scenario.md) through the cw-near
//! contract in NEAR's own VM, each step one NEAR call, with both gas units.
//!
//! What a NEAR deployment changes, said before the run: senders and
//! `@name` accounts are NEAR accounts (`name.near`), contract addresses are
//! the contract's (bech32 `cosmwasm`), the chain id is the contract's
//! account, and the block is the NEAR block (`advance_block` moves it).
//! `sudo` has no NEAR method (no governance calls it) and fails as a step;
//! an `error_kind` expectation cannot be checked from NEAR's abort message
//! and is reported as unchecked.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};
use cw_cli::scenario::{CodeSource, Expect, Scenario, StepSpec};
use cw_cli::subst::Namer;
use serde::Serialize;
use serde_json::value::RawValue;

use crate::{Call, NearVm, interpreter_contract_bytes, tgas};

/// Which build of the contract runs the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Build {
    /// The interpreter build (`cargo xtask build-near --interpreter`): any
    /// code, on cw-wasmi; codes are stored with `store_code_wasm`.
    Interpreter,
    /// The natives build (`cargo xtask build-near`): verified builds only,
    /// stored with `store_code`.
    Natives,
}

/// What a run found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Steps run.
    pub steps: usize,
    /// Expectations that did not hold.
    pub failed_expects: usize,
    /// Total NEAR gas burnt by every call (set-up included).
    pub near_gas: u64,
    /// Total CosmWasm gas of the steps' transactions and queries.
    pub cosmwasm_gas: u64,
}

fn fixture_known(name: &str) -> Result<(), String> {
    xtask::fixtures::spec(name)
        .map(drop)
        .map_err(|e| format!("{e:#}"))
}

/// A NEAR account for the scenario name `name`.
fn near_account(name: &str) -> Result<String, String> {
    let account = format!("{}.near", name.to_ascii_lowercase());
    account
        .parse::<near_primitives_core::types::AccountId>()
        .map(|_| account.clone())
        .map_err(|e| format!("{account} is not a NEAR account id: {e}"))
}

#[derive(Serialize)]
struct InstantiateInput<'a> {
    code_id: u64,
    msg: &'a RawValue,
    funds: &'a [cosmwasm_std::Coin],
    admin: Option<String>,
    label: String,
}

#[derive(Serialize)]
struct ExecuteInput<'a> {
    contract: String,
    msg: &'a RawValue,
    funds: &'a [cosmwasm_std::Coin],
}

#[derive(Serialize)]
struct MigrateInput<'a> {
    contract: String,
    new_code_id: u64,
    msg: &'a RawValue,
}

#[derive(Serialize)]
struct QueryInput<'a> {
    contract: String,
    msg: &'a RawValue,
}

/// One step's outcome as the run reports it.
struct Outcome {
    /// The result bytes (a transaction report or a query answer), or the
    /// abort message.
    result: Result<Vec<u8>, String>,
    /// CosmWasm gas, when the contract reported it.
    cosmwasm_gas: Option<u64>,
    near_gas: u64,
}

impl Outcome {
    fn of(call: &Call) -> Self {
        let near_gas = call.burnt_gas();
        match call.abort_message() {
            Some(message) => Self {
                cosmwasm_gas: message
                    .rsplit_once(" CosmWasm gas used)")
                    .and_then(|(head, _)| head.rsplit_once('('))
                    .and_then(|(_, gas)| gas.parse().ok()),
                result: Err(message),
                near_gas,
            },
            None => {
                let bytes = call.returned().map(<[u8]>::to_vec).unwrap_or_default();
                let cosmwasm_gas = serde_json::from_slice::<serde_json::Value>(&bytes)
                    .ok()
                    .and_then(|v| v.get("cosmwasm_gas").and_then(serde_json::Value::as_u64))
                    .or_else(|| {
                        call.outcome
                            .logs
                            .iter()
                            .find_map(|line| line.strip_prefix("cosmwasm_gas: "))
                            .and_then(|gas| gas.parse().ok())
                    });
                Self {
                    result: Ok(bytes),
                    cosmwasm_gas,
                    near_gas,
                }
            }
        }
    }
}

/// Runs `scenario_path` on `build`, printing a line per step to `out`.
///
/// # Errors
/// A malformed scenario, an unreadable code, a missing contract build, a
/// code the contract refuses, or a fault of the runner.
pub fn run(scenario_path: &Path, build: Build, out: &mut String) -> Result<Summary> {
    let text = std::fs::read_to_string(scenario_path)
        .with_context(|| format!("reading {}", scenario_path.display()))?;
    let base = scenario_path.parent().unwrap_or(Path::new("."));
    let scenario = Scenario::parse_with(&text, scenario_path, base, fixture_known)?;
    let contract = match build {
        Build::Interpreter => interpreter_contract_bytes()?,
        Build::Natives => crate::contract_bytes()?,
    };
    let mut vm = NearVm::new(contract);
    vm.set_block(scenario.env.height, scenario.env.time_nanos);
    let limit = vm.max_gas_burnt();
    let mut namer = Namer::new(near_account);
    let mut summary = Summary::default();
    writeln!(
        out,
        "{}: {} codes, {} steps on the cw-near contract ({}) in near-vm-runner",
        scenario.path.display(),
        scenario.codes.len(),
        scenario.steps.len(),
        match build {
            Build::Interpreter => "interpreter build",
            Build::Natives => "natives build",
        }
    )?;
    // Codes, in id order.
    let store_method = match build {
        Build::Interpreter => "store_code_wasm",
        Build::Natives => "store_code",
    };
    for (i, (name, source)) in scenario.codes.iter().enumerate() {
        let wasm = match source {
            CodeSource::Fixture(fixture) => xtask::fixtures::fixture_bytes(fixture)?,
            CodeSource::File(path) => std::fs::read(base.join(path))
                .with_context(|| format!("reading code {name} from {}", path.display()))?,
        };
        let call = vm.call(store_method, crate::CONTRACT_ACCOUNT, &wasm, limit)?;
        summary.near_gas += call.burnt_gas();
        if let Some(message) = call.abort_message() {
            bail!("the contract refused code {name}: {message}");
        }
        let id: u64 = serde_json::from_slice(call.returned()?)?;
        if id != i as u64 + 1 {
            bail!("code {name} got id {id}, expected {}", i + 1);
        }
        writeln!(
            out,
            "code {id} {name}: {} bytes, {:.3} Tgas",
            wasm.len(),
            tgas(call.burnt_gas())
        )?;
    }
    // Genesis balances, minted by the contract account.
    for (account, coins) in &scenario.env.balances.0 {
        let address = namer.text(account)?;
        let input = serde_json::to_vec(&serde_json::json!({"address": address, "coins": coins}))?;
        let call = vm.call("mint", crate::CONTRACT_ACCOUNT, &input, limit)?;
        summary.near_gas += call.burnt_gas();
        if let Some(message) = call.abort_message() {
            bail!("minting the genesis balance of {account}: {message}");
        }
    }
    let code_id = |name: &str| -> Result<u64> {
        scenario
            .codes
            .iter()
            .position(|(n, _)| n == name)
            .map(|i| i as u64 + 1)
            .with_context(|| format!("no code {name}"))
    };
    for (i, step) in scenario.steps.iter().enumerate() {
        let msg_bytes = match step.msg() {
            Some(msg) => namer.message(msg)?,
            None => b"null".to_vec(),
        };
        let msg = RawValue::from_string(String::from_utf8(msg_bytes)?)?;
        // A contract reference: an alias, else an address as written.
        let contract_ref = |namer: &Namer, reference: &str| -> String {
            namer
                .alias(reference)
                .map_or_else(|| reference.to_owned(), str::to_owned)
        };
        let outcome = match step {
            StepSpec::Instantiate {
                code,
                alias,
                sender,
                funds,
                admin,
                label,
                ..
            } => {
                let input = serde_json::to_vec(&InstantiateInput {
                    code_id: code_id(code)?,
                    msg: &msg,
                    funds,
                    admin: admin.as_deref().map(|a| namer.text(a)).transpose()?,
                    label: label
                        .clone()
                        .or_else(|| alias.clone())
                        .unwrap_or(code.clone()),
                })?;
                let sender = namer.text(sender)?;
                let call = vm.call("instantiate", &sender, &input, limit)?;
                let outcome = Outcome::of(&call);
                if let (Ok(bytes), Some(alias)) = (&outcome.result, alias) {
                    let report: serde_json::Value = serde_json::from_slice(bytes)?;
                    let address = report["contract_address"]
                        .as_str()
                        .context("an instantiation reports its address")?;
                    namer.set_alias(alias, address);
                }
                outcome
            }
            StepSpec::Execute {
                contract,
                sender,
                funds,
                ..
            } => {
                let input = serde_json::to_vec(&ExecuteInput {
                    contract: contract_ref(&namer, contract),
                    msg: &msg,
                    funds,
                })?;
                let sender = namer.text(sender)?;
                Outcome::of(&vm.call("execute", &sender, &input, limit)?)
            }
            StepSpec::Migrate {
                contract,
                sender,
                code,
                ..
            } => {
                let input = serde_json::to_vec(&MigrateInput {
                    contract: contract_ref(&namer, contract),
                    new_code_id: code_id(code)?,
                    msg: &msg,
                })?;
                let sender = namer.text(sender)?;
                Outcome::of(&vm.call("migrate", &sender, &input, limit)?)
            }
            StepSpec::Query { contract, .. } => {
                let input = serde_json::to_vec(&QueryInput {
                    contract: contract_ref(&namer, contract),
                    msg: &msg,
                })?;
                Outcome::of(&vm.view("query", &input)?)
            }
            StepSpec::Sudo { .. } => Outcome {
                result: Err("sudo: the cw-near contract has no sudo method".into()),
                cosmwasm_gas: None,
                near_gas: 0,
            },
            StepSpec::AdvanceBlock { height, time_nanos } => {
                let (old_height, old_time) = vm.block();
                vm.set_block(
                    height.unwrap_or(old_height + 1),
                    time_nanos.unwrap_or(old_time + 5_000_000_000),
                );
                Outcome {
                    result: Ok(Vec::new()),
                    cosmwasm_gas: None,
                    near_gas: 0,
                }
            }
        };
        summary.steps += 1;
        summary.near_gas += outcome.near_gas;
        summary.cosmwasm_gas += outcome.cosmwasm_gas.unwrap_or(0);
        let verdict = check(step.expect(), &outcome, &mut namer)?;
        if verdict.starts_with("FAILED") {
            summary.failed_expects += 1;
        }
        writeln!(
            out,
            "step {} {}: {}; CosmWasm gas {}; NEAR gas {:.3} Tgas{}",
            i + 1,
            step.op(),
            match &outcome.result {
                Ok(_) => "ok".to_owned(),
                Err(message) => format!("error: {message}"),
            },
            outcome
                .cosmwasm_gas
                .map_or_else(|| "-".to_owned(), |g| g.to_string()),
            tgas(outcome.near_gas),
            verdict
        )?;
    }
    writeln!(
        out,
        "{} steps, {} expectations failed; CosmWasm gas {}; NEAR gas {:.3} Tgas in all (per-call limit {:.0} Tgas)",
        summary.steps,
        summary.failed_expects,
        summary.cosmwasm_gas,
        tgas(summary.near_gas),
        tgas(limit.as_gas()),
    )?;
    Ok(summary)
}

/// The expectation's verdict: empty when there is none, `; expect held`,
/// `; expect held (error_kind not checked on NEAR)`, or `FAILED ...`.
fn check(expect: Option<&Expect>, outcome: &Outcome, namer: &mut Namer) -> Result<String> {
    let Some(expect) = expect else {
        return Ok(String::new());
    };
    let failed = |why: String| Ok(format!("; FAILED expect: {why}"));
    match (expect, &outcome.result) {
        (Expect::Ok, Ok(_)) => Ok("; expect held".into()),
        (Expect::Ok, Err(message)) => failed(format!("ok, got error {message}")),
        (Expect::Error { .. }, Ok(_)) => failed("an error, got ok".into()),
        (Expect::Error { contains, kind }, Err(message)) => {
            if let Some(part) = contains
                && !message.contains(part.as_str())
            {
                return failed(format!("an error containing {part:?}, got {message}"));
            }
            Ok(if kind.is_some() {
                "; expect held (error_kind not checked on NEAR)".into()
            } else {
                "; expect held".into()
            })
        }
        (Expect::Json(_), Err(message)) => failed(format!("a JSON result, got error {message}")),
        (Expect::Json(want), Ok(bytes)) => {
            let want: serde_json::Value = serde_json::from_slice(&namer.message(want)?)?;
            // A transaction's result is its data (base64), a query's the
            // answer itself.
            let got: serde_json::Value = serde_json::from_slice(bytes)?;
            let got = match got.get("data") {
                Some(serde_json::Value::String(data)) if got.get("cosmwasm_gas").is_some() => {
                    let raw = cosmwasm_std::Binary::from_base64(data)
                        .map_err(|e| anyhow::anyhow!("result data: {e}"))?;
                    serde_json::from_slice(raw.as_slice())?
                }
                _ => got,
            };
            if got == want {
                Ok("; expect held".into())
            } else {
                failed(format!("{want}, got {got}"))
            }
        }
    }
}
