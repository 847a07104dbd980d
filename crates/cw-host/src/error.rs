//! The errors of this crate.
//!
//! Two levels, as in cosmwasm-vm: a [`HostError`] ends the contract call (the
//! import traps), while the failures a contract is expected to handle (an
//! invalid address, a bad signature) never become a `HostError` at all: the
//! import writes an error message or returns an error code to the contract.
//! [`BackendError`] is what a [`Storage`](crate::Storage),
//! [`Api`](crate::Api) or [`Querier`](crate::Querier) implementation reports;
//! only its [`BackendError::InvalidAddress`] variant is shown to the contract.

use cw_gas::{GasAmount, GasError};
use cw_region::RegionError;

/// Why an import refused to continue: the contract call ends with this error.
///
/// Every variant is deterministic (the same input gives the same variant with
/// the same fields on every node), except [`HostError::Backend`], which
/// reports a backend fault and carries the gas used up to it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HostError {
    /// A region argument or result was invalid (null pointer, out of memory,
    /// too small for the result, ...).
    #[error(transparent)]
    Region(#[from] RegionError),
    /// Charging gas failed; for [`GasError::OutOfGas`] nothing was done for
    /// the charge that failed.
    #[error(transparent)]
    Gas(#[from] GasError),
    /// A state-changing import was called in a read-only (query) call.
    #[error("{import} is not allowed in a read-only call (query): it would change contract state")]
    ReadOnly {
        /// The import that was refused.
        import: &'static str,
    },
    /// An argument exceeds the chain's limit for it.
    #[error("{what} too big: {length} bytes, the limit is {limit} bytes")]
    TooLarge {
        /// What the argument is (`"db key"`, `"db value"`, `"human address"`, ...).
        what: &'static str,
        /// Its length in bytes.
        length: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// `db_next`, `db_next_key` or `db_next_value` named an iterator that
    /// `db_scan` did not create in this call.
    #[error("iterator {id} does not exist in this call")]
    UnknownIterator {
        /// The iterator id the contract passed.
        id: u32,
    },
    /// `db_scan` would open more iterators than one call may hold.
    #[error("too many iterators in one call: the limit is {limit}")]
    TooManyIterators {
        /// The per-call limit, see [`HostLimits::max_iterators`](crate::HostLimits::max_iterators).
        limit: u32,
    },
    /// `db_scan` got an order other than 1 (ascending) or 2 (descending).
    #[error("invalid iteration order {order}: expected 1 (ascending) or 2 (descending)")]
    InvalidOrder {
        /// The raw order argument.
        order: i32,
    },
    /// A backend (storage, api, querier) failed in a way the contract cannot
    /// handle.
    #[error("{import}: backend failure after {gas_used} used: {source}")]
    Backend {
        /// The import that called the backend.
        import: &'static str,
        /// What the backend reported.
        source: BackendError,
        /// Gas used by the call up to and including the failed import's
        /// charges.
        gas_used: GasAmount,
    },
    /// A query nested deeper than allowed. `query_chain` no longer returns
    /// this (past the limit the contract gets wasmd's error response, see
    /// [`QUERY_DEPTH_EXCEEDED_RESPONSE`](crate::imports::query::QUERY_DEPTH_EXCEEDED_RESPONSE));
    /// kept while code outside this crate still names it.
    #[error("query depth {depth} exceeds the limit of {limit}")]
    QueryDepth {
        /// The depth the nested query would run at.
        depth: u32,
        /// The limit, see [`HostLimits::max_query_depth`](crate::HostLimits::max_query_depth).
        limit: u32,
    },
    /// The contract called `abort` (a Rust panic in the contract).
    #[error("Aborted: {message}")]
    Aborted {
        /// The contract's panic message (invalid UTF-8 replaced by U+FFFD).
        message: String,
    },
    /// The host called into the guest deeper than
    /// [`MAX_CALL_DEPTH`](crate::limits::MAX_CALL_DEPTH) (an `allocate` that
    /// runs an import that allocates again).
    #[error("Maximum call depth exceeded: the limit is {limit}")]
    CallDepth {
        /// The limit.
        limit: u32,
    },
    /// The contract's allocator returned the null pointer.
    #[error("the contract's allocate returned a null pointer for {size} bytes")]
    ZeroAddress {
        /// The requested capacity.
        size: u32,
    },
    /// The contract's allocator ran out of operator gas (the metering's
    /// exhausted state, not merely zero gas left: an `allocate` refused
    /// with nothing left to spend fails for its own reason). The host
    /// reports the call as out of gas.
    #[error("the contract's allocate ran out of gas allocating {size} bytes")]
    AllocatorOutOfGas {
        /// The requested capacity.
        size: u32,
    },
    /// Calling the contract's allocator failed (trap, missing export, ...).
    #[error("allocating {size} bytes in the contract failed: {message}")]
    Allocation {
        /// The requested capacity.
        size: u32,
        /// The allocator's own description of the failure.
        message: String,
    },
    /// A function the host calls by name (`allocate`, `deallocate`, an entry
    /// point) cannot be called as the ABI needs, found where cosmwasm-vm
    /// finds it: when it is called, not when the contract is instantiated.
    #[error("calling the contract's `{name}`: {problem}")]
    GuestExport {
        /// The export's name.
        name: &'static str,
        /// What is wrong with it.
        problem: ExportProblem,
    },
    /// The Wasmer bridge was used out of order: an import ran before the
    /// instance was bound or outside a call. A runtime bug, not a contract's.
    #[error("host bridge used out of order: {problem}")]
    Bridge {
        /// What was missing.
        problem: &'static str,
    },
}

impl HostError {
    /// Which side of the line this error falls on: a deterministic
    /// [`VmFailure`] (the contract's input or behaviour caused it: the same
    /// call fails the same way everywhere) or a [`NodeFault`] (the node's
    /// backend, configuration or code). The one place that decides; every
    /// variant is named, so a new one must be decided here.
    ///
    /// [`VmFailure`]: crate::VmFailure
    /// [`NodeFault`]: crate::NodeFault
    pub fn classify(self) -> Result<crate::VmFailure, crate::NodeFault> {
        use crate::{NodeFault, VmFailure};
        match self {
            Self::Gas(GasError::OutOfGas { .. })
            | Self::Backend {
                source: BackendError::OutOfGas,
                ..
            }
            | Self::AllocatorOutOfGas { .. } => Ok(VmFailure::OutOfGas),
            Self::Aborted { message } => Ok(VmFailure::Aborted { message }),
            Self::Gas(
                e @ (GasError::PriceOverflow { .. }
                | GasError::Unpriced { .. }
                | GasError::ConversionOverflow { .. }),
            ) => Ok(VmFailure::Host(Self::Gas(e))),
            Self::Gas(
                e @ (GasError::MeteringNotInstalled { .. } | GasError::InvalidWasm { .. }),
            ) => Err(NodeFault::Gas(e)),
            // A new `GasError` is the node's until decided otherwise.
            Self::Gas(e) => Err(NodeFault::Gas(e)),
            Self::Backend {
                import,
                source: source @ (BackendError::InvalidAddress(_) | BackendError::Refused { .. }),
                gas_used,
            } => Ok(VmFailure::Host(Self::Backend {
                import,
                source,
                gas_used,
            })),
            Self::Backend {
                import,
                source: source @ (BackendError::Unavailable { .. } | BackendError::Other { .. }),
                ..
            } => Err(NodeFault::Backend { import, source }),
            Self::Bridge { problem } => Err(NodeFault::Bridge { problem }),
            deterministic @ (Self::Region(_)
            | Self::ReadOnly { .. }
            | Self::TooLarge { .. }
            | Self::UnknownIterator { .. }
            | Self::TooManyIterators { .. }
            | Self::InvalidOrder { .. }
            | Self::QueryDepth { .. }
            | Self::CallDepth { .. }
            | Self::ZeroAddress { .. }
            | Self::Allocation { .. }
            | Self::GuestExport { .. }) => Ok(VmFailure::Host(deterministic)),
        }
    }
}

/// What is wrong with a guest export the host calls, in the order
/// cosmwasm-vm 3.0.11 checks (`environment.rs` `call_function`,
/// `call_function0` / `call_function1`, `conversion.rs` `ref_to_u32`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExportProblem {
    /// No export of that name (cosmwasm-vm: `ResolveErr`, "Missing export").
    #[error("Could not get export: Missing export")]
    Missing,
    /// An export of that name that is not a function ("Incompatible Export
    /// Type").
    #[error("Could not get export: Incompatible Export Type")]
    NotAFunction,
    /// It takes another number of parameters (`FunctionArityMismatch`),
    /// found before it runs.
    #[error(
        "The called function args arity does not match. The contract's method arity: {contract_method_arity}"
    )]
    Arity {
        /// How many parameters the export takes.
        contract_method_arity: usize,
    },
    /// Its parameters have other types: Wasmer refuses the call before it
    /// runs.
    #[error("{message}")]
    ParameterTypes {
        /// Wasmer's description.
        message: String,
    },
    /// It returned another number of values (`ResultMismatch`), found after
    /// it ran.
    #[error("Unexpected number of result values. Expected: {expected}, actual: {actual}.")]
    ResultCount {
        /// Values the ABI expects.
        expected: usize,
        /// Values it returned.
        actual: usize,
    },
    /// It returned a value that is not an `i32` address (`ConversionErr`),
    /// found after it ran.
    #[error("the returned value is not an i32")]
    ResultType,
}

