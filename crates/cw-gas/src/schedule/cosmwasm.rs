//! The cosmwasm schedule: exactly cosmwasm-vm 3.0.11's prices, plus wasmd's
//! KV-store storage prices converted to CosmWasm gas.
//!
//! Every default below names the file it comes from; `docs/gas.md` repeats
//! them in one table.

use crate::error::GasError;
use crate::schedule::{CostTable, CryptoOp, LinearCost, OperatorClass, StorageOp};
use crate::units::CwGas;

/// cosmwasm-vm 3.0.11 `GasConfig::default` expresses crypto prices as
/// microseconds times this: the 10^12 gas/s target is 10^6 gas per µs.
const GAS_PER_US: u64 = 1_000_000;

/// Cosmos SDK KV-store prices in SDK gas (cosmos-sdk `store/types/gas.go`,
/// `KVGasConfig`), applied by wasmd through its gas multiplier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SdkKvGas {
    /// `ReadCostFlat` = 1,000.
    pub read_flat_sdk_gas: u64,
    /// `ReadCostPerByte` = 3, per byte of key and of value.
    pub read_per_byte_sdk_gas: u64,
    /// `WriteCostFlat` = 2,000.
    pub write_flat_sdk_gas: u64,
    /// `WriteCostPerByte` = 30, per byte of key and of value.
    pub write_per_byte_sdk_gas: u64,
    /// `DeleteCost` = 1,000.
    pub delete_sdk_gas: u64,
    /// `IterNextCostFlat` = 30; `gaskv` also charges `ReadCostPerByte` for
    /// the key and value of the record the step yields.
    pub iter_next_flat_sdk_gas: u64,
}

impl Default for SdkKvGas {
    /// cosmos-sdk `store/types/gas.go` `KVGasConfig()`.
    fn default() -> Self {
        Self {
            read_flat_sdk_gas: 1_000,
            read_per_byte_sdk_gas: 3,
            write_flat_sdk_gas: 2_000,
            write_per_byte_sdk_gas: 30,
            delete_sdk_gas: 1_000,
            iter_next_flat_sdk_gas: 30,
        }
    }
}

/// cosmwasm-vm 3.0.11's gas schedule. `Default` is the exact cosmwasm-vm
/// pricing; fields are public so a chain can reprice (and gets a new
/// fingerprint).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CosmWasmSchedule {
    /// 115 per Wasm operator (`GAS_PER_OPERATION` in
    /// cosmwasm-vm `src/wasm_backend/engine.rs` `cost`).
    pub operator: CwGas,
    /// Accounting operators cost `operator * 14` = 1,610 (same function:
    /// "the overhead is about 14 times the cost of a normal operation").
    pub accounting_multiplier: u64,
    /// Functions with more declared locals than this pay
    /// `(locals - 29) * operator` at entry: cosmwasm-vm
    /// `src/wasm_backend/metering.rs` `CHARGED_LOCALS_THRESHOLD = 30`,
    /// `charged_locals_count = locals.saturating_sub(30 - 1)`; locals are
    /// counted by `ParsedWasm` (declared locals, parameters excluded).
    pub free_locals: u32,
    /// 18,000 per host call (`GasConfig::host_call_cost`,
    /// cosmwasm-vm `src/environment.rs`).
    pub host_call: CwGas,
    /// Region reads up to `read_region_threshold_bytes`: 200,000 + 115/byte
    /// (`read_region_small_cost`).
    pub read_region_small: LinearCost<CwGas>,
    /// Region reads above the threshold: 0 + 520/byte (`read_region_large_cost`).
    pub read_region_large: LinearCost<CwGas>,
    /// 8,000,000 bytes (`GasConfig::read_region_cost`, `THRESHOLD = 8 * 1000 * 1000`).
    pub read_region_threshold_bytes: u64,
    /// 230,000 + 570/byte (`write_region_cost`).
    pub write_region: LinearCost<CwGas>,
    /// 28,700 + 1,400/byte (`string_from_bytes_cost`).
    pub string_from_bytes: LinearCost<CwGas>,
    /// 96 µs (`secp256k1_verify_cost`).
    pub secp256k1_verify: CwGas,
    /// 194 µs (`secp256k1_recover_pubkey_cost`).
    pub secp256k1_recover_pubkey: CwGas,
    /// 279 µs (`secp256r1_verify_cost`).
    pub secp256r1_verify: CwGas,
    /// 592 µs (`secp256r1_recover_pubkey_cost`).
    pub secp256r1_recover_pubkey: CwGas,
    /// 35 µs (`ed25519_verify_cost`).
    pub ed25519_verify: CwGas,
    /// 24 µs + 21 µs per signature (`ed25519_batch_verify_cost`).
    pub ed25519_batch_verify: LinearCost<CwGas>,
    /// 36 µs + 10 µs per signature when exactly one public key is given
    /// (`ed25519_batch_verify_one_pubkey_cost`).
    pub ed25519_batch_verify_one_pubkey: LinearCost<CwGas>,
    /// 68 µs + 12 µs per point (`bls12_381_aggregate_g1_cost`: 136/2, 24/2).
    pub bls12_381_aggregate_g1: LinearCost<CwGas>,
    /// 103.5 µs + 24.5 µs per point (`bls12_381_aggregate_g2_cost`: 207/2, 49/2).
    pub bls12_381_aggregate_g2: LinearCost<CwGas>,
    /// 563 µs (`bls12_381_hash_to_g1_cost`).
    pub bls12_381_hash_to_g1: CwGas,
    /// 871 µs (`bls12_381_hash_to_g2_cost`).
    pub bls12_381_hash_to_g2: CwGas,
    /// 2,112 µs + 163 µs per pairing, `n + 1` pairings
    /// (`bls12_381_pairing_equality_cost`, `estimated_k = n + 1` in `imports.rs`).
    pub bls12_381_pairing_equality: LinearCost<CwGas>,
    /// KV-store prices in SDK gas.
    pub sdk_kv: SdkKvGas,
    /// CosmWasm gas per SDK gas: 140,000 (wasmd `DefaultGasMultiplier`
    /// since CosmWasm 2.0 reduced gas by 1000x, CosmWasm/cosmwasm#1599:
    /// "Multiplier 140_000_000 → 140_000"). 0 makes storage free.
    pub sdk_gas_multiplier: u64,
}

