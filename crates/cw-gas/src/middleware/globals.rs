//! The middlewares' globals of one instance, found once, for hosts that
//! read and refill gas many times per call.

use wasmer::{AsStoreMut, Global, Instance, Value};

use super::{
    MeteringPoints, POINTS_EXHAUSTED_EXPORT, REMAINING_POINTS_EXPORT, STACK_EXHAUSTED_EXPORT,
    STACK_HEIGHT_EXPORT, TrapCause,
};
use crate::error::GasError;
use crate::units::GasQuantity;

/// Handles on an instance's metering globals and, if the module was
/// compiled with the stack limiter, its globals. Behaves exactly as the
/// free functions of [`crate::middleware`] without looking the exports up
/// by name on every use.
#[derive(Clone, Debug)]
pub struct MiddlewareGlobals {
    remaining: Global,
    exhausted: Global,
    stack: Option<StackGlobals>,
}

#[derive(Clone, Debug)]
struct StackGlobals {
    height: Global,
    exhausted: Global,
}

impl MiddlewareGlobals {
    /// Finds the globals in `instance`.
    ///
    /// # Errors
    /// [`GasError::MeteringNotInstalled`] if the module was compiled without
    /// metering.
    pub fn of(instance: &Instance) -> Result<Self, GasError> {
        let find = |export: &'static str| {
            instance
                .exports
                .get_global(export)
                .cloned()
                .map_err(|_| GasError::MeteringNotInstalled { export })
        };
        let stack = match (find(STACK_HEIGHT_EXPORT), find(STACK_EXHAUSTED_EXPORT)) {
            (Ok(height), Ok(exhausted)) => Some(StackGlobals { height, exhausted }),
            _ => None,
        };
        Ok(Self {
            remaining: find(REMAINING_POINTS_EXPORT)?,
            exhausted: find(POINTS_EXHAUSTED_EXPORT)?,
            stack,
        })
    }

    /// Whether the module was compiled with the stack limiter.
    #[must_use]
    pub fn is_stack_limited(&self) -> bool {
        self.stack.is_some()
    }

    /// The remaining operator gas, or whether it ran out
    /// ([`crate::middleware::remaining_points`]).
    ///
    /// # Errors
    /// [`GasError::MeteringNotInstalled`] if a global has an unexpected type.
    pub fn remaining_points<G: GasQuantity>(
        &self,
        store: &mut impl AsStoreMut,
    ) -> Result<MeteringPoints<G>, GasError> {
        let flag = read(store, &self.exhausted, POINTS_EXHAUSTED_EXPORT)?;
        let raw = read(store, &self.remaining, REMAINING_POINTS_EXPORT)?;
        Ok(points(flag, raw))
    }

    /// Sets the remaining operator gas and clears the exhausted flag
    /// ([`crate::middleware::set_remaining_points`]).
    ///
    /// # Errors
    /// [`GasError::MeteringNotInstalled`] if a global has an unexpected type.
    pub fn set_remaining_points<G: GasQuantity>(
        &self,
        store: &mut impl AsStoreMut,
        points: G,
    ) -> Result<(), GasError> {
        let raw = points_global_value(points.to_u64());
        write(
            store,
            &self.remaining,
            REMAINING_POINTS_EXPORT,
            Value::I64(raw),
        )?;
        write(
            store,
            &self.exhausted,
            POINTS_EXHAUSTED_EXPORT,
            Value::I32(0),
        )
    }

    /// Zeroes the stack limiter's counter and flag; nothing without the
    /// limiter ([`crate::middleware::reset_stack_height`]).
    ///
    /// # Errors
    /// [`GasError::MeteringNotInstalled`] if a global has an unexpected type.
    pub fn reset_stack_height(&self, store: &mut impl AsStoreMut) -> Result<(), GasError> {
        let Some(stack) = &self.stack else {
            return Ok(());
        };
        write(store, &stack.height, STACK_HEIGHT_EXPORT, Value::I64(0))?;
        write(
            store,
            &stack.exhausted,
            STACK_EXHAUSTED_EXPORT,
            Value::I32(0),
        )
    }

    /// Why the last call trapped, as far as the middlewares know
    /// ([`crate::middleware::classify_trap`]).
    pub fn classify_trap(&self, store: &mut impl AsStoreMut) -> TrapCause {
        let flag = read(store, &self.exhausted, POINTS_EXHAUSTED_EXPORT);
        let raw = read(store, &self.remaining, REMAINING_POINTS_EXPORT);
        if let (Ok(flag), Ok(raw)) = (flag, raw)
            && points_exhausted(flag, raw)
        {
            return TrapCause::OutOfGas;
        }
        match &self.stack {
            Some(stack)
                if read(store, &stack.exhausted, STACK_EXHAUSTED_EXPORT).is_ok_and(|v| v != 0) =>
            {
                TrapCause::StackLimit
            }
            _ => TrapCause::Other,
        }
    }
}

/// What the exhausted flag and the raw remaining-points global say (see
/// [`points_exhausted`]).
pub(super) fn points<G: GasQuantity>(flag: u64, raw: u64) -> MeteringPoints<G> {
    if points_exhausted(flag, raw) {
        MeteringPoints::Exhausted
    } else {
        MeteringPoints::Remaining(G::from_u64(raw))
    }
}

/// Whether an instance whose exhausted flag reads `flag` and whose
/// remaining-points global reads `raw` (as bits) is out of gas: the flag is
/// set, or the signed count went below zero (an unchecked charge, see the
/// metering module). For callers that read the two globals themselves.
pub fn points_exhausted(flag: u64, raw: u64) -> bool {
    flag != 0 || i64::from_ne_bytes(raw.to_ne_bytes()) < 0
}

/// The remaining-points global's value for `points`: at most `i64::MAX`
/// (see [`crate::GasMeter::wasm_points`]).
pub fn points_global_value(points: u64) -> i64 {
    i64::try_from(points).unwrap_or(i64::MAX)
}

/// A global's value as raw bits.
pub(super) fn read(
    store: &mut impl AsStoreMut,
    global: &Global,
    export: &'static str,
) -> Result<u64, GasError> {
    match global.get(store) {
        Value::I64(v) => Ok(u64::from_ne_bytes(v.to_ne_bytes())),
        Value::I32(v) => Ok(u64::from(u32::from_ne_bytes(v.to_ne_bytes()))),
        _ => Err(GasError::MeteringNotInstalled { export }),
    }
}

/// Sets a global.
pub(super) fn write(
    store: &mut impl AsStoreMut,
    global: &Global,
    export: &'static str,
    value: Value,
) -> Result<(), GasError> {
    global
        .set(store, value)
        .map_err(|_| GasError::MeteringNotInstalled { export })
}
