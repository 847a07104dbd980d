//! The one error type of this crate.

use crate::meter::GasCategory;
use crate::units::{CwGas, GasAmount};

/// Everything that can go wrong while pricing, charging or converting gas.
///
/// Every variant is deterministic: the same inputs give the same variant with
/// the same fields on every node. `OutOfGas` is the guest-visible failure; the
/// others are either guest-visible pricing failures (`PriceOverflow`,
/// `Unpriced`) or embedder mistakes (`MeteringNotInstalled`, `InvalidWasm`,
/// `NotInstrumentable`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GasError {
    /// A charge did not fit under the limit. Nothing was done for it, and the
    /// meter is now exhausted: `used == limit`, as in cosmwasm-vm (gas left is
    /// reported as 0) and nearcore (all prepaid gas is burnt).
    #[error("out of gas while charging {category}: limit {limit}, used {used}")]
    OutOfGas {
        /// The limit of the meter that ran out.
        limit: GasAmount,
        /// Gas used as reported after the failure; never above `limit`.
        used: GasAmount,
        /// What the refused charge was for.
        category: GasCategory,
    },
    /// A price computed from guest-controlled sizes overflowed `u64`.
    /// The meter treats this like an unpayable charge (cosmwasm-vm maps the
    /// same overflow to `GasDepletion`).
    #[error("price of {operation} for {items} items overflows u64")]
    PriceOverflow {
        /// The priced operation, e.g. `"region_read"`.
        operation: &'static str,
        /// The guest-controlled item count (bytes, signatures, points).
        items: u64,
    },
    /// The schedule has no price for this operation (for example `sha256` in
    /// the cosmwasm schedule, where cosmwasm-vm has no such import).
    #[error("schedule {schedule} has no price for {operation}")]
    Unpriced {
        /// Name of the schedule, see [`crate::CostTable::name`].
        schedule: &'static str,
        /// The operation without a price.
        operation: &'static str,
    },
    /// Converting CosmWasm gas to NEAR gas would exceed `u64::MAX` NEAR gas.
    #[error("{value} does not fit into NEAR gas (factor {factor})")]
    ConversionOverflow {
        /// The amount that could not be converted.
        value: CwGas,
        /// NEAR gas per CosmWasm gas, see [`crate::NEAR_GAS_PER_CW_GAS`].
        factor: u64,
    },
    /// The instance was not compiled with the middleware whose global was
    /// looked up.
    #[error("instance has no export {export}: compile it with the cw-gas middleware")]
    MeteringNotInstalled {
        /// The missing export name.
        export: &'static str,
    },
    /// The Wasm bytes given to a middleware constructor or to
    /// [`crate::instrument::instrument`] did not validate.
    #[error("invalid Wasm at byte {offset}: {message}")]
    InvalidWasm {
        /// Byte offset reported by the parser.
        offset: usize,
        /// The parser's own description.
        message: String,
    },
    /// A valid module that cannot be instrumented exactly as the
    /// middlewares compile it (a construct they refuse too: exceptions,
    /// tail calls, a multi-value function without a `[] -> results` type),
    /// or a stack plan made from other bytes.
    #[error("cannot instrument {}: {reason}", Culprit(*function))]
    NotInstrumentable {
        /// The defined function (imports not counted), if one is at fault.
        function: Option<u32>,
        /// What is wrong.
        reason: &'static str,
    },
}

/// Names what [`GasError::NotInstrumentable`] is about.
struct Culprit(Option<u32>);

impl core::fmt::Display for Culprit {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.0 {
            Some(index) => write!(f, "defined function {index}"),
            None => f.write_str("the module"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error travels in every `Result` of the crate; keep it small.
    #[test]
    fn error_size_is_pinned() {
        assert!(
            std::mem::size_of::<GasError>() <= 48,
            "{}",
            std::mem::size_of::<GasError>()
        );
    }
}
