//! The host logic of every `env` import a CosmWasm 3.0 contract may use, one
//! plain function per import, named as the import.
//!
//! Each function takes the [`HostContext`](crate::HostContext), the guest
//! memory, the guest allocator when the import returns data it must
//! allocate, and the import's raw Wasm arguments; it returns what the Wasm
//! import returns, or a [`HostError`](crate::HostError) when the import must
//! trap. Every import charges the host-call price first and every later
//! price before the work it pays for, in cosmwasm-vm 3.0.11's order, so gas
//! equals cosmwasm-vm's under `CosmWasmSchedule` and an import that runs out
//! of gas leaves storage and the contract's memory as they were.

pub mod addr;
pub mod crypto;
pub mod db;
pub mod debug;
pub mod query;

pub use addr::{addr_canonicalize, addr_humanize, addr_validate};
pub use crypto::{
    bls12_381_aggregate_g1, bls12_381_aggregate_g2, bls12_381_hash_to_g1, bls12_381_hash_to_g2,
    bls12_381_pairing_equality, ed25519_batch_verify, ed25519_verify, secp256k1_recover_pubkey,
    secp256k1_verify, secp256r1_recover_pubkey, secp256r1_verify,
};
pub use db::{db_next, db_next_key, db_next_value, db_read, db_remove, db_scan, db_write};
pub use debug::{abort, debug};
pub use query::query_chain;

/// The name of every import, in cosmwasm-std's declaration order; the Wasm
/// bridge registers exactly these under module `env`.
pub const IMPORT_NAMES: [&str; 24] = [
    "abort",
    "db_read",
    "db_write",
    "db_remove",
    "db_scan",
    "db_next",
    "db_next_key",
    "db_next_value",
    "addr_validate",
    "addr_canonicalize",
    "addr_humanize",
    "bls12_381_aggregate_g1",
    "bls12_381_aggregate_g2",
    "bls12_381_pairing_equality",
    "bls12_381_hash_to_g1",
    "bls12_381_hash_to_g2",
    "secp256k1_verify",
    "secp256k1_recover_pubkey",
    "secp256r1_verify",
    "secp256r1_recover_pubkey",
    "ed25519_verify",
    "ed25519_batch_verify",
    "debug",
    "query_chain",
];
