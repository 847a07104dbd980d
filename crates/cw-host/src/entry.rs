//! The byte-boundary entry-point trait that a Wasm contract and a native
//! emulator both implement.
//!
//! API boundary: bytes in (env, info, message JSON), bytes out (the
//! contract's raw `ContractResult` JSON) plus gas. Nothing here knows
//! Wasmer, cosmwasm-std types or how the contract is run.

use cw_gas::{CostTable, GasMeter, GasReport};

use crate::backend::api::Api;
use crate::backend::querier::Querier;
use crate::backend::storage::Storage;
use crate::context::DebugHandler;
use crate::error::HostError;
use crate::limits::HostLimits;

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

/// The chain-facing side of a call: backends, gas meter and limits. The
/// contract builds its [`CallState`](crate::CallState) from this and the
/// entry point, so a query can never run writable.
pub struct CallContext<'a, T: CostTable> {
    /// The contract's store.
    pub storage: &'a mut dyn Storage,
    /// Address conversion.
    pub api: &'a dyn Api,
    /// Chain queries.
    pub querier: &'a dyn Querier,
    /// Where `debug` messages go.
    pub debug: &'a mut dyn DebugHandler,
    /// The call's gas meter; after the call (also after a failure) it holds
    /// everything the call used.
    pub gas: &'a mut GasMeter<T>,
    /// Limits for the call's imports.
    pub limits: HostLimits,
    /// Query nesting depth of this call (0 from the chain).
    pub query_depth: u32,
}

impl<T: CostTable> core::fmt::Debug for CallContext<'_, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CallContext")
            .field("gas", &self.gas)
            .field("limits", &self.limits)
            .field("query_depth", &self.query_depth)
            .finish_non_exhaustive()
    }
}

/// What a completed call returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallOutput {
    /// The export's raw result bytes (JSON `ContractResult<...>`); a
    /// contract error is inside them, not an `Err`.
    pub result: Vec<u8>,
    /// The meter's report at the end of the call.
    pub gas: GasReport,
}

/// A contract as the chain sees it: an entry-point call at the byte
/// boundary. Implemented by the Wasm runtime and by native emulators, so
/// that both can run the same message script.
///
/// Object safe: `Box<dyn Contract<CosmWasmSchedule>>` works.
pub trait Contract<T: CostTable> {
    /// Calls `input.entry` with its arguments.
    ///
    /// # Errors
    /// A [`HostError`] if the call failed outside the contract's own error
    /// handling (trap, abort, out of gas, limit, backend fault); the gas
    /// used is then in `ctx.gas`.
    fn call(
        &mut self,
        input: CallInput<'_>,
        ctx: CallContext<'_, T>,
    ) -> Result<CallOutput, HostError>;
}
