//! Printing step reports: a readable table, or one JSON object per line.
//! The JSON form is deterministic to the byte (no wall time, fields in a
//! fixed order, maps sorted); the table adds timings.

use std::collections::BTreeMap;
use std::io::Write;

use cosmwasm_std::{Binary, Coin};
use cw_gas::GasCategory;
use cw_runtime::chain::{BlockState, Event, TxGas};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::runner::{FinalState, Outcome, StepReport, coin_list};
use crate::timing::duration;

/// A step as one JSON line.
#[derive(Serialize)]
struct StepJson<'a> {
    step: usize,
    op: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    contract: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<&'a str>,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    response: Option<ResponseJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    json: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_kind: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    block: Option<&'a BlockState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gas: Option<GasJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expect: Option<ExpectJson<'a>>,
}

/// A transaction's response: result data (base64) and events.
#[derive(Serialize)]
struct ResponseJson<'a> {
    data: Option<String>,
    events: &'a [Event],
}

#[derive(Serialize)]
struct ExpectJson<'a> {
    held: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

/// Gas of a step: totals in both units, the breakdown by category in
/// CosmWasm gas, and each contract call.
#[derive(Serialize)]
struct GasJson<'a> {
    cosmwasm: u64,
    near: Option<u64>,
    breakdown: Breakdown,
    calls: Vec<CallJson<'a>>,
}

#[derive(Serialize)]
struct CallJson<'a> {
    contract: &'a str,
    entry: &'a str,
    cosmwasm: u64,
    near: Option<u64>,
}

/// CosmWasm gas per category, summed over calls, in report order.
struct Breakdown([u64; GasCategory::ALL.len()]);

impl Serialize for Breakdown {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (category, amount) in GasCategory::ALL.iter().zip(self.0) {
            map.serialize_entry(category.name(), &amount)?;
        }
        map.end()
    }
}

fn gas_json(gas: &TxGas) -> GasJson<'_> {
    let mut breakdown = [0u64; GasCategory::ALL.len()];
    for call in &gas.calls {
        for (category, line) in &call.report.breakdown {
            if let Some(i) = GasCategory::ALL.iter().position(|c| c == category) {
                breakdown[i] = breakdown[i].saturating_add(line.cw_gas.as_u64());
            }
        }
    }
    GasJson {
        cosmwasm: gas.cosmwasm().as_u64(),
        near: gas.near().map(|n| n.as_u64()),
        breakdown: Breakdown(breakdown),
        calls: gas
            .calls
            .iter()
            .map(|c| CallJson {
                contract: &c.contract,
                entry: c.entry,
                cosmwasm: c.report.used.cw_gas.as_u64(),
                near: c.report.used.near_gas.map(|n| n.as_u64()),
            })
            .collect(),
    }
}

/// The JSON object of one step (one line of `--json` output).
#[must_use]
pub(crate) fn step_json(report: &StepReport) -> String {
    let mut line = StepJson {
        step: report.index,
        op: report.op,
        contract: report.contract.as_deref(),
        address: report.address.as_deref(),
        ok: report.outcome.is_ok(),
        response: None,
        result: None,
        json: None,
        error: None,
        error_kind: None,
        block: None,
        gas: report.gas.as_ref().map(gas_json),
        expect: report.expect.as_ref().map(|e| ExpectJson {
            held: e.is_ok(),
            reason: e.as_ref().err().map(String::as_str),
        }),
    };
    match &report.outcome {
        Outcome::Tx(done) => {
            line.response = Some(ResponseJson {
                data: done
                    .data
                    .as_ref()
                    .map(|d| Binary::from(d.clone()).to_base64()),
                events: &done.events,
            });
        }
        Outcome::Query(data) => {
            line.result = Some(Binary::from(data.clone()).to_base64());
            line.json = serde_json::from_slice(data).ok();
        }
        Outcome::Failed { message, kind } => {
            line.error = Some(message);
            line.error_kind = Some(kind);
        }
        Outcome::Block(block) => line.block = Some(block),
    }
    serde_json::to_string(&line).unwrap_or_default()
}

#[derive(Serialize)]
struct FinalJson<'a> {
    final_state: StateJson<'a>,
}

#[derive(Serialize)]
struct StateJson<'a> {
    block: &'a BlockState,
    contracts: BTreeMap<&'a str, ContractJson<'a>>,
    accounts: BTreeMap<&'a str, AccountJson<'a>>,
}

