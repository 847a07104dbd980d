//! Why a chain operation failed, with the ABCI code wasmd gives each
//! failure and the text a contract sees of it.

use cw_host::{EntryPoint, NodeFault, VmFailure};

/// A failed chain operation. Every failure leaves the chain state exactly as
/// before the operation (the transaction is rolled back).
///
/// Each variant has the ABCI (codespace, code) of the error wasmd returns in
/// the same situation ([`ChainError::abci_code`]); a contract sees either
/// that code or, for its callee's own error, the callee's text
/// ([`ChainError::redacted`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// No code with this id was stored (wasmd `ErrNoSuchCodeFn`, wasm 28).
    #[error("no such code: {code_id}")]
    NoSuchCode {
        /// The id asked for.
        code_id: u64,
    },
    /// No contract lives at this address (wasmd `ErrNoSuchContractFn`,
    /// wasm 22): execute, sudo, query.
    #[error("no such contract: {address}")]
    NoSuchContract {
        /// The address asked for.
        address: String,
    },
    /// Migrate or an admin change named an address without a contract
    /// (wasmd `Wrap(ErrInvalidRequest, "unknown contract")`, sdk 18).
    #[error("unknown contract {address}: invalid request")]
    UnknownContract {
        /// The address.
        address: String,
    },
    /// Migrate named a code id that was never stored (wasmd
    /// `Wrap(ErrInvalidRequest, "unknown code")`, sdk 18).
    #[error("unknown code {code_id}: invalid request")]
    UnknownCode {
        /// The code id.
        code_id: u64,
    },
    /// Instantiate or migrate with code id 0 (wasmd `ValidateBasic`:
    /// `Wrap(ErrInvalidRequest, "code id is required")`, sdk 18).
    #[error("code id is required: invalid request")]
    CodeIdRequired,
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
    /// The contract's result was not the JSON its entry point must return,
    /// or broke a limit of wasmvm's `DeserializeResponse` (wasm 29, as
    /// wasmd wraps wasmvm's error in `ErrVMError`).
    #[error("{entry} of {address} returned an invalid result: {reason}")]
    BadResult {
        /// The contract's address.
        address: String,
        /// The entry point called.
        entry: &'static str,
        /// What did not parse.
        reason: String,
    },
    /// An address the bank refuses (a `BankMsg::Send` recipient; wasmd
    /// `ErrInvalidAddress`, sdk 7).
    #[error("invalid address {address:?}: {reason}")]
    InvalidAddress {
        /// The address.
        address: String,
        /// Why.
        reason: String,
    },
    /// An address field of a wasm message that fails the SDK's
    /// `AccAddressFromBech32` in `ValidateBasic` (a plain error, which the
    /// SDK reports as `codespace: undefined, code: 1`).
    #[error("{field}: invalid address {address:?}: {reason}")]
    MalformedAddress {
        /// The message field (`sender`, `contract`, `admin`, `new admin`).
        field: &'static str,
        /// The address as given.
        address: String,
        /// Why the chain's `Api` refused it.
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
    /// A coin amount above what any balance can hold (2^128 - 1 here; the
    /// SDK's amounts are wider, so on wasmd the transfer fails for
    /// insufficient funds, sdk 5).
    #[error("{amount}{denom} is more than any balance holds: insufficient funds")]
    AmountTooLarge {
        /// The denomination.
        denom: String,
        /// The amount as given.
        amount: String,
    },
    /// Coins that the bank refuses (`ErrInvalidCoins`, sdk 10): a
    /// `BankMsg::Send` of zero coins only, a genesis balance that would
    /// overflow, an unparsable amount.
    #[error("{coins}: invalid coins")]
    InvalidCoins {
        /// The coins as given.
        coins: String,
    },
    /// A coin denomination the SDK refuses (`sdk.Coin.Validate`: a plain
    /// error, `codespace: undefined, code: 1`).
    #[error("invalid denom: {denom}")]
    InvalidDenom {
        /// The denomination.
        denom: String,
    },
    /// Funds of a top-level message that `sdk.Coins.Validate` refuses
    /// (unsorted, duplicate or zero coins: a plain error, `undefined`, 1).
    /// Contracts' coins are normalised instead.
    #[error("funds: {reason}")]
    InvalidFunds {
        /// What is wrong.
        reason: String,
    },
    /// The sender may not do this (not the contract's admin, ...; sdk 4).
    #[error("{action}: {sender} is unauthorized")]
    Unauthorized {
        /// What was attempted.
        action: &'static str,
        /// Who attempted it.
        sender: String,
    },
    /// A required field was empty (wasmd `ErrEmpty`, wasm 12): a label, a
    /// burn amount.
    #[error("{what}: empty")]
    Empty {
        /// The field.
        what: &'static str,
    },
    /// A field longer than wasmd allows (`ErrLimit`, wasm 13): a label.
    #[error("{what}: {len} bytes, cannot be longer than {limit}: exceeds limit")]
    TooLong {
        /// The field.
        what: &'static str,
        /// Its length in bytes.
        len: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// A field wasmd's `ValidateBasic` refuses (`ErrInvalid`, wasm 14): a
    /// message that is not JSON, a label with surrounding whitespace or
    /// unprintable characters, an admin update to the sender itself.
    #[error("{what}: {reason}: invalid")]
    Invalid {
        /// The field.
        what: &'static str,
        /// Why.
        reason: String,
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
    /// The contract emitted an event or attribute wasmd refuses (wasm 21).
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
    /// An `instantiate2` salt must have 1 to 64 bytes (wasmd
    /// `ValidateSalt`: wasm 12 when empty, 13 when too long).
    #[error("invalid salt: {len} bytes, expected 1 to 64")]
    InvalidSalt {
        /// The salt's length.
        len: usize,
    },
    /// Contract responses nested deeper than the limit (wasmd
    /// `ErrExceedMaxCallDepth`, wasm 30).
    #[error("max call depth {limit} exceeded")]
    CallDepth {
        /// The limit.
        limit: u32,
    },
    /// A counter the chain keeps (classic contract instances, code ids,
    /// transactions in a block) is at its maximum; going on would reuse
    /// values (wasm 13, wasmd's `ErrLimit`).
    #[error("the {counter} counter is exhausted")]
    CounterOverflow {
        /// Which counter.
        counter: &'static str,
    },
    /// The transaction's gas limit was reached outside a contract call.
    #[error("out of gas")]
    OutOfGas,
    /// A submessage with its own gas limit ran out of it (wasmd
    /// `Wrap(ErrOutOfGas, "SubMsg hit gas limit")`, sdk 11). Unlike running
    /// out of the transaction's gas, a reply can catch this.
    #[error("SubMsg hit gas limit ({limit} SDK gas): out of gas")]
    SubMsgGasLimit {
        /// The submessage's limit, in SDK gas.
        limit: u64,
    },
    /// The contract does not support the operation (e.g. `migrate` without a
    /// `migrate` export, an IBC entry point).
    #[error("unsupported for this contract: {what}")]
    Unsupported {
        /// What.
        what: String,
    },
    /// A message that an `execute` response dispatched failed; wasmd passes
    /// the error up unchanged (`keeper.execute` returns what
    /// `handleContractResponse` returned), so a reply further up sees the
    /// inner error as it is.
    #[error("submessages: {0}")]
    SubMessage(Box<ChainError>),
    /// Handling the response of `instantiate`, `migrate`, `sudo` or `reply`
    /// failed; wasmd wraps the error (`errorsmod.Wrap(err, "dispatch")`),
    /// so a reply further up sees only its code.
    #[error("dispatch: {error}")]
    Dispatch {
        /// The entry point whose response was handled.
        entry: &'static str,
        /// What failed.
        error: Box<ChainError>,
    },
    /// The `reply` a submessage asked for failed; wasmd wraps the error
    /// (`errorsmod.Wrap(err, "reply")` in `DispatchSubmessages`).
    #[error("reply: {0}")]
    Reply(Box<ChainError>),
    /// The persistent or embedder-provided state failed.
    #[error("state backend: {message}")]
    Backend {
        /// What failed.
        message: String,
    },
}

/// Why a transaction stopped, inside the chain: a deterministic failure,
/// recorded as the transaction's outcome (and seen by a reply, redacted or
/// not), or the node's fault, which is never recorded, caught by a reply nor
/// redacted: the chain's methods return it as their own error
/// (`Result<TxResult, NodeFault>`). Two types, so nothing that handles a
/// [`ChainError`] can hold a fault.
#[derive(Debug)]
pub(crate) enum Halt<E = ChainError> {
    /// A deterministic failure.
    Failed(E),
    /// The node's fault.
    Fault(NodeFault),
}

impl<E> From<E> for Halt<E> {
    fn from(error: E) -> Self {
        Self::Failed(error)
    }
}

impl<E> Halt<E> {
    /// Transforms a deterministic failure; a fault passes through.
    pub(crate) fn map_failed(self, map: impl FnOnce(E) -> E) -> Self {
        match self {
            Self::Failed(error) => Self::Failed(map(error)),
            fault @ Self::Fault(_) => fault,
        }
    }
}

impl ChainError {
    /// The (codespace, code) of wasmd's ABCI error for this failure
    /// (`errorsmod.ABCIInfo`, which looks through every wrapper to the
    /// registered error at the root). Unregistered errors are
    /// `("undefined", 1)`, as the SDK reports them.
    #[must_use]
    pub fn abci_code(&self) -> (&'static str, u32) {
        match self {
            Self::SubMessage(inner) | Self::Reply(inner) | Self::Dispatch { error: inner, .. } => {
                inner.abci_code()
            }
            Self::NoSuchCode { .. } => ("wasm", 28),
            Self::NoSuchContract { .. } => ("wasm", 22),
            Self::UnknownContract { .. } | Self::UnknownCode { .. } | Self::CodeIdRequired => {
                ("sdk", 18)
            }
            Self::StoreCode { .. } => ("wasm", 2),
            Self::Contract { entry, .. } => match *entry {
                "instantiate" => ("wasm", 4),
                "migrate" => ("wasm", 11),
                "query" => ("wasm", 9),
                _ => ("wasm", 5),
            },
            Self::Vm { failure, .. } => match failure {
                VmFailure::OutOfGas => ("sdk", 11),
                _ => ("wasm", 29),
            },
            Self::BadResult { .. } => ("wasm", 29),
            Self::InvalidAddress { .. } => ("sdk", 7),
            Self::MalformedAddress { .. }
            | Self::InvalidDenom { .. }
            | Self::InvalidFunds { .. } => ("undefined", 1),
            Self::InsufficientFunds { .. } | Self::AmountTooLarge { .. } => ("sdk", 5),
            Self::InvalidCoins { .. } => ("sdk", 10),
            Self::Unauthorized { .. } => ("sdk", 4),
            Self::Empty { .. } => ("wasm", 12),
            Self::TooLong { .. } | Self::CounterOverflow { .. } => ("wasm", 13),
            Self::Invalid { .. } => ("wasm", 14),
            Self::UnsupportedMessage { .. } | Self::Handler { .. } => ("wasm", 20),
            Self::DuplicateContract { .. } => ("wasm", 15),
            Self::InvalidEvent { .. } => ("wasm", 21),
            Self::InvalidSalt { len: 0 } => ("wasm", 12),
            Self::InvalidSalt { .. } => ("wasm", 13),
            Self::CallDepth { .. } => ("wasm", 30),
            Self::OutOfGas | Self::SubMsgGasLimit { .. } => ("sdk", 11),
            Self::Unsupported { .. } => ("wasm", 17),
            Self::Backend { .. } => ("undefined", 1),
        }
    }

    /// The text a contract sees of this failure in the `reply` of a failed
    /// submessage, as wasmd's `redactError` (`x/wasm/keeper/msg_dispatcher.go`)
    /// makes it: a callee's own error, when it reached the dispatcher
    /// unwrapped (wasmd's `DeterministicError` at the top level), keeps its
    /// text with wasmd's suffix (`"boom: execute wasm contract failed"`);
    /// anything else becomes `codespace: {codespace}, code: {code}`.
    #[must_use]
    pub fn redacted(&self) -> String {
        let mut error = self;
        while let Self::SubMessage(inner) = error {
            error = inner;
        }
        match error {
            Self::Contract { entry, message, .. } => {
                format!("{message}: {}", contract_failure(entry))
            }
            other => {
                let (codespace, code) = other.abci_code();
                format!("codespace: {codespace}, code: {code}")
            }
        }
    }

    /// The VM failure kind or `contract`, as the scenario runner names it.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::SubMessage(inner) | Self::Reply(inner) | Self::Dispatch { error: inner, .. } => {
                inner.kind()
            }
            Self::Contract { .. } => "contract",
            Self::Vm { failure, .. } => vm_kind(failure),
            Self::OutOfGas | Self::SubMsgGasLimit { .. } => "out_of_gas",
            Self::StoreCode { .. } => "validation",
            Self::InsufficientFunds { .. }
            | Self::InvalidCoins { .. }
            | Self::InvalidDenom { .. }
            | Self::InvalidFunds { .. }
            | Self::AmountTooLarge { .. } => "bank",
            Self::BadResult { .. } => "bad_result",
            Self::Unauthorized { .. } => "unauthorized",
            Self::UnsupportedMessage { .. } | Self::Unsupported { .. } => "unsupported",
            Self::NoSuchCode { .. }
            | Self::NoSuchContract { .. }
            | Self::UnknownContract { .. }
            | Self::UnknownCode { .. } => "not_found",
            Self::InvalidAddress { .. } | Self::MalformedAddress { .. } => "address",
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

/// wasmd's registered error that wraps a contract's own error text, per
/// entry point (`x/wasm/types/errors.go`: `ErrInstantiateFailed`,
/// `ErrExecuteFailed`, `ErrMigrationFailed`, `ErrQueryFailed`; `sudo` and
/// `reply` use `ErrExecuteFailed`, `keeper.go` `Sudo` and `reply`).
pub(crate) fn contract_failure(entry: &str) -> &'static str {
    match entry {
        "instantiate" => "instantiate wasm contract failed",
        "migrate" => "migrate wasm contract failed",
        "query" => "query wasm contract failed",
        _ => "execute wasm contract failed",
    }
}

fn vm_kind(failure: &VmFailure) -> &'static str {
    match failure {
        VmFailure::OutOfGas => "out_of_gas",
        VmFailure::StackLimit => "stack",
        VmFailure::Aborted { .. } => "abort",
        VmFailure::Host(cw_host::HostError::Region(_)) | VmFailure::BadResult(_) => "region",
        VmFailure::Host(_) => "host",
        // Wasmer's text for `TrapCode::HeapAccessOutOfBounds`, exactly.
        VmFailure::Trap { message } if message == "out of bounds memory access" => "memory",
        VmFailure::Trap { .. } => "trap",
        VmFailure::MissingExport { .. } => "missing_export",
        VmFailure::MemoryLimit { .. } => "memory",
        VmFailure::Instantiate { .. } => "instantiate",
        _ => "vm",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contract(entry: &'static str) -> ChainError {
        ChainError::Contract {
            address: "c".into(),
            entry,
            message: "boom".into(),
        }
    }

    /// wasmd `redactError`: only a contract error at the top level (after
    /// `execute`'s pass-through) keeps its text.
    #[test]
    fn redaction_keeps_only_top_level_contract_errors() {
        assert_eq!(
            contract("execute").redacted(),
            "boom: execute wasm contract failed"
        );
        assert_eq!(
            contract("instantiate").redacted(),
            "boom: instantiate wasm contract failed"
        );
        assert_eq!(
            ChainError::SubMessage(Box::new(contract("migrate"))).redacted(),
            "boom: migrate wasm contract failed"
        );
        let dispatch = ChainError::Dispatch {
            entry: "instantiate",
            error: Box::new(contract("execute")),
        };
        assert_eq!(dispatch.redacted(), "codespace: wasm, code: 5");
        let reply = ChainError::Reply(Box::new(contract("reply")));
        assert_eq!(reply.redacted(), "codespace: wasm, code: 5");
        assert_eq!(
            ChainError::CallDepth { limit: 100 }.redacted(),
            "codespace: wasm, code: 30"
        );
    }
}
