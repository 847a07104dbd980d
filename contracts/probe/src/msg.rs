//! The probe's message API: what each message calls and what it returns.
//!
//! Byte fields are [`Binary`] (base64 in JSON). Results a test asserts on are
//! returned in `Response::data` (execute) or as the query result; the
//! `*Response` types below are their JSON shapes.

use cosmwasm_std::{Binary, Order, SubMsg, Uint128};
use serde::{Deserialize, Serialize};

/// Storage key `migrate` writes the new version to.
pub const VERSION_KEY: &[u8] = b"probe/version";

/// Storage key `reply` writes the JSON of the last [`cosmwasm_std::Reply`] to.
pub const REPLY_KEY: &[u8] = b"probe/reply";

/// Storage key `receive` writes the JSON of the last cw20 receive message to.
pub const RECEIVED_KEY: &[u8] = b"probe/received";

/// Instantiation takes no arguments and writes nothing to storage, so that
/// storage holds exactly what later messages put there.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct InstantiateMsg {}

/// Execute messages: one per import, then the misbehaviours.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ExecuteMsg {
    /// `db_write` through `Storage::set`. No data.
    ///
    /// An empty `value` panics inside cosmwasm-std (it refuses empty values)
    /// before the import is called.
    Write {
        /// Storage key.
        key: Binary,
        /// Value; must not be empty.
        value: Binary,
    },
    /// `db_remove` through `Storage::remove`. No data.
    Remove {
        /// Storage key.
        key: Binary,
    },
    /// `db_read` through `Storage::get`. Data: [`ReadResponse`].
    Read {
        /// Storage key.
        key: Binary,
    },
    /// `db_scan` plus, by `mode`, `db_next` (`Storage::range`), `db_next_key`
    /// (`Storage::range_keys`) or `db_next_value` (`Storage::range_values`).
    /// Data: [`ScanResponse`].
    Scan(ScanArgs),
    /// `addr_validate` through `Api::addr_validate`. Data: the validated
    /// address as UTF-8 bytes.
    AddrValidate {
        /// Human-readable address.
        addr: String,
    },
    /// `addr_canonicalize` through `Api::addr_canonicalize`. Data: the
    /// canonical address bytes.
    AddrCanonicalize {
        /// Human-readable address.
        addr: String,
    },
    /// `addr_humanize` through `Api::addr_humanize`. Data: the human-readable
    /// address as UTF-8 bytes.
    AddrHumanize {
        /// Canonical address bytes.
        canonical: Binary,
    },
    /// `secp256k1_verify`. Data: JSON `true` or `false`.
    Secp256k1Verify {
        /// 32-byte message hash.
        message_hash: Binary,
        /// 64-byte `r || s` signature.
        signature: Binary,
        /// SEC1 public key, compressed (33 bytes) or uncompressed (65 bytes).
        public_key: Binary,
    },
    /// `secp256k1_recover_pubkey`. Data: the recovered 65-byte uncompressed
    /// public key.
    Secp256k1RecoverPubkey {
        /// 32-byte message hash.
        message_hash: Binary,
        /// 64-byte `r || s` signature.
        signature: Binary,
        /// 0 or 1; anything else is an error from the host.
        recovery_param: u8,
    },
    /// `secp256r1_verify`. Data: JSON `true` or `false`.
    Secp256r1Verify {
        /// 32-byte message hash.
        message_hash: Binary,
        /// 64-byte `r || s` signature.
        signature: Binary,
        /// SEC1 public key, compressed or uncompressed.
        public_key: Binary,
    },
    /// `secp256r1_recover_pubkey`. Data: the recovered 65-byte uncompressed
    /// public key.
    Secp256r1RecoverPubkey {
        /// 32-byte message hash.
        message_hash: Binary,
        /// 64-byte `r || s` signature.
        signature: Binary,
        /// 0 or 1; anything else is an error from the host.
        recovery_param: u8,
    },
    /// `ed25519_verify`. Data: JSON `true` or `false`.
    Ed25519Verify {
        /// The message itself (ed25519 hashes internally).
        message: Binary,
        /// 64-byte signature.
        signature: Binary,
        /// 32-byte public key.
        public_key: Binary,
    },
    /// `ed25519_batch_verify`. Data: JSON `true` or `false`.
    Ed25519BatchVerify {
        /// Messages; one, or one per signature.
        messages: Vec<Binary>,
        /// Signatures.
        signatures: Vec<Binary>,
        /// Public keys; one, or one per signature.
        public_keys: Vec<Binary>,
    },
    /// `bls12_381_aggregate_g1`. Data: the 48-byte compressed sum.
    Bls12381AggregateG1 {
        /// Concatenated 48-byte compressed G1 points.
        points: Binary,
    },
    /// `bls12_381_aggregate_g2`. Data: the 96-byte compressed sum.
    Bls12381AggregateG2 {
        /// Concatenated 96-byte compressed G2 points.
        points: Binary,
    },
    /// `bls12_381_pairing_equality`: is `e(p1, q1) * ... * e(pn, qn) ==
    /// e(r, s)`? Data: JSON `true` or `false`.
    Bls12381PairingEquality {
        /// Concatenated 48-byte G1 points.
        ps: Binary,
        /// Concatenated 96-byte G2 points, as many as `ps`.
        qs: Binary,
        /// One 48-byte G1 point.
        r: Binary,
        /// One 96-byte G2 point.
        s: Binary,
    },
    /// `bls12_381_hash_to_g1`. Data: the 48-byte compressed point.
    Bls12381HashToG1 {
        /// Hash function to expand the message with.
        hash_function: BlsHashFunction,
        /// Message.
        msg: Binary,
        /// Domain separation tag.
        dst: Binary,
    },
    /// `bls12_381_hash_to_g2`. Data: the 96-byte compressed point.
    Bls12381HashToG2 {
        /// Hash function to expand the message with.
        hash_function: BlsHashFunction,
        /// Message.
        msg: Binary,
        /// Domain separation tag.
        dst: Binary,
    },
    /// `query_chain` through `Querier::raw_query`, with `request` passed to
    /// the host unchanged (so it may be any bytes, valid JSON or not).
    /// Data: the JSON of the `SystemResult<ContractResult<Binary>>` that
    /// cosmwasm-std decoded from the host's answer.
    QueryChain {
        /// Raw request bytes, normally a JSON `QueryRequest`.
        request: Binary,
    },
    /// `debug` through `Api::debug`. No data.
    Debug {
        /// Text handed to the host.
        msg: String,
    },
    /// Returns these submessages, so that the host calls `reply`. No data.
    Dispatch {
        /// Submessages to emit, in order.
        messages: Vec<SubMsg>,
    },
    /// Misbehaviour: an infinite loop; ends only when gas runs out.
    Loop {},
    /// Misbehaviour: non-tail recursion `depth` frames deep, each frame
    /// holding a small buffer on the stack. Data: JSON `depth` (the number of
    /// frames entered) if it returns at all.
    Recurse {
        /// Number of nested calls.
        depth: u32,
    },
    /// Misbehaviour: `memory.grow` by `pages` 64 KiB pages. Data:
    /// [`GrowMemoryResponse`]; a contract error if `memory.grow` fails
    /// (returns -1), e.g. beyond the host's memory limit.
    GrowMemory {
        /// Pages to add.
        pages: u32,
    },
    /// Misbehaviour: allocates `bytes` on the heap and touches every page.
    /// Data: JSON `bytes`. If the allocator cannot get the memory, the Rust
    /// runtime aborts, which is a Wasm `unreachable` trap.
    Allocate {
        /// Bytes to allocate.
        bytes: u64,
    },
    /// Misbehaviour: `panic!` with this message; cosmwasm-std's panic hook
    /// hands `panicked at <file>:<line>:<col>:\n<msg>` to `abort`.
    Panic {
        /// Panic message.
        msg: String,
    },
    /// Misbehaviour: calls the `abort` import directly with exactly `msg`.
    /// Should `abort` ever return, the contract fails with
    /// "abort import returned".
    Abort {
        /// Text handed to `abort`.
        msg: String,
    },
    /// A cw20 `Send` arriving (`Cw20ReceiveMsg`): stores the JSON of this
    /// message under [`RECEIVED_KEY`], then runs `msg` as a probe
    /// [`ExecuteMsg`] when it is not empty (so a test can make the receiver
    /// fail, write, or dispatch).
    Receive {
        /// Who sent the tokens.
        sender: String,
        /// How many.
        amount: Uint128,
        /// The sender's message.
        msg: Binary,
    },
    /// Returns a contract error with `msg` (no trap).
    Fail {
        /// The error message.
        msg: String,
    },
    /// Executes itself again (`ping_self` as a plain message) forever: the
    /// chain's call-depth or gas limit must end it.
    PingSelf {},
}

