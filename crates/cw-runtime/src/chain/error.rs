//! Why a chain operation failed.

use cw_host::{EntryPoint, VmFailure};

/// A failed chain operation. Every failure leaves the chain state exactly as
/// before the operation (the transaction is rolled back).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// No code with this id was stored.
    #[error("no such code: {code_id}")]
    NoSuchCode {
        /// The id asked for.
        code_id: u64,
    },
    /// No contract lives at this address.
    #[error("no such contract: {address}")]
    NoSuchContract {
        /// The address asked for.
        address: String,
    },
    /// The code was refused when stored (validation, compile, no engine for
    /// the execution mode).
    #[error("storing code failed: {reason}")]
    StoreCode {
        /// Why.
        reason: String,
    },
    /// The contract returned an error (`{"error": ...}` in its result).
    #[error("{entry} of {address} failed: {message}")]
    Contract {
        /// The contract's address.
        address: String,
        /// The entry point called.
        entry: &'static str,
        /// The contract's error message.
        message: String,
    },
    /// The contract's call failed in the VM (out of gas, trap, stack limit,
    /// abort, a refused import, ...).
    #[error("{entry} of {address}: {failure}")]
    Vm {
        /// The contract's address.
        address: String,
        /// The entry point called.
        entry: &'static str,
        /// What failed.
        failure: VmFailure,
    },
    /// The contract's result was not the JSON its entry point must return.
    #[error("{entry} of {address} returned an invalid result: {reason}")]
    BadResult {
        /// The contract's address.
        address: String,
        /// The entry point called.
        entry: &'static str,
        /// What did not parse.
        reason: String,
    },
    /// An address is not valid on this chain.
    #[error("invalid address {address:?}: {reason}")]
    InvalidAddress {
        /// The address.
        address: String,
        /// Why.
        reason: String,
    },
    /// A balance is too small for a transfer.
    #[error("spendable balance {have}{denom} is smaller than {need}{denom}: insufficient funds")]
    InsufficientFunds {
        /// Whose balance.
        address: String,
        /// The denomination.
        denom: String,
        /// What the account has.
        have: u128,
        /// What the transfer needs.
        need: u128,
    },
    /// Coins that the bank refuses (zero amount, duplicate denom, bad denom,
    /// amount above 2^128).
    #[error("{coins}: invalid coins")]
    InvalidCoins {
        /// The coins as given.
        coins: String,
    },
    /// The sender may not do this (not the contract's admin, ...).
    #[error("{action}: {sender} is unauthorized")]
    Unauthorized {
        /// What was attempted.
        action: &'static str,
        /// Who attempted it.
        sender: String,
    },
    /// A message kind the chain does not execute and no handler took.
    #[error("unsupported message: {kind} (no handler registered for it)")]
    UnsupportedMessage {
        /// The message's kind (`staking`, `distribution`, `ibc`, `gov`, `any`, `custom`, ...).
        kind: String,
    },
    /// The embedder's message handler failed.
    #[error("message handler failed: {message}")]
    Handler {
        /// The handler's error.
        message: String,
    },
    /// The contract emitted an event or attribute wasmd refuses.
    #[error("invalid event: {reason}")]
    InvalidEvent {
        /// What is wrong.
        reason: String,
    },
    /// A contract already lives at the address an instantiation derived.
    #[error("contract account already exists: {address}")]
    DuplicateContract {
        /// The address.
        address: String,
    },
    /// An `instantiate2` salt must have 1 to 64 bytes.
    #[error("invalid salt: {len} bytes, expected 1 to 64")]
    InvalidSalt {
        /// The salt's length.
        len: usize,
    },
    /// Contracts called each other through messages deeper than the limit.
    #[error("message dispatch deeper than {limit} calls")]
    CallDepth {
        /// The limit.
        limit: u32,
    },
    /// The transaction's gas limit was reached outside a contract call.
    #[error("out of gas")]
    OutOfGas,
    /// The contract does not support the operation (e.g. `migrate` without a
    /// `migrate` export, an IBC entry point).
    #[error("unsupported for this contract: {what}")]
    Unsupported {
        /// What.
        what: String,
    },
    /// A submessage failed and its error was passed on (wasmd wraps it with
    /// "submessages").
    #[error("submessages: {0}")]
    SubMessage(Box<ChainError>),
    /// The persistent or embedder-provided state failed.
    #[error("state backend: {message}")]
    Backend {
        /// What failed.
        message: String,
    },
}

