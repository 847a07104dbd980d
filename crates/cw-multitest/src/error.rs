//! The errors of this crate.
//!
//! Inside cw-multi-test every error becomes a `cosmwasm_std::StdError`
//! (the `Contract` trait's error type); each [`WasmCodeError`] is carried
//! in it whole (`StdError::is::<WasmCodeError>()` holds), and its text is
//! what a test sees after the App adds its own context.

use std::path::PathBuf;

use cw_gas::CwGas;
use cw_runtime::{NodeFault, RuntimeError, ValidationError, VmFailure};

/// Why code could not be loaded, or why a call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WasmCodeError {
    /// The Wasm file could not be read.
    #[error("cannot read the Wasm file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Static validation rejected the code, with the rule and item, as a
    /// chain would refuse to store it.
    #[error("the chain would refuse to store this code: {0}")]
    Validation(#[from] ValidationError),
    /// The engine could not compile the code (a node fault, not the code's).
    #[error("cannot compile the code: {0}")]
    Compile(RuntimeError),
    /// An argument could not be serialized to the JSON the contract reads.
    #[error("{entry_point}: cannot serialize the {argument} for the contract: {message}")]
    Argument {
        /// The entry point called.
        entry_point: &'static str,
        /// Which argument (`"env"`, `"info"`, `"reply"`).
        argument: &'static str,
        /// serde's description.
        message: String,
    },
    /// The contract returned an error of its own (`{"error": ...}`): the
    /// text is the contract's, exactly as a `ContractWrapper` shows it.
    #[error("{message}")]
    Contract {
        /// The entry point called.
        entry_point: &'static str,
        /// The contract's error text.
        message: String,
    },
    /// The call failed in the VM, deterministically, as it would on a chain:
    /// out of gas, a trap, a panic (abort), a host function's refusal.
    #[error("{entry_point} failed after {gas_used} CosmWasm gas: {failure}")]
    Vm {
        /// The entry point called.
        entry_point: &'static str,
        /// Why.
        failure: VmFailure,
        /// Gas the call used, the limit included when out of gas.
        gas_used: CwGas,
    },
    /// The runtime failed for a reason of its own, not the contract's (a
    /// chain node would halt instead of recording it).
    #[error("{entry_point}: the runtime failed (not the contract's doing): {fault}")]
    NodeFault {
        /// The entry point called.
        entry_point: &'static str,
        /// What failed.
        fault: NodeFault,
    },
    /// The contract's result is not the JSON of a `ContractResult` of the
    /// entry point's type (for example a custom message of another type
    /// than the App's).
    #[error("{entry_point}: the contract's result is not a valid ContractResult: {message}")]
    BadResult {
        /// The entry point called.
        entry_point: &'static str,
        /// serde's description.
        message: String,
    },
    /// An IBC entry point: cw-multi-test does not route IBC to contracts,
    /// and this crate does not pretend to.
    #[error(
        "{entry_point}: IBC entry points are not run inside cw-multi-test; test IBC on a chain or with an IBC simulator"
    )]
    UnsupportedEntryPoint {
        /// The entry point asked for.
        entry_point: &'static str,
    },
}

impl WasmCodeError {
    /// Whether this is a call that ran out of gas.
    #[must_use]
    pub fn is_out_of_gas(&self) -> bool {
        matches!(
            self,
            Self::Vm {
                failure: VmFailure::OutOfGas,
                ..
            }
        )
    }
}