/// Arguments of a storage scan (execute and query alike).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ScanArgs {
    /// Inclusive lower bound; `None` for unbounded.
    pub start: Option<Binary>,
    /// Exclusive upper bound; `None` for unbounded.
    pub end: Option<Binary>,
    /// Iteration order.
    pub order: Order,
    /// Stop after this many entries; `None` for all.
    pub limit: Option<u32>,
    /// Which iterator import to drain.
    pub mode: ScanMode,
}

/// Which `db_next*` import a scan uses.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ScanMode {
    /// `db_next`: keys and values.
    Pairs,
    /// `db_next_key`: keys only.
    Keys,
    /// `db_next_value`: values only.
    Values,
}

/// Hash functions for BLS12-381 hash-to-curve. cosmwasm-std 3.0 knows only
/// SHA-256; its own enum is not serde, hence this mirror.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum BlsHashFunction {
    /// SHA-256 (`expand_message_xmd`).
    Sha256,
}

/// Query messages.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum QueryMsg {
    /// `db_read`. Result: [`ReadResponse`].
    Read {
        /// Storage key.
        key: Binary,
    },
    /// Like [`ExecuteMsg::Scan`]. Result: [`ScanResponse`].
    Scan(ScanArgs),
    /// Misbehaviour: calls the raw `db_write` import inside a query, where
    /// storage is read-only, as a hostile contract would (cosmwasm-std's
    /// `Deps` offers no write). If the host lets it return, the result is the
    /// [`ReadResponse`] of reading `key` back.
    WriteInQuery {
        /// Storage key.
        key: Binary,
        /// Value (may be empty: the raw import is called without checks).
        value: Binary,
    },
    /// Misbehaviour: calls the raw `db_remove` import inside a query. If the
    /// host lets it return, the result is the [`ReadResponse`] of reading
    /// `key` back.
    RemoveInQuery {
        /// Storage key.
        key: Binary,
    },
    /// A smart query to this contract's own address (`query_chain`) with
    /// `depth - 1`, down to 0. Result: JSON number of nested queries below
    /// this one (`depth` if all succeed); an inner failure fails every level.
    QuerySelf {
        /// Remaining nesting.
        depth: u32,
    },
    /// Result: `data`, raw (not JSON-wrapped).
    Echo {
        /// Bytes to return.
        data: Binary,
    },
    /// Misbehaviour: an infinite loop inside a query.
    Loop {},
}

/// Migration writes `version` to [`VERSION_KEY`]. Data: the previous
/// version's bytes, or none if there was none.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MigrateMsg {
    /// New version marker; must not be empty.
    pub version: String,
}

/// Privileged messages.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum SudoMsg {
    /// Data: `data`.
    Echo {
        /// Bytes to return.
        data: Binary,
    },
}

/// Result of a read.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ReadResponse {
    /// The stored value, `None` if the key is absent.
    pub value: Option<Binary>,
}

/// Result of a scan. In [`ScanMode::Pairs`] both lists are filled and
/// aligned; in the other modes only the list that mode returns.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ScanResponse {
    /// Keys, in iteration order.
    pub keys: Vec<Binary>,
    /// Values, in iteration order.
    pub values: Vec<Binary>,
}

/// Result of [`ExecuteMsg::GrowMemory`].
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct GrowMemoryResponse {
    /// Memory size in pages before the grow (what `memory.grow` returned).
    pub previous_pages: u32,
}