impl Default for CosmWasmSchedule {
    fn default() -> Self {
        Self {
            operator: CwGas::new(115),
            accounting_multiplier: 14,
            free_locals: 29,
            host_call: CwGas::new(18_000),
            read_region_small: LinearCost::new(200_000, 115),
            read_region_large: LinearCost::new(0, 520),
            read_region_threshold_bytes: 8 * 1000 * 1000,
            write_region: LinearCost::new(230_000, 570),
            string_from_bytes: LinearCost::new(28_700, 1_400),
            secp256k1_verify: CwGas::new(96 * GAS_PER_US),
            secp256k1_recover_pubkey: CwGas::new(194 * GAS_PER_US),
            secp256r1_verify: CwGas::new(279 * GAS_PER_US),
            secp256r1_recover_pubkey: CwGas::new(592 * GAS_PER_US),
            ed25519_verify: CwGas::new(35 * GAS_PER_US),
            ed25519_batch_verify: LinearCost::new(24 * GAS_PER_US, 21 * GAS_PER_US),
            ed25519_batch_verify_one_pubkey: LinearCost::new(36 * GAS_PER_US, 10 * GAS_PER_US),
            bls12_381_aggregate_g1: LinearCost::new(136 * GAS_PER_US / 2, 24 * GAS_PER_US / 2),
            bls12_381_aggregate_g2: LinearCost::new(207 * GAS_PER_US / 2, 49 * GAS_PER_US / 2),
            bls12_381_hash_to_g1: CwGas::new(563 * GAS_PER_US),
            bls12_381_hash_to_g2: CwGas::new(871 * GAS_PER_US),
            bls12_381_pairing_equality: LinearCost::new(2112 * GAS_PER_US, 163 * GAS_PER_US),
            sdk_kv: SdkKvGas::default(),
            sdk_gas_multiplier: 140_000,
        }
    }
}

impl CosmWasmSchedule {
    /// The default schedule with storage free (multiplier 0), the setting
    /// under which gas must equal cosmwasm-vm's `MockStorage` runs to the unit.
    pub fn with_free_storage() -> Self {
        Self {
            sdk_gas_multiplier: 0,
            ..Self::default()
        }
    }

    /// SDK gas times the multiplier, checked.
    fn sdk(
        &self,
        sdk_gas: Option<u64>,
        operation: &'static str,
        items: u64,
    ) -> Result<CwGas, GasError> {
        sdk_gas
            .and_then(|g| g.checked_mul(self.sdk_gas_multiplier))
            .map(CwGas::new)
            .ok_or(GasError::PriceOverflow { operation, items })
    }
}

