//! Reading and writing the metering globals' values, whatever holds them.

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
