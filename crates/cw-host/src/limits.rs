//! The size and count limits of the imports, and the prices cw-gas's
//! [`CostTable`](cw_gas::CostTable) does not have.
//!
//! Every number is cosmwasm-vm 3.0.11's (`src/imports.rs` unless stated) or
//! wasmd's, as each item says, so a contract meets the same limits and
//! prices here as on a wasmd chain; the one exception,
//! [`MAX_ITERATORS_PER_CALL`], is ours and carries its derivation. The
//! prices are also listed in `docs/gas.md`, "Prices cw-host adds".

use cw_gas::CwGas;

const KI: usize = 1024;
const MI: usize = 1024 * 1024;

/// `db_read`/`db_write`/`db_remove`/`db_scan` keys and bounds: 64 KiB
/// (`MAX_LENGTH_DB_KEY`).
pub const MAX_LENGTH_DB_KEY: usize = 64 * KI;
/// `db_write` values: 128 KiB (`MAX_LENGTH_DB_VALUE`).
pub const MAX_LENGTH_DB_VALUE: usize = 128 * KI;
/// `addr_humanize` input: 64 bytes (`MAX_LENGTH_CANONICAL_ADDRESS`; "typically
/// 20 (Cosmos SDK, Ethereum), 32 (Nano, Substrate) or 54 (MockApi)").
pub const MAX_LENGTH_CANONICAL_ADDRESS: usize = 64;
/// `addr_validate`/`addr_canonicalize` input: 256 bytes
/// (`MAX_LENGTH_HUMAN_ADDRESS`: bech32's 90 characters plus a safety margin).
pub const MAX_LENGTH_HUMAN_ADDRESS: usize = 256;
/// `query_chain` request: 64 KiB (`MAX_LENGTH_QUERY_CHAIN_REQUEST`).
pub const MAX_LENGTH_QUERY_CHAIN_REQUEST: usize = 64 * KI;
/// `debug` message: 2 MiB (`MAX_LENGTH_DEBUG`).
pub const MAX_LENGTH_DEBUG: usize = 2 * MI;
/// `abort` message: 2 MiB (`MAX_LENGTH_ABORT`).
pub const MAX_LENGTH_ABORT: usize = 2 * MI;
/// `ed25519_verify` message: 128 KiB (`MAX_LENGTH_ED25519_MESSAGE`).
pub const MAX_LENGTH_ED25519_MESSAGE: usize = 128 * KI;
/// An Ed25519 signature: 64 bytes (`MAX_LENGTH_ED25519_SIGNATURE`).
pub const MAX_LENGTH_ED25519_SIGNATURE: usize = 64;
/// Items per `ed25519_batch_verify` list: 256 (`MAX_COUNT_ED25519_BATCH`).
/// The region limits of the three lists are `(item limit + 4) * 256`, the 4
/// being each section's length suffix.
pub const MAX_COUNT_ED25519_BATCH: usize = 256;
/// Concatenated points for the BLS12-381 aggregate and pairing imports: 2 MiB
/// (`BLS12_381_MAX_AGGREGATE_SIZE`).
pub const BLS12_381_MAX_AGGREGATE_SIZE: usize = 2 * MI;
/// Message of the hash-to-curve imports: 5 MiB (`BLS12_381_MAX_MESSAGE_SIZE`).
pub const BLS12_381_MAX_MESSAGE_SIZE: usize = 5 * MI;
/// Domain separation tag of the hash-to-curve imports: 5 KiB
/// (`BLS12_381_MAX_DST_SIZE`).
pub const BLS12_381_MAX_DST_SIZE: usize = 5 * KI;

/// Nesting limit of `query_chain`: 10, wasmd's `DefaultMaxQueryStackSize`
/// (`x/wasm/types/wasm_engine.go`, enforced in `x/wasm/keeper/keeper.go`
/// `checkAndIncreaseQueryStackSize`). cosmwasm-vm leaves this to the chain.
/// A query past it is answered with
/// [`QUERY_DEPTH_EXCEEDED_RESPONSE`](crate::imports::query::QUERY_DEPTH_EXCEEDED_RESPONSE),
/// as wasmd answers it; it does not end the call.
pub const MAX_QUERY_DEPTH: u32 = 10;

/// How deeply the host may call into the guest at once: an entry point (or
/// the runtime's own `allocate` / `deallocate`) is depth 1, `allocate` run
/// by an import during it depth 2; a third level (an import inside that
/// `allocate` allocating again) is refused. cosmwasm-vm 3.0.11
/// `environment.rs` `MAX_CALL_DEPTH = 2`, checked on every guest call. It
/// bounds host-to-guest re-entry, which would otherwise nest once per
/// import an `allocate` calls, each level holding the one below.
pub const MAX_CALL_DEPTH: u32 = 2;

