//! Typed gas quantities and the one explicit conversion between them.

use core::fmt;

use crate::error::GasError;

/// CosmWasm gas per second of execution on the reference machine.
///
/// Source: cosmwasm-vm 3.0.11 `src/environment.rs`, `GasConfig::default`:
/// "Target is 10^12 per second (see GAS.md), i.e. 10^6 gas per µ second"
/// (`GAS_PER_US = 1_000_000`), and CosmWasm/cosmwasm#1599 ("1 Teragas/second"
/// since CosmWasm 2.0).
pub const CW_GAS_PER_SECOND: u64 = 1_000_000_000_000;

/// NEAR gas per second of execution on the reference machine.
///
/// Source: NEAR protocol documentation ("1 Tgas ≈ 1 ms of compute", so
/// 10^15 gas per second), as used by nearcore's parameter estimator.
pub const NEAR_GAS_PER_SECOND: u64 = 1_000_000_000_000_000;

/// NEAR gas per CosmWasm gas: both schedules target the same wall time, so
/// the factor is `NEAR_GAS_PER_SECOND / CW_GAS_PER_SECOND = 10^15 / 10^12`.
pub const NEAR_GAS_PER_CW_GAS: u64 = NEAR_GAS_PER_SECOND / CW_GAS_PER_SECOND;

// The factor must be exact, or the conversion would not be a bijection on
// the CosmWasm side.
const _: () = assert!(NEAR_GAS_PER_SECOND.is_multiple_of(CW_GAS_PER_SECOND));
const _: () = assert!(NEAR_GAS_PER_CW_GAS == 1_000);

/// An amount of CosmWasm gas (the unit of cosmwasm-vm and wasmd's VM).
///
/// Arithmetic is checked or saturating only; there is no `Add` impl, so an
/// overflow can never go unnoticed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CwGas(u64);

/// An amount of NEAR gas (the unit of nearcore's runtime parameters).
///
/// Arithmetic is checked or saturating only; there is no `Add` impl.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NearGas(u64);

macro_rules! quantity_ops {
    ($t:ident, $label:literal) => {
        impl $t {
            /// Zero gas.
            pub const ZERO: Self = Self(0);
            /// The largest representable amount.
            pub const MAX: Self = Self(u64::MAX);

            /// Wraps a raw count in this unit.
            pub const fn new(raw: u64) -> Self {
                Self(raw)
            }

            /// The raw count in this unit.
            pub const fn as_u64(self) -> u64 {
                self.0
            }

            /// `self + rhs`, or `None` on overflow.
            pub const fn checked_add(self, rhs: Self) -> Option<Self> {
                match self.0.checked_add(rhs.0) {
                    Some(v) => Some(Self(v)),
                    None => None,
                }
            }

            /// `self - rhs`, or `None` if `rhs > self`.
            pub const fn checked_sub(self, rhs: Self) -> Option<Self> {
                match self.0.checked_sub(rhs.0) {
                    Some(v) => Some(Self(v)),
                    None => None,
                }
            }

            /// `self * factor`, or `None` on overflow.
            pub const fn checked_mul(self, factor: u64) -> Option<Self> {
                match self.0.checked_mul(factor) {
                    Some(v) => Some(Self(v)),
                    None => None,
                }
            }

            /// `self + rhs`, clamped at [`Self::MAX`].
            pub const fn saturating_add(self, rhs: Self) -> Self {
                Self(self.0.saturating_add(rhs.0))
            }

            /// `self - rhs`, clamped at zero.
            pub const fn saturating_sub(self, rhs: Self) -> Self {
                Self(self.0.saturating_sub(rhs.0))
            }
        }

        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{} {}", self.0, $label)
            }
        }
    };
}

quantity_ops!(CwGas, "CosmWasm gas");
quantity_ops!(NearGas, "NEAR gas");