impl ChainError {
    /// The (codespace, code) wasmd's ABCI error for this failure has; a
    /// contract sees `codespace: {codespace}, code: {code}` in the reply of
    /// a failed submessage (wasmd `redactError`).
    #[must_use]
    pub fn abci_code(&self) -> (&'static str, u32) {
        match self {
            Self::SubMessage(inner) => inner.abci_code(),
            Self::NoSuchCode { .. } => ("wasm", 28),
            Self::NoSuchContract { .. } => ("wasm", 22),
            Self::StoreCode { .. } => ("wasm", 2),
            Self::Contract { entry, .. } => match *entry {
                "instantiate" => ("wasm", 4),
                "migrate" => ("wasm", 11),
                _ => ("wasm", 5),
            },
            Self::Vm { failure, .. } => match failure {
                VmFailure::OutOfGas => ("sdk", 11),
                _ => ("wasm", 29),
            },
            Self::BadResult { .. } => ("wasm", 10),
            Self::InvalidAddress { .. } => ("sdk", 7),
            Self::InsufficientFunds { .. } => ("sdk", 5),
            Self::InvalidCoins { .. } => ("sdk", 10),
            Self::Unauthorized { .. } => ("sdk", 4),
            Self::UnsupportedMessage { .. } => ("wasm", 20),
            Self::Handler { .. } => ("wasm", 20),
            Self::DuplicateContract { .. } => ("wasm", 15),
            Self::InvalidEvent { .. } => ("wasm", 21),
            Self::InvalidSalt { .. } => ("wasm", 14),
            Self::CallDepth { .. } => ("wasm", 13),
            Self::OutOfGas => ("sdk", 11),
            Self::Unsupported { .. } => ("wasm", 17),
            Self::Backend { .. } => ("sdk", 1),
        }
    }

    /// The VM failure kind or `contract`, as the scenario runner names it.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::SubMessage(inner) => inner.kind(),
            Self::Contract { .. } => "contract",
            Self::Vm { failure, .. } => match failure {
                VmFailure::OutOfGas => "out_of_gas",
                VmFailure::StackLimit => "stack",
                VmFailure::Aborted { .. } => "abort",
                VmFailure::Host(cw_host::HostError::Region(_)) | VmFailure::BadResult(_) => {
                    "region"
                }
                VmFailure::Host(_) => "host",
                VmFailure::Trap { message } if message.contains("memory") => "memory",
                VmFailure::Trap { .. } | VmFailure::Poisoned => "trap",
                VmFailure::MissingExport { .. } => "missing_export",
                VmFailure::Instantiate { .. } => "memory",
                _ => "vm",
            },
            Self::OutOfGas => "out_of_gas",
            Self::StoreCode { .. } => "validation",
            Self::InsufficientFunds { .. } | Self::InvalidCoins { .. } => "bank",
            Self::BadResult { .. } => "bad_result",
            Self::Unauthorized { .. } => "unauthorized",
            Self::UnsupportedMessage { .. } | Self::Unsupported { .. } => "unsupported",
            Self::NoSuchCode { .. } | Self::NoSuchContract { .. } => "not_found",
            Self::InvalidAddress { .. } => "address",
            _ => "chain",
        }
    }

    pub(crate) fn from_vm(address: &str, entry: EntryPoint, failure: VmFailure) -> Self {
        Self::Vm {
            address: address.to_owned(),
            entry: entry.export_name(),
            failure,
        }
    }
}
