//! What static validation accepts: limits, imports, capabilities.

use std::collections::BTreeSet;

/// The `env` functions a contract may import: every import of CosmWasm 3.0
/// with the `iterator` feature (cosmwasm-vm 3.0's `SUPPORTED_IMPORTS`).
pub const SUPPORTED_IMPORTS: &[&str] = &[
    "env.abort",
    "env.db_read",
    "env.db_write",
    "env.db_remove",
    "env.addr_validate",
    "env.addr_canonicalize",
    "env.addr_humanize",
    "env.bls12_381_aggregate_g1",
    "env.bls12_381_aggregate_g2",
    "env.bls12_381_pairing_equality",
    "env.bls12_381_hash_to_g1",
    "env.bls12_381_hash_to_g2",
    "env.secp256k1_verify",
    "env.secp256k1_recover_pubkey",
    "env.secp256r1_verify",
    "env.secp256r1_recover_pubkey",
    "env.ed25519_verify",
    "env.ed25519_batch_verify",
    "env.debug",
    "env.query_chain",
    "env.db_scan",
    "env.db_next",
    "env.db_next_key",
    "env.db_next_value",
];

/// The capabilities of a wasmd chain running CosmWasm 3.0 (its default
/// `AvailableCapabilities`): `iterator`, `staking`, `stargate` and every
/// `cosmwasm_X_Y` up to 3.0.
pub const DEFAULT_CAPABILITIES: &[&str] = &[
    "iterator",
    "staking",
    "stargate",
    "cosmwasm_1_1",
    "cosmwasm_1_2",
    "cosmwasm_1_3",
    "cosmwasm_1_4",
    "cosmwasm_2_0",
    "cosmwasm_2_1",
    "cosmwasm_2_2",
    "cosmwasm_3_0",
];

/// Limits and capabilities static validation checks a module against.
///
/// The defaults are cosmwasm-vm 3.0's `WasmLimits` defaults plus wasmd's
/// upload size limit; each field says where its default comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationConfig {
    /// Largest module in bytes. Default 819,200: wasmd's `MaxWasmSize`
    /// (800 KiB) for uncompressed code.
    pub max_module_bytes: usize,
    /// Largest initial memory in 64 KiB pages. Default 512 (32 MiB), cosmwasm-vm.
    pub initial_memory_limit_pages: u32,
    /// Largest table maximum in elements. Default 2,500, cosmwasm-vm.
    pub table_size_limit_elements: u32,
    /// Most imports. Default 100, cosmwasm-vm.
    pub max_imports: usize,
    /// Most defined functions. Default 20,000, cosmwasm-vm.
    pub max_functions: usize,
    /// Most parameters of any function type. Default 100, cosmwasm-vm.
    pub max_function_params: usize,
    /// Most parameters summed over defined functions. Default 10,000, cosmwasm-vm.
    pub max_total_function_params: usize,
    /// Most results of any function type. Default 1, cosmwasm-vm.
    pub max_function_results: usize,
    /// Most locals declared by one function. Default 100, cosmwasm-vm.
    pub max_function_locals: usize,
    /// Most locals summed over defined functions. Default 10,000, cosmwasm-vm.
    pub max_total_function_locals: usize,
    /// The capabilities this runtime offers (`requires_*` exports are checked
    /// against them). Default [`DEFAULT_CAPABILITIES`].
    pub capabilities: BTreeSet<String>,
}

impl Default for ValidationConfig {
    fn default() -> Self {
        Self {
            max_module_bytes: 800 * 1024,
            initial_memory_limit_pages: 512,
            table_size_limit_elements: 2_500,
            max_imports: 100,
            max_functions: 20_000,
            max_function_params: 100,
            max_total_function_params: 10_000,
            max_function_results: 1,
            max_function_locals: 100,
            max_total_function_locals: 10_000,
            capabilities: DEFAULT_CAPABILITIES.iter().map(|c| c.to_string()).collect(),
        }
    }
}