/// `flat + per_byte * (a + b)`, `None` on overflow.
fn flat_plus_bytes(flat: u64, per_byte: u64, a: u64, b: u64) -> Option<u64> {
    a.checked_add(b)?.checked_mul(per_byte)?.checked_add(flat)
}

impl CostTable for CosmWasmSchedule {
    type Gas = CwGas;

    fn name(&self) -> &'static str {
        "cosmwasm"
    }

    fn operator(&self, class: OperatorClass) -> CwGas {
        match class {
            OperatorClass::Plain => self.operator,
            // Saturation only matters for a repriced table with absurd
            // numbers; the default is 1,610.
            OperatorClass::Control | OperatorClass::Pseudo => CwGas::new(
                self.operator
                    .as_u64()
                    .saturating_mul(self.accounting_multiplier),
            ),
        }
    }

    fn locals_surcharge(&self, declared_locals: u32) -> CwGas {
        let charged = u64::from(declared_locals.saturating_sub(self.free_locals));
        CwGas::new(self.operator.as_u64().saturating_mul(charged))
    }

    fn host_call(&self) -> CwGas {
        self.host_call
    }

    fn region_read(&self, bytes: u64) -> Result<CwGas, GasError> {
        if bytes <= self.read_region_threshold_bytes {
            self.read_region_small.total(bytes, "region_read")
        } else {
            self.read_region_large.total(bytes, "region_read")
        }
    }

    fn region_write(&self, bytes: u64) -> Result<CwGas, GasError> {
        self.write_region.total(bytes, "region_write")
    }

    fn string_from_bytes(&self, bytes: u64) -> Result<CwGas, GasError> {
        self.string_from_bytes.total(bytes, "string_from_bytes")
    }

    fn storage(&self, op: StorageOp) -> Result<CwGas, GasError> {
        let kv = &self.sdk_kv;
        match op {
            StorageOp::Read { key_len, value_len } => self.sdk(
                flat_plus_bytes(
                    kv.read_flat_sdk_gas,
                    kv.read_per_byte_sdk_gas,
                    key_len,
                    value_len,
                ),
                "db_read",
                key_len.saturating_add(value_len),
            ),
            StorageOp::Write {
                key_len, value_len, ..
            } => self.sdk(
                flat_plus_bytes(
                    kv.write_flat_sdk_gas,
                    kv.write_per_byte_sdk_gas,
                    key_len,
                    value_len,
                ),
                "db_write",
                key_len.saturating_add(value_len),
            ),
            StorageOp::Remove { key_len, .. } => {
                self.sdk(Some(kv.delete_sdk_gas), "db_remove", key_len)
            }
            StorageOp::IterNext { key_len, value_len } => self.sdk(
                flat_plus_bytes(
                    kv.iter_next_flat_sdk_gas,
                    kv.read_per_byte_sdk_gas,
                    key_len,
                    value_len,
                ),
                "db_next",
                key_len.saturating_add(value_len),
            ),
        }
    }

    fn crypto(&self, op: CryptoOp) -> Result<CwGas, GasError> {
        match op {
            CryptoOp::Secp256k1Verify => Ok(self.secp256k1_verify),
            CryptoOp::Secp256k1RecoverPubkey => Ok(self.secp256k1_recover_pubkey),
            CryptoOp::Secp256r1Verify => Ok(self.secp256r1_verify),
            CryptoOp::Secp256r1RecoverPubkey => Ok(self.secp256r1_recover_pubkey),
            CryptoOp::Ed25519Verify { .. } => Ok(self.ed25519_verify),
            CryptoOp::Ed25519BatchVerify {
                signatures,
                public_keys,
                ..
            } => {
                // cosmwasm-vm `do_ed25519_batch_verify`: the one-key price
                // applies iff exactly one public key is given.
                let cost = if public_keys == 1 {
                    &self.ed25519_batch_verify_one_pubkey
                } else {
                    &self.ed25519_batch_verify
                };
                cost.total(signatures, "ed25519_batch_verify")
            }
            CryptoOp::Bls12381AggregateG1 { points } => self
                .bls12_381_aggregate_g1
                .total(points, "bls12_381_aggregate_g1"),
            CryptoOp::Bls12381AggregateG2 { points } => self
                .bls12_381_aggregate_g2
                .total(points, "bls12_381_aggregate_g2"),
            CryptoOp::Bls12381HashToG1 => Ok(self.bls12_381_hash_to_g1),
            CryptoOp::Bls12381HashToG2 => Ok(self.bls12_381_hash_to_g2),
            CryptoOp::Bls12381PairingEquality { n } => self.bls12_381_pairing_equality.total(
                n.checked_add(1).ok_or(GasError::PriceOverflow {
                    operation: "bls12_381_pairing_equality",
                    items: n,
                })?,
                "bls12_381_pairing_equality",
            ),
            // cosmwasm-vm 3.0.11 has no sha256 import: no price to be exact to.
            CryptoOp::Sha256 { .. } => Err(GasError::Unpriced {
                schedule: self.name(),
                operation: op.name(),
            }),
        }
    }

    /// cosmwasm-vm's `debug` charges only the host call and the region read;
    /// `abort` additionally charges [`CostTable::string_from_bytes`]. So a
    /// log line itself is free.
    fn log(&self, bytes: u64) -> Result<CwGas, GasError> {
        let _ = bytes;
        Ok(CwGas::ZERO)
    }

    fn visit_prices(&self, v: &mut dyn FnMut(&'static str, u64)) {
        let lin = |v: &mut dyn FnMut(&'static str, u64),
                   b: &'static str,
                   p: &'static str,
                   c: &LinearCost<CwGas>| {
            v(b, c.base.as_u64());
            v(p, c.per_item.as_u64());
        };
        v("rule.charge_at_accounting", 1);
        v("operator", self.operator.as_u64());
        v("accounting_multiplier", self.accounting_multiplier);
        v("free_locals", u64::from(self.free_locals));
        v("host_call", self.host_call.as_u64());
        lin(
            v,
            "read_region_small.base",
            "read_region_small.per_byte",
            &self.read_region_small,
        );
        lin(
            v,
            "read_region_large.base",
            "read_region_large.per_byte",
            &self.read_region_large,
        );
        v(
            "read_region_threshold_bytes",
            self.read_region_threshold_bytes,
        );
        lin(
            v,
            "write_region.base",
            "write_region.per_byte",
            &self.write_region,
        );
        lin(
            v,
            "string_from_bytes.base",
            "string_from_bytes.per_byte",
            &self.string_from_bytes,
        );
        v("secp256k1_verify", self.secp256k1_verify.as_u64());
        v(
            "secp256k1_recover_pubkey",
            self.secp256k1_recover_pubkey.as_u64(),
        );
        v("secp256r1_verify", self.secp256r1_verify.as_u64());
        v(
            "secp256r1_recover_pubkey",
            self.secp256r1_recover_pubkey.as_u64(),
        );
        v("ed25519_verify", self.ed25519_verify.as_u64());
        lin(
            v,
            "ed25519_batch_verify.base",
            "ed25519_batch_verify.per_item",
            &self.ed25519_batch_verify,
        );
        lin(
            v,
            "ed25519_batch_verify_one_pubkey.base",
            "ed25519_batch_verify_one_pubkey.per_item",
            &self.ed25519_batch_verify_one_pubkey,
        );
        lin(
            v,
            "bls12_381_aggregate_g1.base",
            "bls12_381_aggregate_g1.per_item",
            &self.bls12_381_aggregate_g1,
        );
        lin(
            v,
            "bls12_381_aggregate_g2.base",
            "bls12_381_aggregate_g2.per_item",
            &self.bls12_381_aggregate_g2,
        );
        v("bls12_381_hash_to_g1", self.bls12_381_hash_to_g1.as_u64());
        v("bls12_381_hash_to_g2", self.bls12_381_hash_to_g2.as_u64());
        lin(
            v,
            "bls12_381_pairing_equality.base",
            "bls12_381_pairing_equality.per_item",
            &self.bls12_381_pairing_equality,
        );
        let kv = &self.sdk_kv;
        v("sdk_kv.read_flat", kv.read_flat_sdk_gas);
        v("sdk_kv.read_per_byte", kv.read_per_byte_sdk_gas);
        v("sdk_kv.write_flat", kv.write_flat_sdk_gas);
        v("sdk_kv.write_per_byte", kv.write_per_byte_sdk_gas);
        v("sdk_kv.delete", kv.delete_sdk_gas);
        v("sdk_kv.iter_next_flat", kv.iter_next_flat_sdk_gas);
        v("sdk_gas_multiplier", self.sdk_gas_multiplier);
    }
}