/// Iterators one call may open: 32,768, wasmvm's (`internal/api/callbacks.go`
/// `frameLenLimit`, enforced per contract call in `iterator.go`
/// `storeIterator`: "reached iterator limit (32768)"); cosmwasm-vm has no
/// limit of its own. A chain refuses the 32,769th `db_scan` of a call, so
/// this runtime does too, and admits every call the chain admits (until
/// issue 21 this limit was 1,024, stricter than the chain).
///
/// Memory: an open iterator holds its two bounds and its cursor, at most
/// 3 × 64 KiB ([`MAX_LENGTH_DB_KEY`]), so a call can pin at most about 6 GiB
/// with iterators, and only by paying for 65,536 region reads of 64 KiB
/// (about 5 × 10^11 CosmWasm gas at cosmwasm-vm's prices). wasmvm's Go
/// iterators hold their bounds too; the chain has the same exposure.
pub const MAX_ITERATORS_PER_CALL: u32 = 32_768;

/// wasmd's `DefaultGasMultiplier` (CosmWasm gas per SDK gas,
/// `x/wasm/types/gas_register.go`; cosmwasm-vm 3.0.11 `src/testing/mock.rs`
/// `WASMD_GAS_MULTIPLIER`, citing wasmd v0.51.0).
const WASMD_GAS_MULTIPLIER: u64 = 140_000;

/// Price of one address canonicalization: 700,000 CosmWasm gas (700,000,000
/// NEAR gas under the near schedule, which has no address price).
///
/// wasmd charges `DefaultGasCostCanonicalAddress = 5` SDK gas times the
/// multiplier 140,000 (`x/wasm/keeper/api.go`); cosmwasm-vm 3.0.11's
/// `MockApi` charges the same (`src/testing/mock.rs`
/// `GAS_COST_CANONICALIZE`). Not in cw-gas's `CostTable`, which has no
/// address prices; listed in `docs/gas.md`, "Prices cw-host adds".
pub const ADDR_CANONICALIZE_COST: CwGas = CwGas::new(5 * WASMD_GAS_MULTIPLIER);

/// Price of one address humanization: 560,000 CosmWasm gas (560,000,000
/// NEAR gas).
///
/// wasmd's `DefaultGasCostHumanAddress = 4` SDK gas times 140,000
/// (`x/wasm/keeper/api.go`); cosmwasm-vm 3.0.11 `src/testing/mock.rs`
/// `GAS_COST_HUMANIZE`. `addr_validate` pays canonicalize then humanize
/// (1,260,000 in total when both run).
pub const ADDR_HUMANIZE_COST: CwGas = CwGas::new(4 * WASMD_GAS_MULTIPLIER);

/// The limits an embedder may tighten (or, for a private chain, loosen).
/// `Default` is the chain's (cosmwasm-vm 3.0.11 and wasmd).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HostLimits {
    /// Longest db key in bytes ([`MAX_LENGTH_DB_KEY`]).
    pub db_key_bytes: usize,
    /// Longest db value in bytes ([`MAX_LENGTH_DB_VALUE`]).
    pub db_value_bytes: usize,
    /// Longest canonical address in bytes ([`MAX_LENGTH_CANONICAL_ADDRESS`]).
    pub canonical_address_bytes: usize,
    /// Longest human address in bytes ([`MAX_LENGTH_HUMAN_ADDRESS`]).
    pub human_address_bytes: usize,
    /// Longest `query_chain` request in bytes ([`MAX_LENGTH_QUERY_CHAIN_REQUEST`]).
    pub query_request_bytes: usize,
    /// Longest debug message in bytes ([`MAX_LENGTH_DEBUG`]).
    pub debug_bytes: usize,
    /// Longest abort message in bytes ([`MAX_LENGTH_ABORT`]).
    pub abort_bytes: usize,
    /// Deepest query nesting ([`MAX_QUERY_DEPTH`]); a query past it gets
    /// wasmd's error response instead of reaching the querier.
    pub max_query_depth: u32,
    /// Most iterators per call ([`MAX_ITERATORS_PER_CALL`]).
    pub max_iterators: u32,
    /// Most CosmWasm gas one `query_chain` may use, on top of the gas left
    /// in the call. [`CwGas::MAX`] (the default) means "whatever is left", as
    /// in cosmwasm-vm, which passes the remaining gas as the query's limit.
    pub query_gas_cap: CwGas,
}

impl Default for HostLimits {
    fn default() -> Self {
        Self {
            db_key_bytes: MAX_LENGTH_DB_KEY,
            db_value_bytes: MAX_LENGTH_DB_VALUE,
            canonical_address_bytes: MAX_LENGTH_CANONICAL_ADDRESS,
            human_address_bytes: MAX_LENGTH_HUMAN_ADDRESS,
            query_request_bytes: MAX_LENGTH_QUERY_CHAIN_REQUEST,
            debug_bytes: MAX_LENGTH_DEBUG,
            abort_bytes: MAX_LENGTH_ABORT,
            max_query_depth: MAX_QUERY_DEPTH,
            max_iterators: MAX_ITERATORS_PER_CALL,
            query_gas_cap: CwGas::MAX,
        }
    }
}