/// A failure reported by a [`Storage`](crate::Storage), [`Api`](crate::Api)
/// or [`Querier`](crate::Querier) implementation. Display texts are meant for
/// users.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BackendError {
    /// The backend cannot serve requests (closed database, missing
    /// connection).
    #[error("{backend} is unavailable")]
    Unavailable {
        /// Which backend, e.g. `"storage"`.
        backend: &'static str,
    },
    /// The backend ran out of the gas it was given (a query that hit its gas
    /// limit).
    #[error("ran out of gas in the backend")]
    OutOfGas,
    /// An address was rejected. This is the one backend error the contract
    /// sees (as the message of an address import), like cosmwasm-vm's
    /// `BackendError::UserErr`.
    #[error(transparent)]
    InvalidAddress(#[from] AddressError),
    /// The backend refused the request for a reason of the request's own
    /// (an invalid denomination, an import a native emulator does not
    /// provide): the same request fails the same way on every node, so the
    /// call fails deterministically (cosmwasm-vm's `BackendError::UserErr`).
    #[error("{message}")]
    Refused {
        /// Why.
        message: String,
    },
    /// Any other failure: the node's (I/O, a closed database, a bug).
    #[error("{message}")]
    Other {
        /// What went wrong.
        message: String,
    },
}

/// Why an address was rejected. The texts of the bech32 variants are exactly
/// those of cosmwasm-vm 3.0.11's `MockApi`, because the contract receives them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AddressError {
    /// Not a bech32 string with a valid checksum (this includes mixed case).
    #[error("Error decoding bech32")]
    Bech32Decode,
    /// A valid bech32 string with another prefix.
    #[error("Wrong bech32 prefix")]
    WrongPrefix,
    /// Canonical addresses are 1 to 255 bytes.
    #[error("Invalid canonical address length")]
    InvalidCanonicalLength {
        /// The rejected length.
        length: usize,
    },
    /// The address is valid but not in its normal form (e.g. upper case).
    #[error("Invalid input: address not normalized")]
    NotNormalized,
    /// The configured prefix is not a valid bech32 human-readable part.
    #[error("Invalid bech32 prefix")]
    InvalidPrefix,
    /// The canonical address cannot be encoded (the result would be too long).
    #[error("Invalid data to be encoded to bech32")]
    Bech32Encode,
    /// Not a NEAR account id.
    #[error("Invalid NEAR account id: {reason}")]
    InvalidAccountId {
        /// Which rule was broken.
        reason: &'static str,
    },
    /// Bytes that are not the canonical form of any NEAR account id.
    #[error("Invalid canonical NEAR account: {reason}")]
    InvalidCanonicalAccount {
        /// Which rule was broken.
        reason: &'static str,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error travels in every import's `Result`; keep it small.
    #[test]
    fn error_size_is_pinned() {
        let size = std::mem::size_of::<HostError>();
        assert!(size <= 64, "HostError is {size} bytes");
    }

    fn backend(source: BackendError) -> HostError {
        HostError::Backend {
            import: "db_read",
            source,
            gas_used: cw_gas::GasAmount::Cw(cw_gas::CwGas::new(7)),
        }
    }

    /// Every error the contract's own input can cause is a deterministic
    /// failure: recorded and charged.
    #[test]
    fn the_contracts_doing_is_a_vm_failure() {
        use crate::VmFailure;
        let out_of_gas = GasError::OutOfGas {
            limit: cw_gas::GasAmount::Cw(cw_gas::CwGas::new(1)),
            used: cw_gas::GasAmount::Cw(cw_gas::CwGas::new(1)),
            category: cw_gas::GasCategory::Storage,
        };
        assert_eq!(
            HostError::Gas(out_of_gas).classify(),
            Ok(VmFailure::OutOfGas)
        );
        assert_eq!(
            backend(BackendError::OutOfGas).classify(),
            Ok(VmFailure::OutOfGas)
        );
        for deterministic in [
            HostError::Gas(GasError::PriceOverflow {
                operation: "region_read",
                items: u64::MAX,
            }),
            HostError::ReadOnly { import: "db_write" },
            backend(BackendError::InvalidAddress(AddressError::NotNormalized)),
            backend(BackendError::Refused {
                message: "invalid denom".into(),
            }),
        ] {
            assert_eq!(
                deterministic.clone().classify(),
                Ok(VmFailure::Host(deterministic))
            );
        }
    }

    /// What another node would not see the same way is a node fault: never
    /// recorded as an outcome.
    #[test]
    fn the_nodes_doing_is_a_node_fault() {
        use crate::NodeFault;
        let unavailable = BackendError::Unavailable { backend: "storage" };
        assert_eq!(
            backend(unavailable.clone()).classify(),
            Err(NodeFault::Backend {
                import: "db_read",
                source: unavailable
            })
        );
        let io = BackendError::Other {
            message: "I/O error".into(),
        };
        assert!(matches!(
            backend(io).classify(),
            Err(NodeFault::Backend { .. })
        ));
        assert!(matches!(
            HostError::Bridge { problem: "no call" }.classify(),
            Err(NodeFault::Bridge { .. })
        ));
        for gas in [
            GasError::MeteringNotInstalled {
                export: "remaining",
            },
            GasError::InvalidWasm {
                offset: 0,
                message: "bad".into(),
            },
        ] {
            assert_eq!(
                HostError::Gas(gas.clone()).classify(),
                Err(NodeFault::Gas(gas))
            );
        }
    }

    #[test]
    fn address_messages_match_cosmwasm_mock_api() {
        assert_eq!(
            BackendError::from(AddressError::NotNormalized).to_string(),
            "Invalid input: address not normalized"
        );
        assert_eq!(
            AddressError::InvalidCanonicalLength { length: 0 }.to_string(),
            "Invalid canonical address length"
        );
    }
}
