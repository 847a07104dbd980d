//! The one error type of this crate: a module could not be prepared.
//!
//! A call never returns it: a call's deterministic failures are
//! [`cw_host::VmFailure`]s, carried with the backend and its meter, as on the
//! Wasmer path.

use cw_gas::GasError;
use cw_validate::ValidationError;

/// Why a module could not be prepared for wasmi.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WasmiError {
    /// Static validation refused the code (the chain's rules, cw-validate).
    #[error("validation: {0}")]
    Validation(#[from] ValidationError),
    /// The module could not be instrumented (it does not validate, or uses
    /// a construct the metering refuses): see [`cw_gas::instrument`].
    #[error("instrumenting the module: {0}")]
    Instrument(#[from] GasError),
    /// wasmi refused the instrumented module (validation or translation).
    #[error("wasmi refused the module: {message}")]
    Compile {
        /// wasmi's description.
        message: String,
    },
}

/// A store's refusal for the chain: validation's own error as
/// [`cw_chain::LoadError::Invalid`], anything else as the engine's.
impl From<WasmiError> for cw_chain::LoadError {
    fn from(e: WasmiError) -> Self {
        match e {
            WasmiError::Validation(e) => Self::Invalid(e),
            other => Self::Engine(Box::new(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error is returned by value; keep it small.
    #[test]
    fn error_size_is_pinned() {
        assert!(std::mem::size_of::<WasmiError>() <= 64);
    }
}
