//! What a call gave, in terms both runtimes can be compared in.

use std::fmt;

/// The text cosmwasm-vm puts before the cause of a trap or of an error an
/// import raised (`VmError::RuntimeErr`).
pub const REFERENCE_RUNTIME_ERROR_PREFIX: &str = "Wasmer runtime error: RuntimeError: ";

/// Why a call failed, reduced to what both runtimes can be held to: the
/// kind of failure and, for a trap, the engine's own text (both run the
/// same Wasmer, whose trap texts are the same).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The gas limit was reached, by operators or by an import's charge.
    OutOfGas,
    /// The contract trapped; the engine's text (`out of bounds memory
    /// access`, `unreachable`, ...).
    Trap(String),
    /// Any other failure: the two runtimes word these differently, so they
    /// compare equal only if both sides say the same `kind` (a short name
    /// the caller can match on) and the texts are kept for the report.
    Other {
        /// The failure's kind on this side.
        kind: &'static str,
        /// The full text on this side.
        text: String,
    },
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OutOfGas => f.write_str("out of gas"),
            Self::Trap(text) => write!(f, "trap: {text}"),
            Self::Other { kind, text } => write!(f, "{kind}: {text}"),
        }
    }
}

/// One call's outcome on one runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    /// The result bytes (the contract's JSON result, unparsed) or the
    /// failure.
    pub result: Result<Vec<u8>, Failure>,
    /// CosmWasm gas the call used, everything included.
    pub gas_used: u64,
}

impl Observed {
    /// Whether `self` and `other` agree: the same result bytes or the same
    /// failure (out of gas; a trap with the same text; another failure of
    /// the same kind, whatever each runtime's wording), and the same gas.
    pub fn agrees_with(&self, other: &Self) -> bool {
        let same_result = match (&self.result, &other.result) {
            (Ok(a), Ok(b)) => a == b,
            (Err(Failure::Other { kind: a, .. }), Err(Failure::Other { kind: b, .. })) => a == b,
            (Err(a), Err(b)) => a == b,
            _ => false,
        };
        same_result && self.gas_used == other.gas_used
    }
}

impl fmt::Display for Observed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.result {
            Ok(bytes) => write!(f, "Ok({}) ", String::from_utf8_lossy(bytes))?,
            Err(failure) => write!(f, "Err({failure}) ")?,
        }
        write!(f, "after {} gas", self.gas_used)
    }
}

/// Ours and the reference side by side, for a test's failure message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Divergence {
    /// What this runtime gave.
    pub ours: Observed,
    /// What cosmwasm-vm gave.
    pub reference: Observed,
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ours: {}\nreference: {}", self.ours, self.reference)
    }
}

/// `Ok(())` when the two agree, else both outcomes.
pub fn compare(ours: Observed, reference: Observed) -> Result<(), Box<Divergence>> {
    if ours.agrees_with(&reference) {
        Ok(())
    } else {
        Err(Box::new(Divergence { ours, reference }))
    }
}