impl CwGas {
    /// The same wall time in NEAR gas: `self * 1_000` (see
    /// [`NEAR_GAS_PER_CW_GAS`]). Exact, and fails instead of wrapping when
    /// the result exceeds `u64::MAX` (above 18,446,744,073,709,551 CosmWasm gas).
    pub const fn to_near_gas(self) -> Result<NearGas, GasError> {
        match self.0.checked_mul(NEAR_GAS_PER_CW_GAS) {
            Some(v) => Ok(NearGas(v)),
            None => Err(GasError::ConversionOverflow {
                value: self,
                factor: NEAR_GAS_PER_CW_GAS,
            }),
        }
    }
}

impl NearGas {
    /// The same wall time in CosmWasm gas, rounded up: a charge converted
    /// this way is never cheaper than the NEAR price. Never overflows.
    pub const fn to_cw_gas_ceil(self) -> CwGas {
        CwGas(self.0.div_ceil(NEAR_GAS_PER_CW_GAS))
    }

    /// The same wall time in CosmWasm gas, rounded down: use it for budgets
    /// (a limit converted this way never allows more than the NEAR limit).
    /// Never overflows.
    pub const fn to_cw_gas_floor(self) -> CwGas {
        CwGas(self.0 / NEAR_GAS_PER_CW_GAS)
    }

    /// `tgas` teragas (10^12 NEAR gas), or `None` on overflow.
    pub const fn from_tgas(tgas: u64) -> Option<Self> {
        match tgas.checked_mul(1_000_000_000_000) {
            Some(v) => Some(Self(v)),
            None => None,
        }
    }
}

impl TryFrom<CwGas> for NearGas {
    type Error = GasError;

    /// Same as [`CwGas::to_near_gas`].
    fn try_from(value: CwGas) -> Result<Self, GasError> {
        value.to_near_gas()
    }
}

/// Which of the two units an amount is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GasUnit {
    /// [`CwGas`].
    CosmWasm,
    /// [`NearGas`].
    Near,
}

/// An amount in either unit, for errors and reports that are not generic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GasAmount {
    /// An amount of CosmWasm gas.
    Cw(CwGas),
    /// An amount of NEAR gas.
    Near(NearGas),
}

impl GasAmount {
    /// The unit this amount is in.
    pub const fn unit(self) -> GasUnit {
        match self {
            Self::Cw(_) => GasUnit::CosmWasm,
            Self::Near(_) => GasUnit::Near,
        }
    }

    /// The raw count in [`Self::unit`].
    pub const fn as_u64(self) -> u64 {
        match self {
            Self::Cw(g) => g.as_u64(),
            Self::Near(g) => g.as_u64(),
        }
    }
}

impl fmt::Display for GasAmount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cw(g) => g.fmt(f),
            Self::Near(g) => g.fmt(f),
        }
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::CwGas {}
    impl Sealed for super::NearGas {}
}

/// The two gas units, for code that is generic over a schedule's native unit.
///
/// Sealed: the crate's conversions are only proven for these two types.
pub trait GasQuantity:
    sealed::Sealed + Copy + Ord + Default + fmt::Debug + fmt::Display + Send + Sync + 'static
{
    /// The unit of this type.
    const UNIT: GasUnit;
    /// Zero in this unit.
    const ZERO: Self;
    /// Wraps a raw count (the value of a metering global, for example).
    fn from_u64(raw: u64) -> Self;
    /// The raw count.
    fn to_u64(self) -> u64;
    /// This amount in CosmWasm gas; NEAR gas is rounded up.
    fn to_cw_gas_ceil(self) -> CwGas;
    /// This amount in NEAR gas; fails on overflow instead of wrapping.
    fn to_near_gas(self) -> Result<NearGas, GasError>;
    /// This amount as a unit-tagged value.
    fn to_amount(self) -> GasAmount;
}

impl GasQuantity for CwGas {
    const UNIT: GasUnit = GasUnit::CosmWasm;
    const ZERO: Self = CwGas::ZERO;
    fn from_u64(raw: u64) -> Self {
        CwGas(raw)
    }
    fn to_u64(self) -> u64 {
        self.0
    }
    fn to_cw_gas_ceil(self) -> CwGas {
        self
    }
    fn to_near_gas(self) -> Result<NearGas, GasError> {
        CwGas::to_near_gas(self)
    }
    fn to_amount(self) -> GasAmount {
        GasAmount::Cw(self)
    }
}

