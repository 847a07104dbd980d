//! The byte-boundary entry-point trait that a Wasm contract and a native
//! emulator both implement.
//!
//! API boundary: bytes in (env, info, message JSON), bytes out (the
//! contract's raw `ContractResult` JSON) plus gas. Nothing here knows
//! Wasmer, cosmwasm-std types or how the contract is run.

use cw_gas::{CostTable, GasError};

use crate::context::CallBackend;
use crate::error::{BackendError, HostError};

/// A contract export that the chain calls, named as the Wasm export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum EntryPoint {
    /// `instantiate(env, info, msg)`.
    Instantiate,
    /// `execute(env, info, msg)`.
    Execute,
    /// `migrate(env, msg)` or, since CosmWasm 2.2, `migrate(env, msg,
    /// migrate_info)`.
    Migrate,
    /// `sudo(env, msg)`.
    Sudo,
    /// `reply(env, msg)`.
    Reply,
    /// `query(env, msg)`: the only read-only entry point.
    Query,
    /// `ibc_channel_open(env, msg)`.
    IbcChannelOpen,
    /// `ibc_channel_connect(env, msg)`.
    IbcChannelConnect,
    /// `ibc_channel_close(env, msg)`.
    IbcChannelClose,
    /// `ibc_packet_receive(env, msg)`.
    IbcPacketReceive,
    /// `ibc_packet_ack(env, msg)`.
    IbcPacketAck,
    /// `ibc_packet_timeout(env, msg)`.
    IbcPacketTimeout,
    /// `ibc_source_callback(env, msg)`.
    IbcSourceCallback,
    /// `ibc_destination_callback(env, msg)`.
    IbcDestinationCallback,
    /// `ibc2_packet_receive(env, msg)`.
    Ibc2PacketReceive,
    /// `ibc2_packet_ack(env, msg)`.
    Ibc2PacketAck,
    /// `ibc2_packet_timeout(env, msg)`.
    Ibc2PacketTimeout,
    /// `ibc2_packet_send(env, msg)`.
    Ibc2PacketSend,
}

/// Whether an entry point takes a `MessageInfo`-like second argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InfoArg {
    /// Never (`env, msg`).
    None,
    /// Always (`env, info, msg`): instantiate and execute.
    Required,
    /// When the contract's export accepts it (`migrate`'s `MigrateInfo`,
    /// passed after `msg`).
    Optional,
}

impl EntryPoint {
    /// Every entry point, in declaration order.
    pub const ALL: [EntryPoint; 18] = [
        Self::Instantiate,
        Self::Execute,
        Self::Migrate,
        Self::Sudo,
        Self::Reply,
        Self::Query,
        Self::IbcChannelOpen,
        Self::IbcChannelConnect,
        Self::IbcChannelClose,
        Self::IbcPacketReceive,
        Self::IbcPacketAck,
        Self::IbcPacketTimeout,
        Self::IbcSourceCallback,
        Self::IbcDestinationCallback,
        Self::Ibc2PacketReceive,
        Self::Ibc2PacketAck,
        Self::Ibc2PacketTimeout,
        Self::Ibc2PacketSend,
    ];

    /// The Wasm export's name.
    #[must_use]
    pub const fn export_name(self) -> &'static str {
        match self {
            Self::Instantiate => "instantiate",
            Self::Execute => "execute",
            Self::Migrate => "migrate",
            Self::Sudo => "sudo",
            Self::Reply => "reply",
            Self::Query => "query",
            Self::IbcChannelOpen => "ibc_channel_open",
            Self::IbcChannelConnect => "ibc_channel_connect",
            Self::IbcChannelClose => "ibc_channel_close",
            Self::IbcPacketReceive => "ibc_packet_receive",
            Self::IbcPacketAck => "ibc_packet_ack",
            Self::IbcPacketTimeout => "ibc_packet_timeout",
            Self::IbcSourceCallback => "ibc_source_callback",
            Self::IbcDestinationCallback => "ibc_destination_callback",
            Self::Ibc2PacketReceive => "ibc2_packet_receive",
            Self::Ibc2PacketAck => "ibc2_packet_ack",
            Self::Ibc2PacketTimeout => "ibc2_packet_timeout",
            Self::Ibc2PacketSend => "ibc2_packet_send",
        }
    }

    /// Whether the call must not change state: only `query` (cosmwasm-vm
    /// 3.0.10 `calls.rs` sets storage read-only for `call_query_raw` alone).
    #[must_use]
    pub const fn is_read_only(self) -> bool {
        matches!(self, Self::Query)
    }

    /// Whether the call takes an `info` argument.
    #[must_use]
    pub const fn info_arg(self) -> InfoArg {
        match self {
            Self::Instantiate | Self::Execute => InfoArg::Required,
            Self::Migrate => InfoArg::Optional,
            _ => InfoArg::None,
        }
    }

    /// Longest result the host accepts from this export: 64 MiB for every
    /// entry point (cosmwasm-vm `calls.rs` `read_limits::RESULT_*`).
    #[must_use]
    pub const fn result_limit_bytes(self) -> usize {
        64 * 1024 * 1024
    }
}

