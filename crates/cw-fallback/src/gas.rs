//! The gas of a native call: a documented, deterministic estimate.
//!
//! A native call is charged exactly what the runtime and the imports charge
//! a Wasm call of the same contract, except the Wasm operators, which
//! native code does not have:
//!
//! * argument and result copies (`region_write` for env, info and message,
//!   `region_read` for the result), as `cw-runtime` charges them around the
//!   Wasm call;
//! * every import the contract's cosmwasm-std calls, run by cw-host's own
//!   import functions (host call, region copies, storage, addresses,
//!   queries), so storage is priced by the same schedule;
//! * in place of the operators: a fixed operator count per contract and
//!   entry point ([`NativeKind::estimated_operators`]), by price class,
//!   priced by the meter's schedule ([`OperatorEstimate::price`]) and
//!   charged to [`GasCategory::WasmOps`] before the contract runs.
//!
//! The counts are calibrated on the Wasm fixtures: the mean number of
//! operators of each class that the Wasm build executes per call of the
//! entry point, over the first 64 scripts of the differential test's
//! strategy drawn from a fixed seed (failing calls included; `migrate` over
//! three fixed messages), counted with a table that prices the three
//! classes at 1, 2^21 and 2^42 so one meter reading gives all three counts;
//! rounded to hundreds. `tests/it/calibration.rs` repeats the measurement
//! and fails if a count is no longer within a factor of two of it. The
//! cosmwasm schedule's locals surcharge (charged at entry of functions with
//! 30 or more locals) is not estimated: the calibration measures it, and it
//! is zero for these builds (the test fails if it reaches 1 %).

use cw_gas::{CostTable, GasCategory, GasError, GasMeter, GasQuantity, OperatorClass};
use cw_host::EntryPoint;

use crate::kind::NativeKind;

/// How many Wasm operators of each price class a call executes: the
/// estimate a native call is charged in place of its Wasm build's
/// operators.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct OperatorEstimate {
    /// Operators of [`OperatorClass::Plain`].
    pub plain: u64,
    /// Operators of [`OperatorClass::Control`] (`call`, `br_if`, ...).
    pub control: u64,
    /// Operators of [`OperatorClass::Pseudo`] (`end`, `else`).
    pub pseudo: u64,
}

impl OperatorEstimate {
    /// The counts' price in `table`: each count times its class's price.
    ///
    /// # Errors
    /// [`GasError::PriceOverflow`] if the sum does not fit in `u64`.
    pub fn price<T: CostTable>(&self, table: &T) -> Result<T::Gas, GasError> {
        let overflow = GasError::PriceOverflow {
            operation: "native call estimate",
            items: self
                .plain
                .saturating_add(self.control)
                .saturating_add(self.pseudo),
        };
        [
            (OperatorClass::Plain, self.plain),
            (OperatorClass::Control, self.control),
            (OperatorClass::Pseudo, self.pseudo),
        ]
        .into_iter()
        .try_fold(0u64, |sum, (class, count)| {
            table
                .operator(class)
                .to_u64()
                .checked_mul(count)
                .and_then(|price| sum.checked_add(price))
        })
        .map(T::Gas::from_u64)
        .ok_or(overflow)
    }
}

const fn ops(plain: u64, control: u64, pseudo: u64) -> OperatorEstimate {
    OperatorEstimate {
        plain,
        control,
        pseudo,
    }
}

impl NativeKind {
    /// The operators charged for one call of `entry` in place of the Wasm
    /// build's (see `docs/gas.md` for the calibration). Zero for an entry
    /// point the contract does not export.
    #[must_use]
    pub const fn estimated_operators(self, entry: EntryPoint) -> OperatorEstimate {
        use EntryPoint::{Execute, Instantiate, Migrate, Query};
        // Measured means (module documentation), rounded to hundreds.
        match (self, entry) {
            (Self::Cw20Base, Instantiate) => ops(118_100, 12_300, 3_800),
            (Self::Cw20Base, Execute) => ops(89_200, 9_400, 2_800),
            (Self::Cw20Base, Query) => ops(60_400, 6_400, 1_900),
            (Self::Cw20Base, Migrate) => ops(47_800, 5_000, 1_500),
            (Self::Cw721Base, Instantiate) => ops(132_400, 14_300, 3_800),
            (Self::Cw721Base, Execute) => ops(97_900, 10_500, 2_900),
            (Self::Cw721Base, Query) => ops(78_800, 8_500, 2_200),
            (Self::Cw721Base, Migrate) => ops(62_300, 6_700, 1_900),
            (Self::Cw1Whitelist, Instantiate) => ops(74_200, 7_900, 2_400),
            (Self::Cw1Whitelist, Execute) => ops(71_900, 7_500, 2_400),
            (Self::Cw1Whitelist, Query) => ops(74_000, 7_800, 2_200),
            _ => ops(0, 0, 0),
        }
    }
}

/// Charges `estimate`, priced by the meter's schedule, to
/// [`GasCategory::WasmOps`]; a price that overflows is unpayable.
pub(crate) fn charge_operators<T: CostTable>(
    gas: &mut GasMeter<T>,
    estimate: OperatorEstimate,
) -> Result<(), GasError> {
    let price = estimate.price(gas.table());
    gas.charge_price(GasCategory::WasmOps, price)
}

#[cfg(test)]
mod tests {
    use cw_gas::{CosmWasmSchedule, NearSchedule};

    use super::*;

    #[test]
    fn each_class_is_priced_by_the_schedule() {
        let pseudo_only = ops(0, 0, 1_000);
        assert_eq!(
            pseudo_only
                .price(&NearSchedule::default())
                .unwrap()
                .as_u64(),
            0
        );
        let cosmwasm = CosmWasmSchedule::default();
        let accounting = cosmwasm.operator(OperatorClass::Pseudo).as_u64();
        assert_eq!(
            pseudo_only.price(&cosmwasm).unwrap().as_u64(),
            1_000 * accounting
        );
        assert_eq!(
            OperatorEstimate::default()
                .price(&cosmwasm)
                .unwrap()
                .as_u64(),
            0
        );
        assert!(matches!(
            ops(u64::MAX, 0, 0).price(&cosmwasm),
            Err(GasError::PriceOverflow { .. })
        ));
    }

    #[test]
    fn every_export_has_an_estimate_and_nothing_else_does() {
        for kind in NativeKind::ALL {
            for entry in EntryPoint::ALL {
                let estimate = kind.estimated_operators(entry);
                assert_eq!(
                    kind.exports_entry(entry),
                    estimate != OperatorEstimate::default(),
                    "{kind} {entry:?}"
                );
            }
        }
    }
}