#[derive(Serialize)]
struct ContractJson<'a> {
    alias: Option<&'a str>,
    code: Option<&'a str>,
    code_id: u64,
    label: &'a str,
    admin: Option<&'a str>,
    storage: Vec<[String; 2]>,
    balances: Vec<Coin>,
}

#[derive(Serialize)]
struct AccountJson<'a> {
    address: &'a str,
    balances: Vec<Coin>,
}

/// The final state object (the last line of `--json` output): per contract
/// address its storage as sorted `[hex key, hex value]` pairs and balances;
/// per named account its address and balances.
#[must_use]
pub(crate) fn final_json(state: &FinalState) -> String {
    let json = FinalJson {
        final_state: StateJson {
            block: &state.block,
            contracts: state
                .contracts
                .iter()
                .map(|c| {
                    (
                        c.address.as_str(),
                        ContractJson {
                            alias: c.alias.as_deref(),
                            code: c.code.as_deref(),
                            code_id: c.code_id,
                            label: &c.label,
                            admin: c.admin.as_deref(),
                            storage: c
                                .storage
                                .iter()
                                .map(|(k, v)| [hex::encode(k), hex::encode(v)])
                                .collect(),
                            balances: coin_list(&c.balances),
                        },
                    )
                })
                .collect(),
            accounts: state
                .accounts
                .iter()
                .map(|(name, address, coins)| {
                    (
                        name.as_str(),
                        AccountJson {
                            address,
                            balances: coin_list(coins),
                        },
                    )
                })
                .collect(),
        },
    };
    serde_json::to_string(&json).unwrap_or_default()
}

/// `1234567` as `1,234,567`.
#[must_use]
pub(crate) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The table's header.
///
/// # Errors
/// Writing failed.
pub(crate) fn table_header(out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{:>3}  {:<13} {:<12} {:<6} {:>16} {:>22} {:>10}",
        "#", "op", "contract", "result", "gas (CosmWasm)", "gas (NEAR)", "time"
    )
}

/// Gas totals as table cells (`-` without gas).
#[must_use]
pub(crate) fn gas_cells(gas: Option<&TxGas>) -> (String, String) {
    match gas {
        Some(gas) => (
            grouped(gas.cosmwasm().as_u64()),
            gas.near()
                .map_or_else(|| "overflow".into(), |n| grouped(n.as_u64())),
        ),
        None => ("-".into(), "-".into()),
    }
}

/// One table row, and a detail line: the query answer, the new contract,
/// the error, a failed expectation.
///
/// # Errors
/// Writing failed.
pub(crate) fn table_row(out: &mut dyn Write, report: &StepReport) -> std::io::Result<()> {
    let (cw, near) = gas_cells(report.gas.as_ref());
    let result = if report.outcome.is_ok() {
        "ok"
    } else {
        "error"
    };
    writeln!(
        out,
        "{:>3}  {:<13} {:<12} {:<6} {:>16} {:>22} {:>10}",
        report.index,
        report.op,
        report.contract.as_deref().unwrap_or("-"),
        result,
        cw,
        near,
        duration(report.elapsed)
    )?;
    match &report.outcome {
        Outcome::Tx(done) => {
            if let Some(address) = &done.contract_address {
                writeln!(out, "     = {address}")?;
            }
        }
        Outcome::Query(data) => {
            writeln!(
                out,
                "     = {}",
                shorten(&String::from_utf8_lossy(data), 160)
            )?;
        }
        Outcome::Failed { message, kind } => {
            writeln!(out, "     ! {kind}: {}", shorten(message, 200))?;
        }
        Outcome::Block(block) => {
            writeln!(
                out,
                "     = height {}, time {} ns",
                block.height, block.time_nanos
            )?;
        }
    }
    if let Some(Err(reason)) = &report.expect {
        writeln!(out, "     ! EXPECTATION FAILED: {reason}")?;
    }
    Ok(())
}

/// `text` on one line (line breaks become spaces), cut to `max`
/// characters with an ellipsis.
#[must_use]
pub(crate) fn shorten(text: &str, max: usize) -> String {
    let line: String = text
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    if line.chars().count() <= max {
        line
    } else {
        let cut: String = line.chars().take(max).collect();
        format!("{cut}…")
    }
}

/// Coins as `100ucosm,5uatom` (`none` when empty).
#[must_use]
pub(crate) fn coins_text(coins: &cw_runtime::chain::Coins) -> String {
    if coins.is_empty() {
        return "none".into();
    }
    coins
        .iter()
        .map(|(denom, amount)| format!("{amount}{denom}"))
        .collect::<Vec<_>>()
        .join(",")
}