/// The arguments of one entry-point call, as bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallInput<'a> {
    /// Which export to call.
    pub entry: EntryPoint,
    /// JSON `Env`.
    pub env: &'a [u8],
    /// JSON `MessageInfo` (instantiate, execute) or `MigrateInfo` (migrate);
    /// see [`EntryPoint::info_arg`].
    pub info: Option<&'a [u8]>,
    /// JSON message.
    pub msg: &'a [u8],
}

/// Why a contract call failed, deterministically: the same code, input and
/// state fail the same way with the same gas on every node, so the failure
/// is recorded and charged like a result. A contract's own error (`{"error":
/// ...}` in its result) is not a failure: it is in the result bytes. What
/// is the node's fault, not the contract's, is a [`NodeFault`] instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VmFailure {
    /// The gas limit was reached (by operators or by an import's charge).
    #[error("out of gas")]
    OutOfGas,
    /// A call exceeded the deterministic stack limit.
    #[error("stack limit exceeded")]
    StackLimit,
    /// The contract's initial memory is above the instance memory limit
    /// the chain sets: no instance can be made (cosmwasm-vm refuses it the
    /// same way when instantiating).
    #[error(
        "the contract's initial memory of {initial_pages} pages exceeds the limit of {limit_pages} pages"
    )]
    MemoryLimit {
        /// Pages the contract declares.
        initial_pages: u64,
        /// Pages an instance may have.
        limit_pages: u64,
    },
    /// The contract cannot be instantiated for a reason of its own: an
    /// import of another type than the host's, a data segment outside its
    /// memory, a start function that traps (cosmwasm-vm's
    /// `InstantiationErr`). Deterministic: every node refuses it alike.
    #[error("cannot instantiate the contract: {message}")]
    Instantiate {
        /// What the engine reported.
        message: String,
    },
    /// The contract called `abort` (its panic handler does).
    #[error("contract aborted: {message}")]
    Aborted {
        /// The contract's message.
        message: String,
    },
    /// An import refused its input (bad region, over a limit, a write in a
    /// query, an unknown iterator, too deep, ...). Only deterministic host
    /// errors: [`HostError::classify`] decides.
    #[error("host function failed: {0}")]
    Host(HostError),
    /// The contract trapped (`unreachable`, division by zero, out-of-bounds
    /// access, memory limit reached by `memory.grow` failing, ...).
    #[error("contract trapped: {message}")]
    Trap {
        /// The engine's description of the trap.
        message: String,
    },
    /// The contract does not export the entry point.
    #[error("the contract does not export `{name}`")]
    MissingExport {
        /// The export's name.
        name: &'static str,
    },
    /// The result region was invalid or too large.
    #[error("invalid result region: {0}")]
    BadResult(cw_region::RegionError),
}

/// A failure that is the node's, not the contract's: another node (or this
/// one, retried) would not fail the same way, so it must never be recorded
/// as a transaction's outcome nor charged; the embedder stops and reports
/// it (as near-vm-runner separates `VMRunnerError` from a guest's
/// `FunctionCallError`). [`HostError::classify`] is the one place that
/// decides which host errors these are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NodeFault {
    /// A backend (storage, querier, address API) failed for a reason of the
    /// node's: a closed database, an I/O error.
    #[error("{import}: the node's backend failed: {source}")]
    Backend {
        /// The import that used the backend.
        import: &'static str,
        /// The backend's error.
        source: BackendError,
    },
    /// The host bridge was used out of order (an import ran outside a call):
    /// a bug of the runtime.
    #[error("host bridge used out of order: {problem}")]
    Bridge {
        /// What was missing.
        problem: &'static str,
    },
    /// The gas machinery is misconfigured (a module compiled without the
    /// metering middleware, a middleware given invalid bytes).
    #[error(transparent)]
    Gas(GasError),
    /// The engine failed for a reason of the node's: a mapping the operating
    /// system refused, a reset that could not finish, an instance used after
    /// it trapped without a reset.
    #[error("engine failure: {message}")]
    Engine {
        /// What failed.
        message: String,
    },
}

/// The result bytes of an entry point (its JSON `ContractResult`), or why
/// the call failed.
pub type CallResult = Result<Vec<u8>, VmFailure>;

/// What a contract call ended with: a deterministic result (bytes or
/// [`VmFailure`], with its gas in the backend's meter), or a [`NodeFault`].
pub type CallOutcome = Result<CallResult, NodeFault>;

/// A contract as the chain sees it: an entry-point call at the byte
/// boundary. Implemented by the Wasm runtime and by native emulators, so
/// that everything above treats them alike.
///
/// The backend is moved in for the call and handed back, its meter holding
/// everything the call used, also when the call failed. Object safe:
/// `Box<dyn Contract<CosmWasmSchedule> + Send>` works.
pub trait Contract<T: CostTable> {
    /// Calls `input.entry` with its arguments against `backend`. The
    /// implementation builds the call's read-only rule from `input.entry`,
    /// never from the caller.
    fn call(
        &mut self,
        input: CallInput<'_>,
        backend: CallBackend<T>,
    ) -> (CallOutcome, CallBackend<T>);
}