impl GasQuantity for NearGas {
    const UNIT: GasUnit = GasUnit::Near;
    const ZERO: Self = NearGas::ZERO;
    fn from_u64(raw: u64) -> Self {
        NearGas(raw)
    }
    fn to_u64(self) -> u64 {
        self.0
    }
    fn to_cw_gas_ceil(self) -> CwGas {
        NearGas::to_cw_gas_ceil(self)
    }
    fn to_near_gas(self) -> Result<NearGas, GasError> {
        Ok(self)
    }
    fn to_amount(self) -> GasAmount {
        GasAmount::Near(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn conversion_edges() {
        assert_eq!(CwGas::new(1).to_near_gas(), Ok(NearGas::new(1_000)));
        let max_ok = u64::MAX / NEAR_GAS_PER_CW_GAS;
        assert_eq!(
            CwGas::new(max_ok).to_near_gas(),
            Ok(NearGas::new(max_ok * 1_000))
        );
        assert_eq!(
            CwGas::new(max_ok + 1).to_near_gas(),
            Err(GasError::ConversionOverflow {
                value: CwGas::new(max_ok + 1),
                factor: 1_000
            })
        );
        assert_eq!(NearGas::new(1).to_cw_gas_ceil(), CwGas::new(1));
        assert_eq!(NearGas::new(1).to_cw_gas_floor(), CwGas::ZERO);
        assert_eq!(NearGas::MAX.to_cw_gas_ceil(), CwGas::new(max_ok + 1));
        assert_eq!(
            NearGas::from_tgas(300),
            Some(NearGas::new(300_000_000_000_000))
        );
        assert_eq!(NearGas::from_tgas(u64::MAX), None);
    }

    proptest! {
        #[test]
        fn cw_to_near_is_monotonic_and_checked(a in any::<u64>(), b in any::<u64>()) {
            let (lo, hi) = (a.min(b), a.max(b));
            match (CwGas::new(lo).to_near_gas(), CwGas::new(hi).to_near_gas()) {
                (Ok(l), Ok(h)) => {
                    prop_assert!(l <= h);
                    prop_assert_eq!(l.as_u64(), lo * 1_000);
                    // Round trip is exact on the CosmWasm side.
                    prop_assert_eq!(l.to_cw_gas_ceil(), CwGas::new(lo));
                    prop_assert_eq!(l.to_cw_gas_floor(), CwGas::new(lo));
                }
                (Ok(_), Err(_)) => prop_assert!(hi > u64::MAX / 1_000),
                (Err(_), Ok(_)) => prop_assert!(false, "overflow must be monotonic"),
                (Err(_), Err(_)) => prop_assert!(lo > u64::MAX / 1_000),
            }
        }

        #[test]
        fn near_to_cw_is_monotonic_and_bracketing(a in any::<u64>(), b in any::<u64>()) {
            let (lo, hi) = (NearGas::new(a.min(b)), NearGas::new(a.max(b)));
            prop_assert!(lo.to_cw_gas_ceil() <= hi.to_cw_gas_ceil());
            prop_assert!(lo.to_cw_gas_floor() <= hi.to_cw_gas_floor());
            let floor = lo.to_cw_gas_floor().as_u64();
            let ceil = lo.to_cw_gas_ceil().as_u64();
            // floor * 1000 <= x <= ceil * 1000 (in u128 to avoid overflow in the check)
            prop_assert!(u128::from(floor) * 1_000 <= u128::from(lo.as_u64()));
            prop_assert!(u128::from(ceil) * 1_000 >= u128::from(lo.as_u64()));
            prop_assert!(ceil - floor <= 1);
        }

        #[test]
        fn checked_ops_never_wrap(a in any::<u64>(), b in any::<u64>()) {
            let (x, y) = (CwGas::new(a), CwGas::new(b));
            prop_assert_eq!(x.checked_add(y).map(CwGas::as_u64), a.checked_add(b));
            prop_assert_eq!(x.checked_sub(y).map(CwGas::as_u64), a.checked_sub(b));
            prop_assert_eq!(x.saturating_add(y).as_u64(), a.saturating_add(b));
        }
    }
}
