//! What a transaction reports: result data, events, gas per call.

use super::event::Event;
use cw_gas::{CwGas, GasReport, NearGas};

use super::error::ChainError;

/// The gas of one contract call in a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallGas {
    /// The contract called.
    pub contract: String,
    /// The entry point.
    pub entry: &'static str,
    /// The call's meter report (both units, breakdown by category).
    pub report: GasReport,
}

/// The gas of a transaction: every contract call's report, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TxGas {
    /// One entry per contract call (queries made by contracts are inside
    /// the calling contract's report, under queries).
    pub calls: Vec<CallGas>,
}

impl TxGas {
    /// The total in CosmWasm gas.
    #[must_use]
    pub fn cosmwasm(&self) -> CwGas {
        self.calls.iter().fold(CwGas::new(0), |sum, c| {
            sum.saturating_add(c.report.used.cw_gas)
        })
    }

    /// The total in NEAR gas (`None` if a call's amount does not fit u64).
    #[must_use]
    pub fn near(&self) -> Option<NearGas> {
        self.calls.iter().try_fold(NearGas::new(0), |sum, c| {
            c.report.used.near_gas.map(|n| sum.saturating_add(n))
        })
    }
}

/// A transaction that succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxSuccess {
    /// The result data (the response's, or the last reply's that set one).
    pub data: Option<Vec<u8>>,
    /// Every event, in the order wasmd emits them.
    pub events: Vec<Event>,
    /// The address of the contract an instantiation created.
    pub contract_address: Option<String>,
    /// Gas per call.
    pub gas: TxGas,
}

/// A transaction that failed: nothing it did remains, but its gas was used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}")]
pub struct TxFailure {
    /// Why it failed.
    pub error: Box<ChainError>,
    /// Gas per call, up to the failure.
    pub gas: TxGas,
}

/// A query's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryAnswer {
    /// The contract's answer bytes (JSON as the contract wrote it).
    pub data: Vec<u8>,
    /// The query call's gas.
    pub gas: TxGas,
}

/// The result of a transaction.
pub type TxResult = Result<TxSuccess, TxFailure>;
