//! Per-call gas records and their summary table.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use cw_gas::{CwGas, NearGas};

/// How a recorded call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum CallStatus {
    /// The contract returned `Ok`.
    Ok,
    /// The contract returned an error of its own.
    ContractError,
    /// The call ran out of gas.
    OutOfGas,
    /// Another deterministic VM failure (trap, abort, host refusal).
    VmFailure,
    /// The runtime failed (not the contract's doing).
    NodeFault,
}

impl CallStatus {
    /// A short lower-case name (`ok`, `contract_error`, `out_of_gas`, ...).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::ContractError => "contract_error",
            Self::OutOfGas => "out_of_gas",
            Self::VmFailure => "vm_failure",
            Self::NodeFault => "node_fault",
        }
    }
}

/// The gas of one entry-point call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GasRecord {
    /// The code's label ([`WasmCode::label`](crate::WasmCode::label)).
    pub code: String,
    /// The contract's address (`env.contract.address`).
    pub contract: String,
    /// The entry point's export name (`instantiate`, `execute`, ...).
    pub entry_point: &'static str,
    /// Query depth: 0 for a call the App made, `n` for a call made by a
    /// query of a call at depth `n - 1` (its gas is also in its caller's).
    pub query_depth: u32,
    /// CosmWasm gas used (what cosmwasm-vm and wasmd report for the call).
    pub gas: CwGas,
    /// The same in NEAR gas (1 CosmWasm gas = 1,000 NEAR gas, cw-gas's
    /// conversion; saturates at `NearGas::MAX`, far above any call limit).
    pub near_gas: NearGas,
    /// How the call ended.
    pub status: CallStatus,
}

/// A shared, thread-safe list of [`GasRecord`]s. Cloning gives another
/// handle on the same list, so a test can keep one after moving the code
/// into the App, and several codes can write to one log.
#[derive(Debug, Clone, Default)]
pub struct GasLog {
    records: Arc<Mutex<Vec<GasRecord>>>,
}

impl GasLog {
    /// An empty log.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a record.
    pub fn push(&self, record: GasRecord) {
        self.lock().push(record);
    }

    /// Every record, in call order.
    #[must_use]
    pub fn records(&self) -> Vec<GasRecord> {
        self.lock().clone()
    }

    /// The most recent record.
    #[must_use]
    pub fn last(&self) -> Option<GasRecord> {
        self.lock().last().cloned()
    }

    /// Forgets every record.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// The summary per code and entry point of the records so far.
    #[must_use]
    pub fn summary(&self) -> GasSummary {
        GasSummary::of(&self.lock())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<GasRecord>> {
        // A push cannot leave the list half-written, so a poisoned lock
        // still holds a consistent list.
        self.records.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Gas statistics of one code's entry point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GasStats {
    /// Calls recorded.
    pub calls: u64,
    /// Of which failed (contract error, out of gas, VM failure).
    pub failed: u64,
    /// The cheapest call.
    pub min: CwGas,
    /// The dearest call.
    pub max: CwGas,
    /// All calls together (saturating).
    pub total: CwGas,
}

/// Gas per code and entry point, in a fixed order (code label, then entry
/// point name). Its `Display` is a plain-text table meant to be committed
/// and diffed: one line per code and entry point, sorted, fixed-width
/// columns, no timings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GasSummary {
    rows: BTreeMap<(String, &'static str), GasStats>,
}

impl GasSummary {
    /// The summary of `records`.
    #[must_use]
    pub fn of(records: &[GasRecord]) -> Self {
        let mut rows: BTreeMap<(String, &'static str), GasStats> = BTreeMap::new();
        for record in records {
            let failed = u64::from(record.status != CallStatus::Ok);
            rows.entry((record.code.clone(), record.entry_point))
                .and_modify(|stats| {
                    stats.calls = stats.calls.saturating_add(1);
                    stats.failed = stats.failed.saturating_add(failed);
                    stats.min = stats.min.min(record.gas);
                    stats.max = stats.max.max(record.gas);
                    stats.total = stats.total.saturating_add(record.gas);
                })
                .or_insert(GasStats {
                    calls: 1,
                    failed,
                    min: record.gas,
                    max: record.gas,
                    total: record.gas,
                });
        }
        Self { rows }
    }

    /// The statistics of `code`'s `entry_point`.
    #[must_use]
    pub fn get(&self, code: &str, entry_point: &str) -> Option<GasStats> {
        self.rows
            .iter()
            .find(|((c, e), _)| c == code && *e == entry_point)
            .map(|(_, stats)| *stats)
    }

    /// Every row: (code, entry point, statistics), in display order.
    pub fn rows(&self) -> impl Iterator<Item = (&str, &'static str, GasStats)> {
        self.rows
            .iter()
            .map(|((code, entry), stats)| (code.as_str(), *entry, *stats))
    }
}

/// Column widths: wide enough for a 300 Tgas-equivalent total, so a change
/// of figures does not reflow the other lines of a committed table.
const CODE_WIDTH: usize = 24;
const ENTRY_WIDTH: usize = 12;
const COUNT_WIDTH: usize = 6;
const GAS_WIDTH: usize = 16;

impl fmt::Display for GasSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<CODE_WIDTH$} {:<ENTRY_WIDTH$} {:>COUNT_WIDTH$} {:>COUNT_WIDTH$} {:>GAS_WIDTH$} {:>GAS_WIDTH$} {:>GAS_WIDTH$}",
            "code", "entry point", "calls", "failed", "min", "max", "total"
        )?;
        for ((code, entry), stats) in &self.rows {
            writeln!(
                f,
                "{:<CODE_WIDTH$} {:<ENTRY_WIDTH$} {:>COUNT_WIDTH$} {:>COUNT_WIDTH$} {:>GAS_WIDTH$} {:>GAS_WIDTH$} {:>GAS_WIDTH$}",
                code,
                entry,
                stats.calls,
                stats.failed,
                stats.min.as_u64(),
                stats.max.as_u64(),
                stats.total.as_u64()
            )?;
        }
        writeln!(
            f,
            "(CosmWasm gas; 1 CosmWasm gas = 1,000 NEAR gas; nested query gas counts in its caller too)"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(code: &str, entry_point: &'static str, gas: u64, status: CallStatus) -> GasRecord {
        GasRecord {
            code: code.into(),
            contract: "contract".into(),
            entry_point,
            query_depth: 0,
            gas: CwGas::new(gas),
            near_gas: NearGas::new(gas * 1_000),
            status,
        }
    }

    #[test]
    fn the_summary_is_sorted_and_fixed_width() {
        let log = GasLog::new();
        log.push(record("b", "query", 5, CallStatus::Ok));
        log.push(record("a", "execute", 30, CallStatus::Ok));
        log.push(record("a", "execute", 10, CallStatus::OutOfGas));
        let summary = log.summary();
        assert_eq!(
            summary.get("a", "execute"),
            Some(GasStats {
                calls: 2,
                failed: 1,
                min: CwGas::new(10),
                max: CwGas::new(30),
                total: CwGas::new(40)
            })
        );
        let text = summary.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[1].starts_with("a "), "{text}");
        assert!(lines[2].starts_with("b "), "{text}");
        assert_eq!(lines[0].len(), lines[1].len());
        assert_eq!(lines[1].len(), lines[2].len());
    }
}
